package interceptor

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/javaregex"
)

// SearchReplace is Flume's search_replace interceptor: it replaces every
// match of the Java regex searchPattern in the body with replaceString
// (Java's Matcher.replaceAll syntax: $1 for a group, \$ for a dollar;
// default empty, since Flume cannot set a property to the empty string),
// decoding and re-encoding the body with charset (default UTF-8, any IANA
// name Java accepts such as ISO-8859-1, UTF-16LE, windows-1252).
//
// With UTF-8 the body is rewritten without a decode step, so bytes that are
// not valid UTF-8 pass through unchanged where Java would turn them into
// U+FFFD. As everywhere RE2 is used, an empty match right after another
// match is skipped, where Java reports it (a* replaced in "baaac" gives
// "XbXcX", Java "XbXXcX").
type SearchReplace struct {
	Search  *regexp.Regexp
	Replace string            // Go template syntax (${1}, $$)
	enc     encoding.Encoding // nil for UTF-8
}

// NewSearchReplace builds a search_replace interceptor from its
// properties.
func NewSearchReplace(set flume.Settings, cfg *flume.Context) (flume.Interceptor, error) {
	s := &SearchReplace{}
	if p := cfg.Required("searchPattern"); p != "" {
		re, err := javaregex.Compile(p)
		if err != nil {
			cfg.Errorf("searchPattern", "%v", err)
		}
		s.Search = re
	}
	repl, err := javaregex.TranslateReplacement(cfg.String("replaceString", ""))
	if err != nil {
		cfg.Errorf("replaceString", "%v", err)
	}
	s.Replace = repl
	if s.Search != nil && err == nil {
		// Java rejects a reference to a group the pattern does not have.
		for _, m := range regexp.MustCompile(`\$\{([0-9]+)\}`).FindAllStringSubmatch(repl, -1) {
			if g, _ := strconv.Atoi(m[1]); g > s.Search.NumSubexp() {
				cfg.Errorf("replaceString", "refers to group %d but searchPattern has %d groups", g, s.Search.NumSubexp())
			}
		}
	}
	if name, ok := cfg.Lookup("charset"); ok && !isUTF8(name.Value) {
		enc, err := ianaindex.IANA.Encoding(name.Value)
		switch {
		case err != nil:
			cfg.Errorf("charset", "unknown charset")
		case enc == nil:
			cfg.Errorf("charset", "charset is not supported by flumego")
		default:
			s.enc = enc
		}
	}
	return built(cfg, s)
}

func isUTF8(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	return n == "utf-8" || n == "utf8"
}

// Intercept rewrites the bodies.
func (s *SearchReplace) Intercept(events []flume.Event) ([]flume.Event, error) {
	for i := range events {
		e := &events[i]
		if s.enc == nil {
			if s.Search.Match(e.Body) {
				e.Body = s.Search.ReplaceAll(e.Body, []byte(s.Replace))
			}
			continue
		}
		// Decoders replace malformed input with U+FFFD and the encoder
		// substitutes what the charset cannot represent, as Java does, so
		// neither step fails.
		text, err := s.enc.NewDecoder().Bytes(e.Body)
		if err != nil || !s.Search.Match(text) {
			continue
		}
		out, err := encoding.ReplaceUnsupported(s.enc.NewEncoder()).Bytes(s.Search.ReplaceAll(text, []byte(s.Replace)))
		if err != nil {
			continue
		}
		e.Body = out
	}
	return events, nil
}
