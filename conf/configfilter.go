package conf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"

	"github.com/flumego/flume"
)

// Config filter types, as Flume's ConfigFilterType: a short name (any
// case) or the class name.
const (
	envFilterClass      = "org.apache.flume.configfilter.EnvironmentVariableConfigFilter"
	externalFilterClass = "org.apache.flume.configfilter.ExternalProcessConfigFilter"
	hadoopFilterClass   = "org.apache.flume.configfilter.HadoopCredentialStoreConfigFilter"
)

// externalFilterTimeout bounds one run of an external config filter's
// command (Flume waits for ever).
var externalFilterTimeout = 10 * time.Second

// externalOutputLimit bounds what is kept of a command's stdout and stderr.
const externalOutputLimit = 64 << 10

// configFilter is one of the agent's <agent>.configfilters: it resolves a
// reference ${name['key']} in a component's value, as Flume's
// ConfigFilter.filter.
type configFilter struct {
	name    string
	resolve func(key string) (value string, found bool, err error)
	// describe says what was looked up, for problems ("environment
	// variable \"X\"").
	describe func(key string) string
	cache    map[string]filterResult
}

type filterResult struct {
	value string
	found bool
}

// applyConfigFilters builds the agent's config filters and resolves their
// references in the values of every source, channel, sink and sink group,
// as Flume does before validating the agent (after ${} substitution; the
// filters' own properties and the agent's lists are left alone). A
// reference is ${name['key']}, ${name["key"]} or ${name[key]}, the key made
// of [-_a-zA-Z0-9]; one that cannot be resolved stays as written, as in
// Flume, with a located warning (no value) or error (the filter failed).
// Filters apply in the order they are listed, each looked-up key once per
// load.
func (b *builder) applyConfigFilters() {
	if _, ok := b.lists["configfilters"]; !ok {
		for _, name := range b.order["configfilters"] {
			c := b.comps["configfilters"][name]
			b.problem(flume.Warning, c.Anchor, false, "config filter %q is configured but %sconfigfilters does not list it; its references stay as written", name, b.prefix)
		}
		return
	}
	var filters []*configFilter
	for _, name := range b.listed("configfilters") {
		c := b.component("configfilters", name, true)
		if c == nil {
			continue
		}
		if f := b.buildConfigFilter(c); f != nil {
			filters = append(filters, f)
		}
	}
	for _, section := range []string{"sources", "channels", "sinks", "sinkgroups"} {
		for _, compName := range b.order[section] {
			c := b.comps[section][compName]
			for i := range c.Props {
				p := &c.Props[i]
				for _, f := range filters {
					p.Value = b.filterValue(f, *p)
				}
				b.unknownFilterReferences(*p)
				if p.Key == c.Prefix+"type" {
					c.Type = p.Value
				}
				if p.Key == c.Anchor.Key {
					c.Anchor = *p
				}
			}
		}
	}
}

// unknownFilterReferences warns about references to config filters the
// agent does not configure (a typo in a filter name stays as written
// silently in Flume).
func (b *builder) unknownFilterReferences(p flume.Property) {
	for rest := p.Value; ; {
		_, end, name, _, ok := findFilterReference(rest, "")
		if !ok {
			return
		}
		if b.comps["configfilters"][name] == nil {
			b.problem(flume.Warning, p, true, "refers to config filter %q, which agent %q does not configure (%sconfigfilters); the reference stays as written",
				name, b.agent.Name, b.prefix)
		}
		rest = rest[end:]
	}
}

// buildConfigFilter builds one filter from its properties, recording why it
// cannot be built.
func (b *builder) buildConfigFilter(c *Component) *configFilter {
	ctx := c.Context()
	typ := ctx.String("type", "")
	f := &configFilter{name: c.Name, cache: map[string]filterResult{}}
	switch {
	case strings.EqualFold(typ, "env") || typ == envFilterClass:
		f.resolve = func(key string) (string, bool, error) {
			v, ok := os.LookupEnv(key)
			return v, ok, nil
		}
		f.describe = func(key string) string { return fmt.Sprintf("environment variable %q", key) }
	case strings.EqualFold(typ, "external") || typ == externalFilterClass:
		command := strings.Fields(ctx.Required("command"))
		var dec *encoding.Decoder
		if cs := ctx.String("charset", "UTF-8"); !strings.EqualFold(cs, "UTF-8") && !strings.EqualFold(cs, "UTF8") {
			enc, err := ianaindex.IANA.Encoding(cs)
			switch {
			case err != nil:
				ctx.Errorf("charset", "unknown charset")
			case enc == nil:
				ctx.Unsupportedf("charset", "charset %s is not supported", cs)
			default:
				dec = enc.NewDecoder()
			}
		}
		f.resolve = func(key string) (string, bool, error) { return runExternalFilter(command, key, dec) }
		f.describe = func(key string) string {
			return fmt.Sprintf("command %q", strings.Join(append(append([]string(nil), command...), key), " "))
		}
	case strings.EqualFold(typ, "hadoop") || typ == hadoopFilterClass:
		ctx.MarkPrefixUsed("")
		ctx.Unsupportedf("type", "the Hadoop credential store config filter (a Java keystore read through Hadoop's CredentialProvider) is not supported; use the env or external filter")
	default:
		ctx.Errorf("type", "unknown config filter type (expected env, external or hadoop, or their class names in org.apache.flume.configfilter)")
	}
	b.agent.Problems = append(b.agent.Problems, ctx.Problems()...)
	if ctx.Err() != nil {
		b.problem(flume.Error, c.Anchor, false, "config filter %q is dropped; references to it stay as written", c.Name)
		return nil
	}
	for _, p := range ctx.Unused() {
		b.problem(flume.Warning, p, false, "unknown property for this config filter type; it is ignored")
	}
	return f
}

// filterValue resolves f's references in p's value.
func (b *builder) filterValue(f *configFilter, p flume.Property) string {
	v := p.Value
	var out strings.Builder
	for {
		start, end, _, key, ok := findFilterReference(v, f.name)
		if !ok {
			if out.Len() == 0 {
				return v
			}
			out.WriteString(v)
			return out.String()
		}
		out.WriteString(v[:start])
		res, seen := f.cache[key]
		if !seen {
			val, found, err := f.resolve(key)
			res = filterResult{val, found && err == nil}
			f.cache[key] = res
			switch {
			case err != nil:
				b.problem(flume.Error, p, true, "config filter %q: %s: %v; the reference stays as written", f.name, f.describe(key), err)
			case !found:
				b.problem(flume.Warning, p, true, "config filter %q: %s has no value; the reference stays as written", f.name, f.describe(key))
			}
		}
		if res.found {
			out.WriteString(res.value)
		} else {
			out.WriteString(v[start:end])
		}
		v = v[end:]
	}
}

// findFilterReference finds the first reference ${name['key']},
// ${name["key"]} or ${name[key]} in v to the filter called name, or to any
// filter when name is "", and returns its bounds, the filter's name and the
// key.
func findFilterReference(v, name string) (start, end int, filter, key string, ok bool) {
	for from := 0; ; from = start + 1 {
		i := strings.Index(v[from:], "${")
		if i < 0 {
			return 0, 0, "", "", false
		}
		start = from + i
		rest := v[start+2:]
		br := strings.IndexByte(rest, '[')
		if br <= 0 || (name != "" && rest[:br] != name) || strings.ContainsAny(rest[:br], "${}. \t") {
			continue
		}
		filter, rest = rest[:br], rest[br+1:]
		quote := ""
		if rest != "" && (rest[0] == '\'' || rest[0] == '"') {
			quote = rest[:1]
		}
		k := len(quote)
		for k < len(rest) && isFilterKeyChar(rest[k]) {
			k++
		}
		if k > len(quote) && strings.HasPrefix(rest[k:], quote+"]}") {
			return start, start + 2 + br + 1 + k + len(quote) + 2, filter, rest[len(quote):k], true
		}
	}
}

func isFilterKeyChar(c byte) bool {
	return c == '-' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// runExternalFilter runs command with key as its last argument, as Flume's
// ExternalProcessConfigFilter, and returns the first line of its output.
// A non-zero exit, a failure to start or a run longer than
// externalFilterTimeout is an error; no output is no value.
func runExternalFilter(command []string, key string, dec *encoding.Decoder) (string, bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), externalFilterTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, command[0], append(command[1:len(command):len(command)], key)...)
	stdout := &limitedBuffer{limit: externalOutputLimit}
	stderr := &limitedBuffer{limit: 4 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = time.Second // a child that keeps the pipes open does not hold us
	err := cmd.Run()
	switch {
	case ctx.Err() != nil:
		return "", false, fmt.Errorf("no answer within %v", externalFilterTimeout)
	case err != nil:
		var exit *exec.ExitError
		if msg := strings.TrimSpace(stderr.String()); errors.As(err, &exit) && msg != "" {
			first, _, _ := strings.Cut(msg, "\n")
			return "", false, fmt.Errorf("%v (stderr: %s)", err, first)
		}
		return "", false, err
	}
	out := stdout.Bytes()
	if dec != nil {
		if out, err = dec.Bytes(out); err != nil {
			return "", false, fmt.Errorf("decode the output: %w", err)
		}
	}
	if len(out) == 0 {
		return "", false, nil
	}
	// Java's Scanner.nextLine: the text up to the first line terminator.
	line := string(out)
	if i := strings.IndexAny(line, "\n\r\u0085\u2028\u2029"); i >= 0 {
		line = line[:i]
	}
	return line, true, nil
}

// limitedBuffer keeps the first limit bytes written to it and discards the
// rest, so a runaway command cannot exhaust memory.
type limitedBuffer struct {
	bytes.Buffer
	limit int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.limit - l.Len(); room > 0 {
		l.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
