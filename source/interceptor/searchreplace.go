package interceptor

import (
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
//
// A pattern RE2 cannot run (lookaround, backreferences) runs on a
// backtracking engine (which replaces empty matches as Java does) with a
// time bound per event; an event the regex gives up on keeps its body, and
// is counted and reported in a warning at most once a minute.
type SearchReplace struct {
	Search   *javaregex.Regexp
	Replace  *javaregex.Replacement
	enc      encoding.Encoding // nil for UTF-8
	failures *matchFailures
}

// NewSearchReplace builds a search_replace interceptor from its
// properties.
func NewSearchReplace(set flume.Settings, cfg *flume.Context) (flume.Interceptor, error) {
	s := &SearchReplace{failures: newMatchFailures(set)}
	if p := cfg.Required("searchPattern"); p != "" {
		s.Search = compileRegex(set, cfg, "searchPattern", p, javaregex.Options{})
	}
	repl := cfg.String("replaceString", "")
	if s.Search != nil {
		// Java rejects a reference to a group the pattern does not have
		// (for every event; flumego when it starts).
		r, err := s.Search.Replacement(repl)
		if err != nil {
			cfg.Errorf("replaceString", "%v", err)
		}
		s.Replace = r
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

// MatchFailures returns the number of events the regex gave up on.
func (s *SearchReplace) MatchFailures() int64 { return s.failures.count.Load() }

// Intercept rewrites the bodies.
func (s *SearchReplace) Intercept(events []flume.Event) ([]flume.Event, error) {
	for i := range events {
		e := &events[i]
		text := e.Body
		if s.enc != nil {
			// Decoders replace malformed input with U+FFFD and the encoder
			// substitutes what the charset cannot represent, as Java does,
			// so neither step fails.
			var err error
			if text, err = s.enc.NewDecoder().Bytes(e.Body); err != nil {
				continue
			}
		}
		if m, err := s.Search.Match(text); err != nil || !m {
			if err != nil {
				s.failures.report("search_replace", err, "its body is left unchanged")
			}
			continue
		}
		out, err := s.Search.ReplaceAll(text, s.Replace)
		if err != nil {
			s.failures.report("search_replace", err, "its body is left unchanged")
			continue
		}
		if s.enc != nil {
			if out, err = encoding.ReplaceUnsupported(s.enc.NewEncoder()).Bytes(out); err != nil {
				continue
			}
		}
		e.Body = out
	}
	return events, nil
}
