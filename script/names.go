package script

import (
	"strconv"
	"strings"
	"unicode"
)

// namer gives each parameter one name in a format's own style, unique and
// clear of the names the format's scaffolding uses.
func namer(params []*param, style func(string) string, reserved ...string) map[*param]string {
	taken := map[string]bool{}
	for _, r := range reserved {
		taken[strings.ToLower(r)] = true
	}
	out := make(map[*param]string, len(params))
	for _, p := range params {
		base := style(p.name)
		n := base
		for k := 2; taken[strings.ToLower(n)]; k++ {
			n = base + "_" + strconv.Itoa(k)
			if !strings.Contains(base, "_") {
				n = base + "Value"
				if k > 2 {
					n += strconv.Itoa(k)
				}
			}
		}
		taken[strings.ToLower(n)] = true
		out[p] = n
	}
	return out
}

// shellStyle turns launchId into LAUNCH_ID.
func shellStyle(name string) string {
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// shellReserved are the script's own variables and the environment's
// usual ones, which a parameter read from the environment must not meet.
var shellReserved = []string{
	"ENDPOINT", "TESTOPS_TOKEN", "JWT_TOKEN", "WORK", "PATH", "HOME", "USER", "SHELL", "PWD", "OLDPWD",
	"LANG", "TERM", "HOSTNAME", "UID", "EUID", "PPID", "RANDOM", "SECONDS", "LINENO", "IFS", "PS1",
	"PS2", "PS4", "TMPDIR", "LOGNAME", "MAIL", "EDITOR", "BASH", "OPTIND", "OPTARG", "REPLY", "GROUPS",
}

// goStyle turns launchId into launchID, as Go spells initialisms.
func goStyle(name string) string {
	rs := []rune(name)
	for i := 1; i+1 < len(rs); i++ {
		if rs[i] == 'I' && rs[i+1] == 'd' && (i+2 == len(rs) || !unicode.IsLower(rs[i+2])) {
			rs[i+1] = 'D'
		}
	}
	return string(rs)
}

// goReserved are Go's keywords and predeclared names, the packages the
// program imports and the names its scaffolding uses.
var goReserved = []string{
	"break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for", "func",
	"go", "goto", "if", "import", "interface", "map", "package", "range", "return", "select", "struct",
	"switch", "type", "var", "any", "bool", "byte", "comparable", "complex64", "complex128", "error",
	"float32", "float64", "int", "int8", "int16", "int32", "int64", "rune", "string", "uint", "uint8",
	"uint16", "uint32", "uint64", "uintptr", "true", "false", "iota", "nil", "append", "cap", "clear",
	"close", "complex", "copy", "delete", "imag", "len", "make", "max", "min", "new", "panic", "print",
	"println", "real", "recover",
	"bytes", "json", "errors", "fmt", "io", "http", "url", "os", "strconv", "strings", "time",
	"c", "err", "resp", "body", "main", "run", "client", "answer", "endpoint", "userToken", "env",
	"need", "pick", "locationSegment", "jsonString", "header", "failure",
}

// jsReserved are the variables every .http file and collection sets.
var jsReserved = []string{"endpoint", "userToken", "jwtToken", "jwtExpires"}

func sameStyle(name string) string { return name }

// goIdent makes a Go function name of words: "launch-controller
// create_32" becomes launchControllerCreate32.
func goIdent(words string) string {
	id := goStyle(identifier(words))
	if id == "" {
		id = "call"
	}
	for _, r := range goReserved {
		if id == r {
			return id + "Call"
		}
	}
	return id
}
