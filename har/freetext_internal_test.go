package har

import "testing"

// TestMayHoldAuth: the look before textAuthRE never skips a text the
// expression would match: ASCII in any case, and anything beyond ASCII
// (whose case folding the expression knows better) goes to it.
func TestMayHoldAuth(t *testing.T) {
	for _, tc := range []struct {
		name, text string
	}{
		{"lower bearer", "bearer abcdefgh12"},
		{"upper BASIC", "Authorization: BASIC dXNlcjpwYXNzd29yZA=="},
		{"mixed case inside a sentence", "sent with BeArEr eyJhbGciOiJIUzI1NiJ9"},
		{"the long s folds to s", "baſic dXNlcjpwYXNzd29yZA=="},
		{"the Kelvin sign, beyond ASCII, goes to the expression", "\u212a bearer abcdefgh12"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if textAuthRE.MatchString(tc.text) && !mayHoldAuth(tc.text) {
				t.Errorf("mayHoldAuth(%q) is false, but the expression matches it", tc.text)
			}
		})
	}
	for _, tc := range []struct {
		name, text string
	}{
		{"a browser's User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
		{"a word that starts like basic", "a basin of bears"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if mayHoldAuth(tc.text) {
				t.Errorf("mayHoldAuth(%q) is true; the expression would run for nothing", tc.text)
			}
		})
	}
}
