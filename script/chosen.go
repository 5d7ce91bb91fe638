package script

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apitrail/apitrail/correlate"
	"github.com/apitrail/apitrail/internal/values"
)

// Values the flow chose (correlate.Var.Chosen), such as a launch named
// with the time it was made, are made when the script runs: the literal
// text as recorded, each timestamp the time of the run in the recorded
// form, written in UTC (an offset reads +00:00). The script makes the value
// once and uses it in every later call, so its searches find what it
// created, not the recording's object.

// stampField is one part of a timestamp's form, which each language
// writes in its own way.
type stampField struct {
	kind string // "date", "hm", "s", "frac", "zone", "epoch", "lit"
	text string // a literal's text, the fraction's separator, the zone as written at UTC
	n    int    // fraction digits, or an epoch's length
}

// stampFields splits a timestamp's form into fields.
func stampFields(st *values.Stamp) []stampField {
	if st.Digits > 0 {
		return []stampField{{kind: "epoch", n: st.Digits}}
	}
	var out []stampField
	l := st.Layout
	for l != "" {
		switch {
		case strings.HasPrefix(l, "2006-01-02"):
			out, l = append(out, stampField{kind: "date"}), l[len("2006-01-02"):]
		case strings.HasPrefix(l, "15:04"):
			out, l = append(out, stampField{kind: "hm"}), l[len("15:04"):]
		case strings.HasPrefix(l, ":05"):
			out, l = append(out, stampField{kind: "s"}), l[len(":05"):]
		case (l[0] == '.' || l[0] == ',') && strings.HasPrefix(l[1:], "0"):
			n := len(l[1:]) - len(strings.TrimLeft(l[1:], "0"))
			out, l = append(out, stampField{kind: "frac", text: l[:1], n: n}), l[1+n:]
		case strings.HasPrefix(l, "Z07:00"):
			out, l = append(out, stampField{kind: "zone", text: "Z"}), l[len("Z07:00"):]
		case strings.HasPrefix(l, "-07:00"):
			out, l = append(out, stampField{kind: "zone", text: "+00:00"}), l[len("-07:00"):]
		case strings.HasPrefix(l, "-0700"):
			out, l = append(out, stampField{kind: "zone", text: "+0000"}), l[len("-0700"):]
		default:
			out, l = append(out, stampField{kind: "lit", text: l[:1]}), l[1:]
		}
	}
	return out
}

// bashChosen is a double-quoted shell word that makes a chosen value with
// GNU date.
func bashChosen(p *param) string {
	var b strings.Builder
	b.WriteString(`"`)
	for _, part := range p.parts {
		if part.Stamp == nil {
			b.WriteString(shellParamWord(part.Lit))
			continue
		}
		var f strings.Builder
		for _, sf := range stampFields(part.Stamp) {
			switch sf.kind {
			case "date":
				f.WriteString("%Y-%m-%d")
			case "hm":
				f.WriteString("%H:%M")
			case "s":
				f.WriteString(":%S")
			case "frac":
				f.WriteString(sf.text + "%" + strconv.Itoa(sf.n) + "N")
			case "epoch":
				f.WriteString("%s")
				if sf.n > 10 {
					f.WriteString("%" + strconv.Itoa(sf.n-10) + "N")
				}
			default:
				f.WriteString(strings.ReplaceAll(sf.text, "%", "%%"))
			}
		}
		b.WriteString("$(date -u +" + shellQuote(f.String()) + ")")
	}
	b.WriteString(`"`)
	return b.String()
}

// goChosen is a Go expression that makes a chosen value.
func goChosen(p *param) string {
	var parts []string
	for _, part := range p.parts {
		if part.Stamp == nil {
			parts = append(parts, strconv.Quote(part.Lit))
			continue
		}
		switch part.Stamp.Digits {
		case 10:
			parts = append(parts, "fmt.Sprint(time.Now().Unix())")
		case 13:
			parts = append(parts, "fmt.Sprint(time.Now().UnixMilli())")
		case 16:
			parts = append(parts, "fmt.Sprint(time.Now().UnixMicro())")
		default:
			// Go writes UTC as Z for Z07:00 and as +00:00 for -07:00,
			// which is what the other formats write too.
			parts = append(parts, fmt.Sprintf("time.Now().UTC().Format(%q)", part.Stamp.Layout))
		}
	}
	if len(parts) == 0 {
		return `""`
	}
	return strings.Join(parts, " + ")
}

// jsChosen is a JavaScript expression that makes a chosen value, from
// Date's ISO form (2026-12-06T03:04:05.678Z).
func jsChosen(p *param) string {
	var parts []string
	for _, part := range p.parts {
		if part.Stamp == nil {
			parts = append(parts, jsString(part.Lit))
			continue
		}
		var f []string
		for _, sf := range stampFields(part.Stamp) {
			switch sf.kind {
			case "date":
				f = append(f, "d.slice(0, 10)")
			case "hm":
				f = append(f, "d.slice(11, 16)")
			case "s":
				f = append(f, "d.slice(16, 19)")
			case "frac":
				f = append(f, fmt.Sprintf("%s + (d.slice(20, 23) + %q).slice(0, %d)", jsString(sf.text), strings.Repeat("0", 6), sf.n))
			case "epoch":
				f = append(f, fmt.Sprintf("String(Math.floor(Date.parse(d) / %d))", map[int]int{10: 1000, 13: 1, 16: 1}[sf.n]))
				if sf.n == 16 {
					f[len(f)-1] += ` + "000"`
				}
			default:
				f = append(f, jsString(sf.text))
			}
		}
		parts = append(parts, "(function (d) { return "+strings.Join(f, " + ")+"; })(new Date().toISOString())")
	}
	if len(parts) == 0 {
		return `""`
	}
	return strings.Join(parts, " + ")
}

// chosenParamOf makes the parameter of a value the flow chose.
func chosenParamOf(v *correlate.Var) *param {
	return &param{name: v.Name, kind: chosenParam, value: v.Value, number: v.Number, parts: v.Parts()}
}

// httpChoose is the pre-request script of a .http call that makes the
// values the flow chose before the call that first sends them.
func httpChoose(c *call, names map[*param]string) string {
	if len(c.chooses) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("< {%\n  // Values the flow chose, made anew on each run with the time now.\n")
	for _, pr := range c.chooses {
		fmt.Fprintf(&b, "  client.global.set(%s, %s);\n", jsString(names[pr]), jsChosen(pr))
	}
	b.WriteString("%}\n")
	return b.String()
}

// postmanChoose is the pre-request event of a Postman item that makes the
// values the flow chose before the call that first sends them.
func postmanChoose(c *call, names map[*param]string) []pmEvent {
	if len(c.chooses) == 0 {
		return nil
	}
	src := []string{"// Values the flow chose, made anew on each run with the time now."}
	for _, pr := range c.chooses {
		src = append(src, fmt.Sprintf("pm.collectionVariables.set(%s, %s);", jsString(names[pr]), jsChosen(pr)))
	}
	return []pmEvent{{Listen: "prerequest", Script: pmScript{Type: "text/javascript", Exec: src}}}
}
