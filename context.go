package flume

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Property is one configuration entry as written in a properties file.
type Property struct {
	// Key is the full key, e.g. "a1.sources.r1.port".
	Key string
	// Value is the value after Java unescaping and trimming.
	Value string
	// File and Line locate the logical line that set the key. Line is
	// 1-based; both are zero for properties built in code.
	File string
	Line int
}

// Location returns "file:line", "file" or "" depending on what is known.
func (p Property) Location() string {
	switch {
	case p.File != "" && p.Line > 0:
		return p.File + ":" + strconv.Itoa(p.Line)
	case p.File != "":
		return p.File
	case p.Line > 0:
		return "line " + strconv.Itoa(p.Line)
	}
	return ""
}

// Severity tells whether a Problem drops something (Error) or only deserves
// attention (Warning).
type Severity int

const (
	// Warning marks a problem that changes nothing: an unknown key, a
	// deprecated name, a value Flume would silently reinterpret.
	Warning Severity = iota
	// Error marks a problem that makes the component unusable; Flume drops
	// the component and runs the rest.
	Error
)

// String returns "warning" or "error".
func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// Problem is a located configuration finding. Its Error method formats it as
//
//	conf.properties:14: a1.sinks.k1.port: "44x": not a port number (expected an integer from 0 to 65535)
type Problem struct {
	Severity Severity
	// File and Line locate the offending line, when known.
	File string
	Line int
	// Key is the full property key the problem is about, when there is one.
	Key string
	// Value is the offending value; it is printed when HasValue is set.
	Value    string
	HasValue bool
	// Message says what is wrong and what was expected.
	Message string
	// Err, when set, is the cause errors.Is and errors.As see through the
	// problem: ErrUnsupported for a feature flumego does not implement
	// (see Context.Unsupportedf).
	Err error
}

// Unwrap returns the problem's cause, if any.
func (p Problem) Unwrap() error { return p.Err }

// Error formats the problem with its location, key and value.
func (p Problem) Error() string {
	var b strings.Builder
	if loc := (Property{File: p.File, Line: p.Line}).Location(); loc != "" {
		b.WriteString(loc)
		b.WriteString(": ")
	}
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	if p.HasValue {
		b.WriteString(strconv.Quote(p.Value))
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is a list of configuration problems; as an error it prints one
// problem per line.
type Problems []Problem

// Error joins the problems, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns every problem, so errors.Is(problems, ErrUnsupported) tells
// whether any of them is about an unsupported feature.
func (ps Problems) Unwrap() []error {
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errs
}

// Errors returns the problems of severity Error.
func (ps Problems) Errors() Problems {
	var out Problems
	for _, p := range ps {
		if p.Severity == Error {
			out = append(out, p)
		}
	}
	return out
}

// Context is the configuration of one component: its properties with the
// component prefix ("a1.sources.r1.") removed, as Flume's Context.
//
// The typed getters apply Flume's parsing rules (Java integers, Java booleans,
// trimmed values) and never fail: a bad value is recorded as a located
// Problem and the default is returned, so a component reads all its settings
// and the agent reports every problem at once. Every getter records the key as
// used; keys nobody read are reported as unknown. A Context is used from one
// goroutine while a component is built.
type Context struct {
	prefix string
	props  map[string]Property
	anchor Property
	st     *contextState
}

type contextState struct {
	used     map[string]bool
	problems Problems
	needs    []Need
}

// NewContext returns the context of a component whose keys start with prefix
// (e.g. "a1.sources.r1."). props hold full keys; those without the prefix are
// ignored. anchor locates the component itself (usually its "type" line) and
// is used for problems about missing keys.
func NewContext(prefix string, anchor Property, props []Property) *Context {
	c := &Context{
		prefix: prefix,
		props:  make(map[string]Property),
		anchor: anchor,
		st:     &contextState{used: make(map[string]bool)},
	}
	for _, p := range props {
		if rel, ok := strings.CutPrefix(p.Key, prefix); ok && rel != "" {
			c.props[rel] = p
		}
	}
	return c
}

// ContextFromMap returns a context over plain key/value pairs without
// locations, for components configured from code and for tests.
func ContextFromMap(m map[string]string) *Context {
	props := make([]Property, 0, len(m))
	for k, v := range m {
		props = append(props, Property{Key: k, Value: strings.TrimSpace(v)})
	}
	return NewContext("", Property{}, props)
}

// Prefix returns the full-key prefix of this context, e.g. "a1.sinks.k1.".
func (c *Context) Prefix() string { return c.prefix }

// Anchor returns the property that locates the component.
func (c *Context) Anchor() Property { return c.anchor }

// Sub returns the context of the keys under prefix (e.g. "selector." or
// "kafka.producer."), sharing this context's record of used keys and
// problems.
func (c *Context) Sub(prefix string) *Context {
	s := &Context{prefix: c.prefix + prefix, props: make(map[string]Property), anchor: c.anchor, st: c.st}
	for k, p := range c.props {
		if rel, ok := strings.CutPrefix(k, prefix); ok && rel != "" {
			s.props[rel] = p
		}
	}
	return s
}

// Keys returns the relative keys of this context in sorted order.
func (c *Context) Keys() []string {
	keys := make([]string, 0, len(c.props))
	for k := range c.props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Map returns the relative keys and their values. It does not mark them
// used; call MarkUsed or MarkPrefixUsed for keys passed on to a library.
func (c *Context) Map() map[string]string {
	m := make(map[string]string, len(c.props))
	for k, p := range c.props {
		m[k] = p.Value
	}
	return m
}

// Len returns the number of properties in this context.
func (c *Context) Len() int { return len(c.props) }

// Has reports whether key is set. It does not mark the key used.
func (c *Context) Has(key string) bool {
	_, ok := c.props[key]
	return ok
}

// Lookup returns the property for key and marks it used.
func (c *Context) Lookup(key string) (Property, bool) {
	p, ok := c.props[key]
	if ok {
		c.st.used[p.Key] = true
	}
	return p, ok
}

// MarkUsed records keys as read, so they are not reported as unknown.
func (c *Context) MarkUsed(keys ...string) {
	for _, k := range keys {
		if p, ok := c.props[k]; ok {
			c.st.used[p.Key] = true
		}
	}
}

// MarkPrefixUsed records every key under prefix as read: for keys passed
// through to a library (kafka.producer.*) or handled by the framework.
func (c *Context) MarkPrefixUsed(prefix string) {
	for k, p := range c.props {
		if strings.HasPrefix(k, prefix) {
			c.st.used[p.Key] = true
		}
	}
}

// Unused returns the properties of this context that no getter read, in
// file and line order.
func (c *Context) Unused() []Property {
	var out []Property
	for _, p := range c.props {
		if !c.st.used[p.Key] {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// Problems returns every problem recorded so far, errors and warnings.
func (c *Context) Problems() Problems { return c.st.problems }

// Err returns the recorded problems of severity Error as a Problems value,
// or nil when there are none.
func (c *Context) Err() error {
	if errs := c.st.problems.Errors(); len(errs) > 0 {
		return errs
	}
	return nil
}

// Errorf records an error about key (relative to this context). The problem
// is located at the key's line when the key is set, else at the component.
func (c *Context) Errorf(key, format string, args ...any) {
	c.report(Error, key, fmt.Sprintf(format, args...))
}

// Warnf records a warning about key, located like Errorf.
func (c *Context) Warnf(key, format string, args ...any) {
	c.report(Warning, key, fmt.Sprintf(format, args...))
}

// Unsupportedf records an error about key for a Flume feature flumego
// recognises but does not implement; the problem matches ErrUnsupported
// with errors.Is (through Err and Problems), and its message ends with
// "(not supported by flumego)".
func (c *Context) Unsupportedf(key, format string, args ...any) {
	c.reportErr(Error, key, fmt.Sprintf(format, args...)+" (not supported by flumego)", ErrUnsupported)
}

func (c *Context) report(sev Severity, key, msg string) { c.reportErr(sev, key, msg, nil) }

func (c *Context) reportErr(sev Severity, key, msg string, cause error) {
	pr := Problem{Severity: sev, Message: msg, File: c.anchor.File, Line: c.anchor.Line, Err: cause}
	if key != "" {
		pr.Key = c.prefix + key
	} else {
		pr.Key = strings.TrimSuffix(c.prefix, ".")
	}
	if p, ok := c.props[key]; ok && key != "" {
		pr.File, pr.Line = p.File, p.Line
		pr.Value, pr.HasValue = p.Value, true
	}
	c.st.problems = append(c.st.problems, pr)
}

// String returns the value of key, or def when it is not set.
func (c *Context) String(key, def string) string {
	if p, ok := c.Lookup(key); ok {
		return p.Value
	}
	return def
}

// Required returns the value of key and records an error when it is not set.
func (c *Context) Required(key string) string {
	p, ok := c.Lookup(key)
	if !ok {
		c.Errorf(key, "required property is missing")
		return ""
	}
	return p.Value
}

// Int returns key parsed as a Java int (decimal, optional sign, 32 bits), or
// def when it is not set. A value that does not parse is an error.
func (c *Context) Int(key string, def int) int {
	return int(c.integer(key, int64(def), 32))
}

// Int64 returns key parsed as a Java long, or def when it is not set.
func (c *Context) Int64(key string, def int64) int64 {
	return c.integer(key, def, 64)
}

func (c *Context) integer(key string, def int64, bits int) int64 {
	p, ok := c.Lookup(key)
	if !ok {
		return def
	}
	v, err := ParseJavaInt(p.Value, bits)
	if err != nil {
		c.Errorf(key, "%v", err)
		return def
	}
	return v
}

// IntRange returns key parsed as a Java int that must lie in [lo, hi], or
// def when it is not set. A value that does not parse or lies outside is an
// error, and def is returned.
func (c *Context) IntRange(key string, def, lo, hi int) int {
	return int(c.int64Range(key, int64(def), int64(lo), int64(hi), 32, Error))
}

// IntAtLeast returns key parsed as a Java int of at least lo (an error
// otherwise), or def when it is not set.
func (c *Context) IntAtLeast(key string, def, lo int) int {
	return c.IntRange(key, def, lo, math.MaxInt32)
}

// Positive returns key parsed as a Java int greater than 0 (an error
// otherwise), or def when it is not set: the batch sizes and capacities.
func (c *Context) Positive(key string, def int) int { return c.IntAtLeast(key, def, 1) }

// Int64AtLeast returns key parsed as a Java long of at least lo (an error
// otherwise), or def when it is not set.
func (c *Context) Int64AtLeast(key string, def, lo int64) int64 {
	return c.int64Range(key, def, lo, math.MaxInt64, 64, Error)
}

// LenientIntAtLeast reads key like IntAtLeast but, where Flume silently
// falls back to its default, warns and returns def instead of recording an
// error.
func (c *Context) LenientIntAtLeast(key string, def, lo int) int {
	return c.LenientIntRange(key, def, lo, math.MaxInt32)
}

// LenientIntRange reads key like IntRange but, where Flume silently falls
// back to its default, warns and returns def instead of recording an error.
func (c *Context) LenientIntRange(key string, def, lo, hi int) int {
	return int(c.int64Range(key, int64(def), int64(lo), int64(hi), 32, Warning))
}

// MillisAtLeast returns key read as a whole number of milliseconds of at
// least lo (an error otherwise), or def when it is not set.
func (c *Context) MillisAtLeast(key string, def, lo time.Duration) time.Duration {
	return time.Duration(c.Int64AtLeast(key, int64(def/time.Millisecond), int64(lo/time.Millisecond))) * time.Millisecond
}

// SecondsAtLeast returns key read as a whole number of seconds of at least
// lo (an error otherwise), or def when it is not set.
func (c *Context) SecondsAtLeast(key string, def, lo time.Duration) time.Duration {
	return time.Duration(c.Int64AtLeast(key, int64(def/time.Second), int64(lo/time.Second))) * time.Second
}

func (c *Context) int64Range(key string, def, lo, hi int64, bits int, sev Severity) int64 {
	p, ok := c.Lookup(key)
	if !ok {
		return def
	}
	fallback := ""
	if sev == Warning {
		fallback = fmt.Sprintf("; using the default %d", def)
	}
	v, err := ParseJavaInt(p.Value, bits)
	if err != nil {
		c.report(sev, key, err.Error()+fallback)
		return def
	}
	if v < lo || v > hi {
		c.report(sev, key, describeRange(lo, hi, bits)+fallback)
		return def
	}
	return v
}

// describeRange says what a range getter expected.
func describeRange(lo, hi int64, bits int) string {
	top := int64(math.MaxInt64)
	if bits == 32 {
		top = math.MaxInt32
	}
	switch {
	case hi >= top && lo == 1:
		return "must be greater than 0"
	case hi >= top:
		return fmt.Sprintf("must be at least %d", lo)
	}
	return fmt.Sprintf("expected an integer from %d to %d", lo, hi)
}

// IntOrDefault reads key like Int but, as many Flume components do, falls
// back to def with a warning (not an error) when the value does not parse or
// valid rejects it. valid may be nil. For a bound, use LenientIntAtLeast or
// LenientIntRange instead, which word the warning alike everywhere; this
// remains for a lenient parse without a bound.
func (c *Context) IntOrDefault(key string, def int, valid func(int) bool, why string) int {
	p, ok := c.Lookup(key)
	if !ok {
		return def
	}
	v, err := ParseJavaInt(p.Value, 32)
	if err != nil {
		c.Warnf(key, "%v; using the default %d", err, def)
		return def
	}
	if valid != nil && !valid(int(v)) {
		c.Warnf(key, "%s; using the default %d", why, def)
		return def
	}
	return int(v)
}

// Float64 returns key parsed as a decimal number, or def when it is not set.
func (c *Context) Float64(key string, def float64) float64 {
	p, ok := c.Lookup(key)
	if !ok {
		return def
	}
	v, err := strconv.ParseFloat(p.Value, 64)
	if err != nil {
		c.Errorf(key, "expected a number")
		return def
	}
	return v
}

// Bool returns key parsed the Java way: true if the value is "true" in any
// case, false otherwise, def when the key is not set. A value that is neither
// true nor false gets a warning, since Java Flume silently reads it as false.
func (c *Context) Bool(key string, def bool) bool {
	p, ok := c.Lookup(key)
	if !ok {
		return def
	}
	switch strings.ToLower(p.Value) {
	case "true":
		return true
	case "false":
		return false
	}
	c.Warnf(key, "not a boolean (true or false); read as false, as Flume does")
	return false
}

// Port returns key as a required TCP/UDP port number (0 to 65535; 0 asks the
// system for a free port).
func (c *Context) Port(key string) int {
	p, ok := c.Lookup(key)
	if !ok {
		c.Errorf(key, "required property is missing (expected a port number)")
		return 0
	}
	v, err := ParseJavaInt(p.Value, 32)
	if err != nil || v < 0 || v > 65535 {
		c.Errorf(key, "not a port number (expected an integer from 0 to 65535)")
		return 0
	}
	return int(v)
}

// Millis returns key read as a whole number of milliseconds, or def.
func (c *Context) Millis(key string, def time.Duration) time.Duration {
	return time.Duration(c.Int64(key, int64(def/time.Millisecond))) * time.Millisecond
}

// Seconds returns key read as a whole number of seconds, or def.
func (c *Context) Seconds(key string, def time.Duration) time.Duration {
	return time.Duration(c.Int64(key, int64(def/time.Second))) * time.Second
}

// Fields returns the value of key split on whitespace, as Flume splits
// component lists; nil when the key is not set.
func (c *Context) Fields(key string) []string {
	p, ok := c.Lookup(key)
	if !ok {
		return nil
	}
	return strings.Fields(p.Value)
}

// OneOf returns the value of key, which must equal one of allowed ignoring
// case; the matching entry of allowed is returned. def is returned when the
// key is not set, and (with an error recorded) when it matches nothing.
func (c *Context) OneOf(key, def string, allowed ...string) string {
	p, ok := c.Lookup(key)
	if !ok {
		return def
	}
	for _, a := range allowed {
		if strings.EqualFold(p.Value, a) {
			return a
		}
	}
	c.Errorf(key, "expected one of %s", strings.Join(allowed, ", "))
	return def
}

// ParseJavaInt parses s as Java's Integer.parseInt (bits 32) or
// Long.parseLong (bits 64) do after Flume trims it: decimal digits with an
// optional sign, no underscores, no hex, no units.
func ParseJavaInt(s string, bits int) (int64, error) {
	t := strings.TrimSpace(s)
	digits := strings.TrimLeft(t, "+-")
	if len(t)-len(digits) > 1 || digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, fmt.Errorf("expected an integer")
	}
	v, err := strconv.ParseInt(t, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("integer out of range (%d bits)", bits)
	}
	return v, nil
}
