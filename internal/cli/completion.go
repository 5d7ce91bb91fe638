package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// Shells are the shells --completion writes scripts for.
var Shells = []string{"bash", "zsh", "fish"}

// WriteCompletion writes a completion script for prog in the given shell,
// made from the command's own flag set, so that it offers exactly the
// flags the command parses (hidden ones, old spellings kept for scripts,
// are left out). Words that do not start with - complete as file names.
func WriteCompletion(w io.Writer, prog, shell string, fs *pflag.FlagSet) error {
	type flagInfo struct{ long, short string }
	var flags []flagInfo
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		flags = append(flags, flagInfo{long: "--" + f.Name, short: f.Shorthand})
	})
	sort.Slice(flags, func(i, j int) bool { return flags[i].long < flags[j].long })
	var words []string
	for _, f := range flags {
		words = append(words, f.long)
		if f.short != "" {
			words = append(words, "-"+f.short)
		}
	}
	fn := "_apitrail_" + strings.ReplaceAll(prog, "-", "_")
	switch shell {
	case "bash":
		fmt.Fprintf(w, `# bash completion for %[1]s; load it with: source <(%[1]s --completion bash)
%[2]s() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "%[3]s" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -o filenames -F %[2]s %[1]s
`, prog, fn, strings.Join(words, " "))
	case "zsh":
		fmt.Fprintf(w, `#compdef %[1]s
# zsh completion for %[1]s; load it with: source <(%[1]s --completion zsh)
%[2]s() {
    local -a flags
    flags=(%[3]s)
    if [[ "$PREFIX" == -* ]]; then
        compadd -- ${(M)flags:#${PREFIX}*}
    else
        _files
    fi
}
(( $+functions[compdef] )) && compdef %[2]s %[1]s
`, prog, fn, strings.Join(words, " "))
	case "fish":
		fmt.Fprintf(w, "# fish completion for %[1]s; load it with: %[1]s --completion fish | source\n", prog)
		for _, f := range flags {
			line := fmt.Sprintf("complete -c %s -l %s", prog, strings.TrimPrefix(f.long, "--"))
			if f.short != "" {
				line += " -s " + f.short
			}
			fmt.Fprintln(w, line)
		}
	default:
		return WithHint(fmt.Errorf("--completion %q: no such shell", shell), "give one of %s", strings.Join(Shells, ", "))
	}
	return nil
}

// Meta answers --version and --completion SHELL, which every command takes
// before any of its own work; done says whether one was asked, and code is
// then the exit status.
func Meta(stdout, stderr io.Writer, prog string, fs *pflag.FlagSet, version bool, completion string) (code int, done bool) {
	switch {
	case version:
		fmt.Fprintln(stdout, Version(prog))
	case completion != "":
		if err := WriteCompletion(stdout, prog, completion, fs); err != nil {
			return PrintError(stderr, prog, err), true
		}
	default:
		return 0, false
	}
	return ExitOK, true
}
