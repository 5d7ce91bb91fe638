package proxy

import (
	"encoding/binary"
	"reflect"
	"testing"
)

func frame(opcode byte, fin, masked bool, payload []byte) []byte {
	first := opcode
	if fin {
		first |= 0x80
	}
	b := []byte{first}
	var m byte
	if masked {
		m = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		b = append(b, m|byte(n))
	case n < 1<<16:
		b = append(b, m|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, m|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	key := [4]byte{9, 8, 7, 6}
	if masked {
		b = append(b, key[:]...)
	}
	for i, c := range payload {
		if masked {
			c ^= key[i%4]
		}
		b = append(b, c)
	}
	return b
}

func parseAll(stream []byte, pieces []int, budget int64) []string {
	log := &wsLog{budget: budget}
	p := &wsParser{log: log, typ: "send"}
	for _, n := range pieces {
		if n > len(stream) {
			n = len(stream)
		}
		p.Write(stream[:n])
		stream = stream[n:]
	}
	p.Write(stream)
	var out []string
	for _, m := range log.msgs {
		out = append(out, string(rune('0'+m.Opcode))+" "+m.Data)
	}
	return out
}

func TestWebSocketParser(t *testing.T) {
	var stream []byte
	stream = append(stream, frame(1, true, true, []byte("hello"))...)
	stream = append(stream, frame(9, true, true, []byte("ping"))...) // control frames are not logged
	stream = append(stream, frame(2, false, true, []byte{1, 2})...)
	stream = append(stream, frame(10, true, true, nil)...) // a control frame between fragments
	stream = append(stream, frame(0, true, true, []byte{3})...)
	stream = append(stream, frame(1, true, false, make([]byte, 300))...)
	stream = append(stream, frame(1, true, false, nil)...)
	want := []string{"1 hello", "2 AQID", "1 " + string(make([]byte, 300)), "1 "}

	tests := []struct {
		why    string
		pieces []int
	}{
		{"in one write", nil},
		{"byte by byte", func() []int {
			p := make([]int, len(stream))
			for i := range p {
				p[i] = 1
			}
			return p
		}()},
		{"split inside headers and payloads", []int{1, 3, 2, 7, 5, 11, 200}},
	}
	for _, tt := range tests {
		if got := parseAll(stream, tt.pieces, 1<<20); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %q, want %q", tt.why, got, want)
		}
	}

	// Past the budget, messages are cut and then dropped, and counted.
	log := &wsLog{budget: wsMessageCost + 3}
	p := &wsParser{log: log, typ: "receive"}
	p.Write(frame(1, true, false, []byte("abcdef")))
	p.Write(frame(1, true, false, []byte("gh")))
	if len(log.msgs) != 1 || log.msgs[0].Data != "abc" || log.cut != 1 || log.dropped != 1 {
		t.Errorf("over budget: msgs %+v cut %d dropped %d", log.msgs, log.cut, log.dropped)
	}
}

func FuzzWebSocketParser(f *testing.F) {
	f.Add(frame(1, true, true, []byte("hello")), uint8(3))
	f.Add(append(frame(2, false, false, []byte{1, 2, 3}), frame(0, true, false, make([]byte, 200))...), uint8(1))
	f.Add(frame(1, true, true, make([]byte, 300)), uint8(7))
	f.Add([]byte{0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, uint8(2))
	f.Fuzz(func(t *testing.T, stream []byte, step uint8) {
		whole := parseAll(stream, nil, 1<<16)
		var pieces []int
		for n := 0; n < len(stream); n += int(step%16) + 1 {
			pieces = append(pieces, int(step%16)+1)
		}
		split := parseAll(stream, pieces, 1<<16)
		if !reflect.DeepEqual(whole, split) {
			t.Errorf("the same bytes in pieces of %d parse differently:\n%q\n%q", step%16+1, whole, split)
		}
	})
}
