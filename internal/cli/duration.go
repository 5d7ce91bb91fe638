package cli

import (
	"errors"
	"time"

	"github.com/spf13/pflag"
)

// positiveDuration is a duration flag that refuses zero and negative
// values: a time limit of 0s would either end every call at once or, read
// as "no limit", let a silent server hang the run, and neither is what
// anyone who typed it meant.
type positiveDuration struct{ d *time.Duration }

func (p positiveDuration) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration; write it like 30s, 2m or 1m30s")
	}
	if d <= 0 {
		return errors.New("must be positive, like 30s")
	}
	*p.d = d
	return nil
}

func (p positiveDuration) String() string { return p.d.String() }

func (p positiveDuration) Type() string { return "duration" }

// PositiveDurationVar adds a time limit flag to fs that must be positive;
// every command's --timeout is one.
func PositiveDurationVar(fs *pflag.FlagSet, p *time.Duration, name string, value time.Duration) {
	*p = value
	fs.Var(positiveDuration{p}, name, "")
}
