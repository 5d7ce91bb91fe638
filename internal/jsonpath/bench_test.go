package jsonpath

import (
	"fmt"
	"strings"
	"testing"
)

// largePage is a 1 MB page of items, the size of a large list answer that
// correlation reads.
func largePage() []byte {
	var sb strings.Builder
	sb.WriteString(`{"content": [`)
	for i := 0; sb.Len() < 1<<20; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id": %d, "name": "launch \"%d\"", "createdDate": 1700000000%03d, "tags": [{"id": %d, "name": "smoke"}], "closed": false, "owner": null}`, i, i, i%1000, i*7)
	}
	sb.WriteString(`], "totalElements": 5000}`)
	return []byte(sb.String())
}

// BenchmarkLeaves lists the leaves of a large page with their paths.
func BenchmarkLeaves(b *testing.B) {
	data := largePage()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Leaves(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScalars reads the same page as correlation and replay do, keys
// and values without paths.
func BenchmarkScalars(b *testing.B) {
	data := string(largePage())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		n := 0
		if err := Scalars(data, func(Leaf) { n++ }); err != nil || n == 0 {
			b.Fatal(err, n)
		}
	}
}
