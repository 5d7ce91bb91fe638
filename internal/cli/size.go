package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Size is a byte count flag given as 4MiB, 512KB, 1.5GB or a plain number,
// as capture's and replay's --max-body. KB, MB and GB are read as powers of
// 1024 too, as people usually mean.
type Size int64

var sizeUnits = []struct {
	suffix string
	mult   float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30},
	{"b", 1},
}

func parseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || t == "" || strings.ContainsAny(t, "eEpPxX_") || math.IsNaN(n) {
		return 0, fmt.Errorf("%q is not a size; write a number with an optional unit: 4MiB, 512KB, 1GB", s)
	}
	v := n * mult
	if v < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	if v > 1<<40 {
		return 0, fmt.Errorf("%q is more than 1TiB", s)
	}
	return int64(v), nil
}

func (f *Size) Set(s string) error {
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	*f = Size(n)
	return nil
}

func (f *Size) String() string { return formatSize(int64(*f)) }

func (f *Size) Type() string { return "size" }

func formatSize(n int64) string {
	for _, u := range []struct {
		name string
		mult int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.mult && n%u.mult == 0 {
			return fmt.Sprintf("%d%s", n/u.mult, u.name)
		}
	}
	return fmt.Sprint(n)
}

// MaxBody is a --max-body value in the libraries' terms, where 0 means
// their default and a negative value keeps no body: --max-body 0 asks to
// keep none.
func (f Size) MaxBody() int64 {
	if f == 0 {
		return -1
	}
	return int64(f)
}
