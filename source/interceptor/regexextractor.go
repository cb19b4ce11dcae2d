package interceptor

import (
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/javaregex"
	"github.com/flumego/flume/internal/ratelog"
)

// Serializer class names a regex_extractor serializer's type may name.
const (
	passThroughSerializer = "org.apache.flume.interceptor.RegexExtractorInterceptorPassThroughSerializer"
	millisSerializer      = "org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer"
)

// RegexExtractor is Flume's regex_extractor interceptor. It finds the first
// match of the Java regex regex in the body (read as UTF-8) and stores
// capture group i in the header named by the i-th serializer of the
// space-separated serializers list (serializers.<id>.name). Groups beyond
// the serializer list are ignored; a body without a match is left alone.
//
// A serializer's type is DEFAULT (the default: the group's text as is), or
// org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer,
// which reads the text with the Joda-Time pattern serializers.<id>.pattern
// and stores epoch milliseconds (see translateJoda for the patterns
// supported).
//
// Differences from Flume, on purpose: a group that did not take part in
// the match sets no header (Flume stores a null value); a millis value that
// does not parse sets no header and is counted in ParseFailures, logged at
// most once a minute (Flume throws, failing the whole batch again on every
// retry); the guide's lower-case type "default" is accepted with a warning
// (Java Flume takes it for a class name and fails).
//
// A pattern RE2 cannot run (lookaround, backreferences) runs on a
// backtracking engine with a time bound per event; an event the regex gives
// up on gets no header, as an event without a match, and is counted and
// reported in a warning at most once a minute.
type RegexExtractor struct {
	Regex       *javaregex.Regexp
	serializers []extractSerializer
	regexFails  *matchFailures

	// ParseFailures counts values a millis serializer could not parse.
	ParseFailures atomic.Int64
	log           *slog.Logger
	failures      ratelog.Limiter // one parse-failure warning a minute
	now           func() time.Time
	loc           *time.Location
}

type extractSerializer struct {
	header string
	millis *jodaLayout // nil: pass-through
}

// NewRegexExtractor builds a regex_extractor interceptor from its
// properties.
func NewRegexExtractor(set flume.Settings, cfg *flume.Context) (flume.Interceptor, error) {
	x := &RegexExtractor{log: set.Log(), now: time.Now, loc: time.Local, failures: ratelog.Limiter{Interval: time.Minute},
		regexFails: newMatchFailures(set)}
	if p := cfg.Required("regex"); p != "" {
		x.Regex = compileRegex(set, cfg, "regex", p, javaregex.Options{})
	}
	ids := cfg.Fields("serializers")
	if len(ids) == 0 && cfg.Err() == nil {
		cfg.Errorf("serializers", "required property is missing (one serializer id per capture group)")
	}
	for _, id := range ids {
		scfg := cfg.Sub("serializers." + id + ".")
		s := extractSerializer{header: scfg.Required("name")}
		typ := scfg.String("type", "DEFAULT")
		switch {
		case typ == "DEFAULT" || typ == passThroughSerializer:
			if scfg.Has("pattern") {
				scfg.Warnf("pattern", "ignored: only the millis serializer reads a pattern")
			}
		case strings.EqualFold(typ, "default"):
			scfg.Warnf("type", "write DEFAULT in upper case: Java Flume takes %q for a class name and fails to start the source", typ)
		case typ == millisSerializer:
			if pat := scfg.Required("pattern"); pat != "" {
				j, err := translateJoda(pat)
				if err != nil {
					scfg.Errorf("pattern", "%v", err)
				}
				s.millis = &j
			}
		default:
			scfg.Unsupportedf("type", "custom serializer classes cannot be loaded (use DEFAULT or %s)", millisSerializer)
		}
		x.serializers = append(x.serializers, s)
	}
	if x.Regex != nil && len(ids) > x.Regex.NumSubexp() {
		cfg.Warnf("serializers", "%d serializers for %d capture groups: the extra ones are never used", len(ids), x.Regex.NumSubexp())
	}
	return built(cfg, x)
}

// MatchFailures returns the number of events the regex gave up on.
func (x *RegexExtractor) MatchFailures() int64 { return x.regexFails.count.Load() }

// Intercept extracts the headers.
func (x *RegexExtractor) Intercept(events []flume.Event) ([]flume.Event, error) {
	room := 0
	for _, s := range x.serializers {
		room += headerSize(s.header, "2024-01-02 03:04") // a value of a typical length
	}
	flume.ReserveHeaders(events, room)
	for i := range events {
		e := &events[i]
		m, err := x.Regex.FindSubmatchIndex(e.Body)
		if err != nil {
			x.regexFails.report("regex_extractor", err, "no header is extracted from it")
			continue
		}
		if m == nil {
			continue
		}
		for g := 1; g < len(m)/2 && g <= len(x.serializers); g++ {
			if m[2*g] < 0 {
				continue // the group did not take part in the match
			}
			s := x.serializers[g-1]
			v := string(e.Body[m[2*g]:m[2*g+1]])
			if s.millis != nil {
				t, err := s.millis.parse(v, x.loc, x.now())
				if err != nil {
					x.parseFailed(s.header, err)
					continue
				}
				v = strconv.FormatInt(t.UnixMilli(), 10)
			}
			e.SetHeader(s.header, v)
		}
	}
	return events, nil
}

func (x *RegexExtractor) parseFailed(header string, err error) {
	n := x.ParseFailures.Add(1)
	x.failures.Warn(x.log, "regex_extractor: value is not a date; the header is left unset", "header", header, "error", err, "failures", n)
}
