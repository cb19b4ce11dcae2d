package conf

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/flumego/flume"
	"github.com/magiconair/properties"
)

// Properties is the merged content of one or more properties files: every
// key with its final value and the place that set it, in the order keys
// first appeared.
type Properties struct {
	list     []flume.Property
	index    map[string]int
	Problems flume.Problems
	// unsubstituted holds the keys whose ${} substitution passed a limit.
	unsubstituted map[string]bool
}

// Get returns the property for a full key.
func (p *Properties) Get(key string) (flume.Property, bool) {
	i, ok := p.index[key]
	if !ok {
		return flume.Property{}, false
	}
	return p.list[i], true
}

// All returns every property in first-appearance order.
func (p *Properties) All() []flume.Property { return p.list }

func (p *Properties) set(prop flume.Property) {
	if p.index == nil {
		p.index = map[string]int{}
	}
	if i, ok := p.index[prop.Key]; ok {
		old := p.list[i]
		// Layering files (-f base -f overrides) is how Flume users override
		// keys, so only a key repeated within one file is worth a warning.
		if old.Value != prop.Value && old.File == prop.File {
			p.Problems = append(p.Problems, flume.Problem{
				Severity: flume.Warning, File: prop.File, Line: prop.Line, Key: prop.Key,
				Value: prop.Value, HasValue: true,
				Message: fmt.Sprintf("overrides the value %q set at %s (the last one wins, as in Java)", old.Value, old.Location()),
			})
		}
		p.list[i] = prop
		return
	}
	p.index[prop.Key] = len(p.list)
	p.list = append(p.list, prop)
}

// Text is one configuration source: its name (a path or URI, used in
// locations) and its content.
type Text struct {
	Name string
	Data []byte
}

// LoadFiles reads properties files in order into one set; a key in a later
// file overrides the same key from an earlier one, as Flume does with
// repeated -f options. Values are then substituted (${...}).
func LoadFiles(paths ...string) (*Properties, error) {
	texts := make([]Text, 0, len(paths))
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read configuration: %w", err)
		}
		texts = append(texts, Text{Name: path, Data: data})
	}
	return ParseAll(texts...)
}

// ParseAll parses configuration texts in order into one set, later texts
// overriding earlier ones, and substitutes values.
func ParseAll(texts ...Text) (*Properties, error) {
	p := &Properties{}
	for _, t := range texts {
		if err := p.parse(t.Name, t.Data); err != nil {
			return nil, err
		}
	}
	p.substitute()
	return p, nil
}

// Parse reads one properties text; name is used in locations.
func Parse(name string, data []byte) (*Properties, error) {
	return ParseAll(Text{Name: name, Data: data})
}

// FromMap returns properties a program built, such as the map Flume's
// EmbeddedAgent.configure takes, under Flume's rules: keys and values
// trimmed, empty values ignored (with a warning). Keys are in sorted order;
// they have no location, and their values are taken literally (no ${}
// substitution).
func FromMap(m map[string]string) *Properties {
	p := &Properties{}
	props := make([]flume.Property, 0, len(m))
	for k, v := range m {
		props = append(props, flume.Property{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
	}
	slices.SortFunc(props, func(a, b flume.Property) int { return strings.Compare(a.Key, b.Key) })
	for _, prop := range props {
		if prop.Value == "" {
			p.Problems = append(p.Problems, flume.Problem{Severity: flume.Warning, Key: prop.Key,
				Message: "empty value; the property is ignored, as Flume ignores it"})
			continue
		}
		p.set(prop)
	}
	return p
}

// String returns the properties in properties-file syntax, one per line
// (used for the -b backup of the last good configuration).
func (p *Properties) String() string {
	var b strings.Builder
	for _, prop := range p.list {
		b.WriteString(escapeKey(prop.Key))
		b.WriteString(" = ")
		b.WriteString(escapeValue(prop.Value))
		b.WriteByte('\n')
	}
	return b.String()
}

func escapeKey(s string) string {
	return strings.NewReplacer(`\`, `\\`, " ", `\ `, "=", `\=`, ":", `\:`, "#", `\#`, "!", `\!`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s)
}

func escapeValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s)
}

// decode returns the text of data: UTF-8 when valid, ISO-8859-1 otherwise.
func decode(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return string(data)
	}
	r := make([]rune, len(data))
	for i, b := range data {
		r[i] = rune(b)
	}
	return string(r)
}

// logicalLine is one key/value entry of a properties file: its raw text,
// continuation lines included, and the number of its first natural line.
type logicalLine struct {
	text string
	line int
}

// splitLogical cuts text into logical lines following
// java.util.Properties: comment and blank lines are skipped; a line ending in
// an odd number of backslashes continues on the next one.
func splitLogical(text string) []logicalLine {
	var out []logicalLine
	lineNo := 0
	i := 0
	nextNatural := func() (string, bool) {
		if i >= len(text) {
			return "", false
		}
		j := i
		for j < len(text) && text[j] != '\n' && text[j] != '\r' {
			j++
		}
		s := text[i:j]
		if j < len(text) && text[j] == '\r' && j+1 < len(text) && text[j+1] == '\n' {
			j++
		}
		i = j + 1
		lineNo++
		return s, true
	}
	for {
		s, ok := nextNatural()
		if !ok {
			return out
		}
		trimmed := strings.TrimLeft(s, " \t\f")
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == '!' {
			continue
		}
		start := lineNo
		var b strings.Builder
		b.WriteString(s)
		for continues(s) {
			next, ok := nextNatural()
			if !ok {
				// Java drops a lone backslash at the end of the file.
				t := b.String()
				b.Reset()
				b.WriteString(t[:len(t)-1])
				break
			}
			b.WriteString("\n")
			b.WriteString(next)
			s = next
		}
		out = append(out, logicalLine{text: b.String(), line: start})
	}
}

// continues reports whether a natural line ends in an odd number of
// backslashes.
func continues(s string) bool {
	n := 0
	for k := len(s) - 1; k >= 0 && s[k] == '\\'; k-- {
		n++
	}
	return n%2 == 1
}

func (p *Properties) parse(name string, data []byte) error {
	loader := &properties.Loader{Encoding: properties.UTF8, DisableExpansion: true}
	for _, ll := range splitLogical(decode(data)) {
		parsed, err := loader.LoadBytes([]byte(ll.text))
		if err != nil {
			msg := err.Error()
			if _, rest, ok := strings.Cut(msg, ": Line "); ok {
				if _, m, ok := strings.Cut(rest, ": "); ok {
					msg = m
				}
			}
			return flume.Problem{Severity: flume.Error, File: name, Line: ll.line,
				Message: fmt.Sprintf("malformed properties line: %s", strings.TrimPrefix(msg, "properties: "))}
		}
		for _, k := range parsed.Keys() {
			v, _ := parsed.Get(k)
			prop := flume.Property{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v), File: name, Line: ll.line}
			if prop.Value == "" {
				p.Problems = append(p.Problems, flume.Problem{Severity: flume.Warning, File: name, Line: ll.line, Key: prop.Key,
					Message: "empty value; the property is ignored, as Flume ignores it"})
				continue
			}
			p.set(prop)
		}
	}
	return nil
}
