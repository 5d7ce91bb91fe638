package gen

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/apitrail/apitrail/har"
	"github.com/apitrail/apitrail/spec"
	"github.com/getkin/kin-openapi/openapi3"
)

// BigOptions say what WriteBig generates.
type BigOptions struct {
	Options
	// Big is how many answers are pages of about Size bytes.
	Big  int
	Size int
	// Broken breaks one item of the first big page, so that a checker
	// that decodes only the answers that miss their schema decodes it.
	Broken bool
}

// WriteBig writes a recording like Write's in which Big calls, spread
// evenly, are answered with one page of a paged list (the first GET
// operation whose answer has a "content" array) about Size bytes long:
// the large answers that bound a reader's and a checker's memory.
func WriteBig(w io.Writer, ix *spec.Index, opts BigOptions) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	hw, err := har.NewWriter(bw, har.WriterOptions{KeepSecrets: true, Creator: har.Creator{Name: "apitrail-bench", Version: "1"}})
	if err != nil {
		return err
	}
	g := newGenerator(ix, opts.Seed)
	op, page := pagedOperation(g.gets)
	if op == nil && opts.Big > 0 {
		return fmt.Errorf("no GET operation answers a page with a content array")
	}
	every := max(opts.Entries/(opts.Big+1), 1)
	big := 0
	for i := 0; i < opts.Entries; i++ {
		e := g.entry(i)
		if big < opts.Big && i%every == every-1 {
			g.call(e, op)
			g.answer(e, 200, "application/json", g.page(page, opts.Size, opts.Broken && big == 0))
			big++
		}
		if err := hw.Write(e); err != nil {
			return err
		}
	}
	if err := hw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// pagedOperation finds the first GET whose 200 answer is an object with a
// "content" array of objects.
func pagedOperation(gets []*spec.Operation) (*spec.Operation, *openapi3.Schema) {
	for _, op := range gets {
		r := op.OpenAPI.Responses.Value("200")
		if r == nil || r.Value == nil {
			continue
		}
		mt := r.Value.Content.Get("application/json")
		if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
			continue
		}
		s := mt.Schema.Value
		c := s.Properties["content"]
		if len(s.OneOf) == 0 && c != nil && c.Value != nil && c.Value.Type.Is("array") &&
			c.Value.Items != nil && c.Value.Items.Value != nil && len(c.Value.Items.Value.Properties) > 3 {
			return op, s
		}
	}
	return nil, nil
}

// page is a page of the schema whose content array holds items until the
// whole is about size bytes.
func (g *generator) page(s *openapi3.Schema, size int, broken bool) string {
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.Grow(size + 4096)
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(n) + ":")
		if n != "content" {
			b.WriteString(g.json(s.Properties[n], 1))
			continue
		}
		items := s.Properties[n].Value.Items
		b.WriteByte('[')
		for k := 0; b.Len() < size; k++ {
			if k > 0 {
				b.WriteByte(',')
			}
			if broken && k == 1000 {
				b.WriteString(`{"id":"not-a-number"}`)
				continue
			}
			b.WriteString(g.json(items, 2))
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.String()
}
