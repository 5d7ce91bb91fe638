package jsonpath

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkLeaves lists the leaves of a 1 MB page of items, the size of a
// large list answer that correlation reads.
func BenchmarkLeaves(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"content": [`)
	for i := 0; sb.Len() < 1<<20; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id": %d, "name": "launch \"%d\"", "createdDate": 1700000000%03d, "tags": [{"id": %d, "name": "smoke"}], "closed": false, "owner": null}`, i, i, i%1000, i*7)
	}
	sb.WriteString(`], "totalElements": 5000}`)
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Leaves(data); err != nil {
			b.Fatal(err)
		}
	}
}
