package app

import (
	"fmt"
	"strings"
)

// option describes one command-line option. Names are given without
// dashes; short names may be longer than one letter, as Flume's -prov.
type option struct {
	short, long string
	arg         bool
	help        string
}

// parsed holds the result of parsing a command line.
type parsed struct {
	values   map[string][]string // by long name; flags hold "true"
	sysProps [][2]string         // -Dkey=value, in order
	jvm      []string            // -X..., -agentlib..., accepted and ignored
	rest     []string            // unknown options and arguments (pass-through mode)
}

func (p *parsed) has(long string) bool { return len(p.values[long]) > 0 }

// last returns the last value of an option ("" when absent).
func (p *parsed) last(long string) string {
	v := p.values[long]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// jvmFlag reports whether a token is a JVM option the script hands to java.
func jvmFlag(tok string) bool {
	for _, p := range []string{"-X", "-agentlib", "-agentpath", "-javaagent", "-verbose", "-server", "-client", "-ea", "-da"} {
		if strings.HasPrefix(tok, p) {
			return true
		}
	}
	return false
}

// parseOptions parses args the way Flume's script and Apache Commons CLI do:
// -Dkey=value system properties, JVM flags (ignored), --long, --long=value,
// unambiguous prefixes of long names, single-dash long names (-name,
// -conf-file), and short options with the value separate or attached
// (-n a1, -na1). With passThrough, unknown tokens are collected in rest;
// otherwise they are an error.
func parseOptions(args []string, specs []option, passThrough bool) (*parsed, error) {
	p := &parsed{values: map[string][]string{}}
	for i := 0; i < len(args); i++ {
		tok := args[i]
		if strings.HasPrefix(tok, "-D") && len(tok) > 2 {
			k, v, _ := strings.Cut(tok[2:], "=")
			p.sysProps = append(p.sysProps, [2]string{k, v})
			continue
		}
		if jvmFlag(tok) {
			p.jvm = append(p.jvm, tok)
			continue
		}
		if tok == "--" {
			p.rest = append(p.rest, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(tok, "-") || tok == "-" {
			if passThrough {
				p.rest = append(p.rest, tok)
				continue
			}
			return nil, fmt.Errorf("unexpected argument %q", tok)
		}
		spec, value, hasValue, err := match(tok, specs)
		if err != nil {
			if passThrough {
				p.rest = append(p.rest, tok)
				continue
			}
			return nil, err
		}
		if !spec.arg {
			if hasValue {
				return nil, fmt.Errorf("option %s takes no value", tok)
			}
			p.values[spec.long] = append(p.values[spec.long], "true")
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("option %s needs a value", tok)
			}
			i++
			value = args[i]
		}
		p.values[spec.long] = append(p.values[spec.long], value)
	}
	return p, nil
}

// match finds the option a token names, and a value attached to it.
func match(tok string, specs []option) (option, string, bool, error) {
	if name, ok := strings.CutPrefix(tok, "--"); ok {
		name, value, hasValue := strings.Cut(name, "=")
		var found []option
		for _, s := range specs {
			if s.long == name {
				return s, value, hasValue, nil
			}
			if s.long != "" && strings.HasPrefix(s.long, name) {
				found = append(found, s)
			}
		}
		switch len(found) {
		case 1:
			return found[0], value, hasValue, nil
		case 0:
			return option{}, "", false, fmt.Errorf("unknown option %s", tok)
		default:
			return option{}, "", false, fmt.Errorf("ambiguous option %s", tok)
		}
	}
	name := tok[1:]
	// Exact short or single-dash long name first (Commons CLI: -name is --name).
	for _, s := range specs {
		if s.short == name || s.long == name {
			return s, "", false, nil
		}
	}
	if n, value, ok := strings.Cut(name, "="); ok {
		for _, s := range specs {
			if s.short == n || s.long == n {
				return s, value, true, nil
			}
		}
	}
	// A short option with its value attached: -na1.
	for _, s := range specs {
		if s.short != "" && s.arg && strings.HasPrefix(name, s.short) {
			return s, name[len(s.short):], true, nil
		}
	}
	return option{}, "", false, fmt.Errorf("unknown option %s", tok)
}

// usageLines formats option help.
func usageLines(specs []option) string {
	var b strings.Builder
	for _, s := range specs {
		names := ""
		if s.short != "" {
			names = "-" + s.short
		}
		if s.long != "" {
			if names != "" {
				names += ","
			}
			names += "--" + s.long
		}
		if s.arg {
			names += " <value>"
		}
		fmt.Fprintf(&b, "  %-34s %s\n", names, s.help)
	}
	return b.String()
}
