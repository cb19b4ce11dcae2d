package javaregex

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// Engine names the engine that runs a compiled pattern.
type Engine string

const (
	// RE2 is Go's regexp package: linear time in the input, no match
	// limit needed. Every pattern it can run runs on it.
	RE2 Engine = "RE2"
	// Backtracking is github.com/dlclark/regexp2, for the patterns RE2
	// cannot run (lookaround, backreferences, atomic groups, possessive
	// quantifiers, \Z, \G). Each match is bounded by a timeout.
	Backtracking Engine = "backtracking"
)

// DefaultTimeout bounds one match by the backtracking engine when
// Options.Timeout is zero. The engine checks its clock about every 100 ms,
// so a match gives up between the timeout and 100 ms later.
const DefaultTimeout = 250 * time.Millisecond

// ErrMatchLimit is matched (errors.Is) by the error of a match the
// backtracking engine gave up: it ran longer than its timeout or needed
// more than its backtracking stack. The error says which pattern; it never
// quotes the input.
var ErrMatchLimit = errors.New("match limit exceeded")

// Options are the ways a pattern can be compiled besides its own inline
// flags.
type Options struct {
	// CaseInsensitive is Java's Pattern.CASE_INSENSITIVE, as a leading (?i).
	CaseInsensitive bool
	// DotAll is Java's Pattern.DOTALL, as a leading (?s).
	DotAll bool
	// Whole makes the pattern match only the whole input, as Java's
	// Matcher.matches() (instead of find(), a match anywhere).
	Whole bool
	// Timeout bounds one match by the backtracking engine; zero means
	// DefaultTimeout. RE2 needs no bound.
	Timeout time.Duration
}

// Regexp is a compiled Java regular expression. RE2 runs it when it can;
// otherwise the backtracking engine does, each match bounded by a timeout,
// so its methods return an error (matching ErrMatchLimit) where RE2's
// cannot fail. A Regexp is safe for concurrent use.
type Regexp struct {
	pattern string // the Java pattern as written
	re2     *regexp.Regexp
	bt      *regexp2.Regexp
	reason  string // the construct that needs the backtracking engine
	nsub    int
	timeout time.Duration
}

// Compile translates a Java pattern and compiles it.
func Compile(pattern string) (*Regexp, error) {
	return CompileOptions(pattern, Options{})
}

// CompileOptions translates a Java pattern and compiles it with options.
// The error names the pattern and the construct that cannot be run.
func CompileOptions(pattern string, o Options) (*Regexp, error) {
	r := &Regexp{pattern: pattern}
	t, err := translate(pattern, targetRE2)
	var bo *backtrackOnly
	switch {
	case err == nil:
		r.re2, err = regexp.Compile(o.wrap(t))
		if err != nil {
			return nil, fmt.Errorf("java regex %q: %w", pattern, err)
		}
		r.nsub = r.re2.NumSubexp()
		return r, nil
	case !errors.As(err, &bo):
		return nil, fmt.Errorf("java regex %q: %w", pattern, err)
	}
	r.reason = bo.construct
	if t, err = translate(pattern, targetBacktrack); err != nil {
		return nil, fmt.Errorf("java regex %q: %w", pattern, err)
	}
	// RE2 mode keeps \d \s \w ASCII (as Java's defaults) and $ at the very
	// end (as the RE2 path); capture order keeps Java's group numbers when
	// named and unnamed groups mix.
	r.bt, err = regexp2.Compile(o.wrap(t), regexp2.RE2, regexp2.OptionMaintainCaptureOrder())
	if err != nil {
		return nil, fmt.Errorf("java regex %q: %w", pattern, err)
	}
	r.timeout = o.Timeout
	if r.timeout <= 0 {
		r.timeout = DefaultTimeout
	}
	r.bt.MatchTimeout = r.timeout
	r.nsub = len(r.bt.GetGroupNumbers()) - 1
	return r, nil
}

// wrap applies the options to a translated pattern.
func (o Options) wrap(t string) string {
	if o.Whole {
		t = `\A(?:` + t + `)\z`
	}
	flags := ""
	if o.CaseInsensitive {
		flags += "i"
	}
	if o.DotAll {
		flags += "s"
	}
	if flags != "" {
		t = "(?" + flags + ")" + t
	}
	return t
}

// MustCompile is Compile for patterns known to be valid; it panics
// otherwise.
func MustCompile(pattern string) *Regexp {
	r, err := Compile(pattern)
	if err != nil {
		panic(err)
	}
	return r
}

// String returns the Java pattern as written.
func (r *Regexp) String() string { return r.pattern }

// Engine tells which engine runs the pattern.
func (r *Regexp) Engine() Engine {
	if r.bt != nil {
		return Backtracking
	}
	return RE2
}

// Reason names the construct that needs the backtracking engine ("" when
// RE2 runs the pattern), e.g. "lookahead (?=...)".
func (r *Regexp) Reason() string { return r.reason }

// Timeout is the bound of one match by the backtracking engine (zero for
// RE2).
func (r *Regexp) Timeout() time.Duration { return r.timeout }

// Describe says which engine runs the pattern and why, for logs.
func (r *Regexp) Describe() string {
	if r.bt == nil {
		return "RE2"
	}
	return fmt.Sprintf("backtracking (for %s; each match bounded to %v)", r.reason, r.timeout)
}

// NumSubexp returns the number of capturing groups.
func (r *Regexp) NumSubexp() int { return r.nsub }

// SubexpIndex returns the number of the group with the given name, or -1.
func (r *Regexp) SubexpIndex(name string) int {
	if name == "" || (name[0] >= '0' && name[0] <= '9') {
		return -1 // Java group names start with a letter
	}
	if r.bt != nil {
		if n := r.bt.GroupNumberFromName(name); n > 0 && r.bt.GroupNameFromNumber(n) == name {
			return n
		}
		return -1
	}
	return r.re2.SubexpIndex(name)
}

// limit turns a backtracking engine failure into an error that names the
// pattern but not the input (the engine's own message quotes the input).
func (r *Regexp) limit(err error) error {
	if errors.Is(err, regexp2.ErrBacktrackingStackLimit) {
		return fmt.Errorf("java regex %q needs more backtracking on this input than allowed (backtracking engine, for %s): %w",
			r.pattern, r.reason, ErrMatchLimit)
	}
	return fmt.Errorf("java regex %q ran longer than %v on this input (backtracking engine, for %s): %w",
		r.pattern, r.timeout, r.reason, ErrMatchLimit)
}

// MatchString reports whether s contains a match (Java's find()).
func (r *Regexp) MatchString(s string) (bool, error) {
	if r.bt == nil {
		return r.re2.MatchString(s), nil
	}
	ok, err := r.bt.MatchString(s)
	if err != nil {
		return false, r.limit(err)
	}
	return ok, nil
}

// Match reports whether b contains a match (Java's find()).
func (r *Regexp) Match(b []byte) (bool, error) {
	if r.bt == nil {
		return r.re2.Match(b), nil
	}
	return r.MatchString(string(b))
}

// FindStringSubmatchIndex returns the byte offsets of the leftmost match
// and its groups (-1 for a group that did not take part), or nil.
func (r *Regexp) FindStringSubmatchIndex(s string) ([]int, error) {
	if r.bt == nil {
		return r.re2.FindStringSubmatchIndex(s), nil
	}
	m, err := r.bt.FindStringMatch(s)
	if err != nil {
		return nil, r.limit(err)
	}
	if m == nil {
		return nil, nil
	}
	return r.indexes(m), nil
}

// FindSubmatchIndex is FindStringSubmatchIndex for a byte slice.
func (r *Regexp) FindSubmatchIndex(b []byte) ([]int, error) {
	if r.bt == nil {
		return r.re2.FindSubmatchIndex(b), nil
	}
	return r.FindStringSubmatchIndex(string(b))
}

// indexes returns the byte offsets of a backtracking match's groups.
func (r *Regexp) indexes(m *regexp2.Match) []int {
	out := make([]int, 2*(r.nsub+1))
	for g := 0; g <= r.nsub; g++ {
		out[2*g], out[2*g+1] = -1, -1
		grp := m.GroupByNumber(g)
		if grp == nil || len(grp.Captures) == 0 {
			continue
		}
		start, n := grp.ByteRange()
		out[2*g], out[2*g+1] = start, start+n
	}
	return out
}

// FindAllStringIndex returns the byte offsets of the successive matches in
// s, at most n of them (all when n < 0).
func (r *Regexp) FindAllStringIndex(s string, n int) ([][]int, error) {
	if r.bt == nil {
		return r.re2.FindAllStringIndex(s, n), nil
	}
	locs, err := r.bt.FindAllStringIndex(s, n)
	if err != nil {
		return nil, r.limit(err)
	}
	return locs, nil
}

// Split splits s around matches of re as Java's String.split(regex) does
// with limit 0: a zero-width match at the start produces no leading empty
// string, and trailing empty strings are removed.
func Split(re *Regexp, s string) ([]string, error) {
	if s == "" {
		return []string{""}, nil
	}
	locs, err := re.FindAllStringIndex(s, -1)
	if err != nil {
		return nil, err
	}
	var out []string
	last := 0
	for _, m := range locs {
		if m[1] == 0 { // zero-width match at the beginning
			continue
		}
		out = append(out, s[last:m[0]])
		last = m[1]
	}
	out = append(out, s[last:])
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		return []string{}, nil
	}
	return out, nil
}

// StopTimeoutClock stops the goroutine that keeps the backtracking engine's
// match timeouts, which otherwise runs on until the bound of the last match
// has passed. Tests that check for leaked goroutines call it when no match
// is running; a later match starts the clock again.
func StopTimeoutClock() { regexp2.StopTimeoutClock() }

// RE2 returns the compiled Go regexp that runs r when its engine is RE2
// (its String() is the translated pattern, which Go code such as a Kafka
// client's topic subscription can compile again), or nil when r needs the
// backtracking engine.
func (r *Regexp) RE2() *regexp.Regexp { return r.re2 }
