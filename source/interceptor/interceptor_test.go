package interceptor

import (
	"context"
	"errors"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/localhost"
)

func build(t *testing.T, typ string, props map[string]string) flume.Interceptor {
	t.Helper()
	in, err := tryBuild(typ, props)
	if err != nil {
		t.Fatalf("%s %v: %v", typ, props, err)
	}
	return in
}

func tryBuild(typ string, props map[string]string) (flume.Interceptor, error) {
	reg := flume.NewRegistry()
	if err := Register(reg); err != nil {
		return nil, err
	}
	f, _, err := reg.Interceptor(typ)
	if err != nil {
		return nil, err
	}
	cfg := flume.ContextFromMap(props)
	in, err := f(flume.Settings{Name: "i1", Type: typ}, cfg)
	if err == nil {
		if u := cfg.Unused(); len(u) != 0 {
			return nil, errors.New("unused keys: " + u[0].Key)
		}
	}
	return in, err
}

func events(hdrs ...map[string]string) []flume.Event {
	out := make([]flume.Event, len(hdrs))
	for i, h := range hdrs {
		out[i] = flumetest.EventWithHeaders([]byte("body "+strconv.Itoa(i)), h)
	}
	return out
}

func run(t *testing.T, in flume.Interceptor, evs []flume.Event) []flume.Event {
	t.Helper()
	out, err := in.Intercept(evs)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRegisterAliasesAndClassNames(t *testing.T) {
	reg := flume.NewRegistry()
	if err := Register(reg); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{
		"timestamp", "TIMESTAMP", "org.apache.flume.interceptor.TimestampInterceptor$Builder",
		"host", "org.apache.flume.interceptor.HostInterceptor$Builder",
		"static", "Static", "org.apache.flume.interceptor.StaticInterceptor$Builder",
		"remove_header", "org.apache.flume.interceptor.RemoveHeaderInterceptor$Builder",
		"org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder",
		"regex_filter", "org.apache.flume.interceptor.RegexFilteringInterceptor$Builder",
		"regex_extractor", "org.apache.flume.interceptor.RegexExtractorInterceptor$Builder",
		"search_replace", "org.apache.flume.interceptor.SearchAndReplaceInterceptor$Builder",
	} {
		if _, _, err := reg.Interceptor(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if _, _, err := reg.Interceptor("uuid"); err == nil {
		t.Error("Flume has no uuid alias; only the class name should resolve")
	}
	if err := Register(reg); err == nil {
		t.Error("registering twice must fail, not replace")
	}
}

func TestTimestamp(t *testing.T) {
	before := time.Now().UnixMilli()
	out := run(t, build(t, "timestamp", nil), events(nil, map[string]string{"timestamp": "1"}))
	after := time.Now().UnixMilli()
	for _, e := range out {
		v, err := strconv.ParseInt(flumetest.Headers(e)["timestamp"], 10, 64)
		if err != nil || v < before || v > after {
			t.Fatalf("timestamp %q not within [%d, %d]", flumetest.Headers(e)["timestamp"], before, after)
		}
	}
	out = run(t, build(t, "timestamp", map[string]string{"preserveExisting": "true", "headerName": "ts"}),
		events(map[string]string{"ts": "1"}, nil))
	if flumetest.Headers(out[0])["ts"] != "1" || flumetest.Headers(out[1])["ts"] == "" || flumetest.Headers(out[1])["timestamp"] != "" {
		t.Fatalf("preserveExisting/headerName: %v", out)
	}
	// The guide's "header" spelling works, with a warning.
	cfg := flume.ContextFromMap(map[string]string{"header": "when"})
	in, err := NewTimestamp(flume.Settings{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if out := run(t, in, events(nil)); flumetest.Headers(out[0])["when"] == "" {
		t.Fatal("header key not honoured")
	}
	if len(cfg.Problems()) != 1 || cfg.Problems()[0].Severity != flume.Warning {
		t.Fatalf("want one warning about header, got %v", cfg.Problems())
	}
}

func TestHost(t *testing.T) {
	out := run(t, build(t, "host", nil), events(nil))
	ip := net.ParseIP(flumetest.Headers(out[0])["host"])
	if ip == nil {
		t.Fatalf("useIP default true: host header %q is not an address", flumetest.Headers(out[0])["host"])
	}
	local := ip.IsLoopback()
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
			local = true
		}
	}
	if !local {
		t.Fatalf("%s is not an address of this machine", ip)
	}
	out = run(t, build(t, "host", map[string]string{"useIP": "false", "hostHeader": "h", "preserveExisting": "true"}),
		events(nil, map[string]string{"h": "keep"}))
	if flumetest.Headers(out[0])["h"] == "" || flumetest.Headers(out[1])["h"] != "keep" {
		t.Fatalf("useIP=false/hostHeader/preserveExisting: %v", out)
	}
	out = run(t, build(t, "host", nil), events(map[string]string{"host": "old"}))
	if flumetest.Headers(out[0])["host"] == "old" {
		t.Fatal("preserveExisting defaults to false")
	}
}

func TestHostResolution(t *testing.T) {
	r := localhost.Resolver{
		Hostname: func() (string, error) { return "web1", nil },
		LookupIP: func(_ context.Context, host string) ([]net.IP, error) {
			return []net.IP{net.ParseIP("127.0.1.1"), net.ParseIP("fe80::1"), net.ParseIP("10.1.2.3")}, nil
		},
		LookupAddr: func(_ context.Context, addr string) ([]string, error) {
			if addr != "10.1.2.3" {
				return nil, errors.New("no PTR")
			}
			return []string{"web1.example.com."}, nil
		},
		InterfaceAddrs: func() ([]net.Addr, error) { return nil, nil },
	}
	if got := localHost(true, r); got != "10.1.2.3" {
		t.Fatalf("useIP: %q, want the non-loopback address", got)
	}
	if got := localHost(false, r); got != "web1.example.com" {
		t.Fatalf("canonical name: %q", got)
	}
	// Only loopback from the resolver: an interface address is preferred.
	r.LookupIP = func(context.Context, string) ([]net.IP, error) { return []net.IP{net.ParseIP("127.0.1.1")}, nil }
	r.InterfaceAddrs = func() ([]net.Addr, error) {
		return []net.Addr{&net.IPNet{IP: net.ParseIP("127.0.0.1")}, &net.IPNet{IP: net.ParseIP("192.168.7.9")}}, nil
	}
	if got := localHost(true, r); got != "192.168.7.9" {
		t.Fatalf("loopback fallback: %q", got)
	}
	// Reverse lookup fails: the host name.
	r.LookupAddr = func(context.Context, string) ([]string, error) { return nil, errors.New("no") }
	if got := localHost(false, r); got != "web1" {
		t.Fatalf("no PTR: %q, want the host name", got)
	}
	r.Hostname = func() (string, error) { return "", errors.New("no name") }
	if got := localHost(true, r); got != "" {
		t.Fatalf("unresolvable host: %q, want no value", got)
	}
}

func TestStatic(t *testing.T) {
	out := run(t, build(t, "static", nil), events(nil, map[string]string{"key": "old"}))
	if flumetest.Headers(out[0])["key"] != "value" || flumetest.Headers(out[1])["key"] != "old" {
		t.Fatalf("defaults key=value, preserveExisting=true: %v", out)
	}
	out = run(t, build(t, "static", map[string]string{"key": "dc", "value": "east", "preserveExisting": "false"}),
		events(map[string]string{"dc": "west"}))
	if flumetest.Headers(out[0])["dc"] != "east" {
		t.Fatalf("preserveExisting=false: %v", flumetest.Headers(out[0]))
	}
}

func TestRemoveHeader(t *testing.T) {
	hdr := func() map[string]string {
		return map[string]string{"a": "1", "b": "2", "c": "3", "x-trace": "4", "x-span": "5", "keep": "6", "xx-trace": "7"}
	}
	keys := func(e flume.Event) string {
		var k []string
		for n := range flumetest.Headers(e) {
			k = append(k, n)
		}
		return strings.Join(sortStrings(k), ",")
	}
	for _, tc := range []struct {
		props map[string]string
		want  string
	}{
		{nil, "a,b,c,keep,x-span,x-trace,xx-trace"},
		{map[string]string{"withName": "a"}, "b,c,keep,x-span,x-trace,xx-trace"},
		{map[string]string{"fromList": "a, b ,c"}, "keep,x-span,x-trace,xx-trace"},
		{map[string]string{"fromList": "a;b", "fromListSeparator": ";"}, "c,keep,x-span,x-trace,xx-trace"},
		{map[string]string{"matching": "x-.*"}, "a,b,c,keep,xx-trace"}, // whole name: xx-trace stays
		{map[string]string{"withName": "keep", "fromList": "a", "matching": "x+-\\p{Lower}+"}, "b,c"},
	} {
		out := run(t, build(t, "remove_header", tc.props), []flume.Event{flumetest.EventWithHeaders(nil, hdr()), {}})
		if got := keys(out[0]); got != tc.want {
			t.Errorf("%v: headers %s, want %s", tc.props, got, tc.want)
		}
	}
	if _, err := tryBuild("remove_header", map[string]string{"matching": `[a&&b]`}); err == nil || !strings.Contains(err.Error(), "intersection") {
		t.Fatalf("a regex no engine runs must be rejected: %v", err)
	}
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestUUID(t *testing.T) {
	out := run(t, build(t, "org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder", nil),
		events(nil, nil, map[string]string{"id": "mine"}))
	if !uuidRE.MatchString(flumetest.Headers(out[0])["id"]) || flumetest.Headers(out[0])["id"] == flumetest.Headers(out[1])["id"] {
		t.Fatalf("ids %q %q", flumetest.Headers(out[0])["id"], flumetest.Headers(out[1])["id"])
	}
	if flumetest.Headers(out[2])["id"] != "mine" {
		t.Fatal("preserveExisting defaults to true")
	}
	out = run(t, build(t, "org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder",
		map[string]string{"headerName": "eid", "prefix": "web-", "preserveExisting": "false"}),
		events(map[string]string{"eid": "old"}))
	v := flumetest.Headers(out[0])["eid"]
	if !strings.HasPrefix(v, "web-") || !uuidRE.MatchString(strings.TrimPrefix(v, "web-")) {
		t.Fatalf("prefixed id %q", v)
	}
}

func bodies(evs []flume.Event) string {
	var b []string
	for _, e := range evs {
		b = append(b, string(e.Body))
	}
	return strings.Join(b, "|")
}

func TestRegexFilter(t *testing.T) {
	in := func(bs ...string) []flume.Event {
		var out []flume.Event
		for _, b := range bs {
			out = append(out, flume.Event{Body: []byte(b)})
		}
		return out
	}
	if got := bodies(run(t, build(t, "regex_filter", nil), in("a", "", "b"))); got != "a||b" {
		t.Fatalf("default .* keeps everything: %q", got)
	}
	// find(): a match anywhere in the body.
	if got := bodies(run(t, build(t, "regex_filter", map[string]string{"regex": `ERR\d`}), in("x ERR1 y", "ERR", "ok ERR2"))); got != "x ERR1 y|ok ERR2" {
		t.Fatalf("include: %q", got)
	}
	orig := in("DEBUG a", "INFO b", "DEBUG c", "WARN d")
	got := run(t, build(t, "regex_filter", map[string]string{"regex": "^DEBUG", "excludeEvents": "true"}), orig)
	if bodies(got) != "INFO b|WARN d" {
		t.Fatalf("exclude: %q", bodies(got))
	}
	if bodies(orig) != "DEBUG a|INFO b|DEBUG c|WARN d" {
		t.Fatal("the caller's batch must stay intact for a retry")
	}
	if got := bodies(run(t, build(t, "regex_filter", map[string]string{"regex": `\p{Upper}{3}`}), in("abc", "aBCD"))); got != "aBCD" {
		t.Fatalf("Java class \\p{Upper}: %q", got)
	}
	if _, err := tryBuild("regex_filter", map[string]string{"regex": "a(?=b"}); err == nil || !strings.Contains(err.Error(), "regex") {
		t.Fatalf("a malformed regex must be rejected: %v", err)
	}
}

func TestRegexExtractor(t *testing.T) {
	in := build(t, "regex_extractor", map[string]string{
		"regex":               `(\d):(\d):(\d)`,
		"serializers":         "s1 s2",
		"serializers.s1.name": "one",
		"serializers.s2.name": "two",
		"serializers.s2.type": "DEFAULT",
	})
	out := run(t, in, []flume.Event{{Body: []byte("x 1:2:3 and 4:5:6")}, {Body: []byte("none")}})
	if h := flumetest.Headers(out[0]); h["one"] != "1" || h["two"] != "2" || len(h) != 2 {
		t.Fatalf("first match, groups beyond serializers ignored: %v", h)
	}
	if out[1].HeaderCount() != 0 {
		t.Fatalf("no match leaves the event alone: %v", flumetest.Headers(out[1]))
	}

	x := build(t, "regex_extractor", map[string]string{
		"regex":                  `^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:,\d+)?)(?: (\w+))?`,
		"serializers":            "ts lvl",
		"serializers.ts.name":    "timestamp",
		"serializers.ts.type":    "org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer",
		"serializers.ts.pattern": "yyyy-MM-dd HH:mm:ss",
		"serializers.lvl.name":   "level",
	}).(*RegexExtractor)
	x.loc = time.UTC
	out = run(t, x, []flume.Event{
		{Body: []byte("2012-10-17 14:34:44 WARN disk")},
		{Body: []byte("2012-10-17 14:34:44")},      // optional group missing: no header
		{Body: []byte("2012-13-45 99:34:44 INFO")}, // not a date: header left unset
	})
	if h := flumetest.Headers(out[0]); h["timestamp"] != "1350484484000" || h["level"] != "WARN" {
		t.Fatalf("millis serializer: %v", h)
	}
	if _, ok := flumetest.Headers(out[1])["level"]; ok {
		t.Fatal("a group that took no part in the match must not set a header")
	}
	if _, ok := flumetest.Headers(out[2])["timestamp"]; ok || x.ParseFailures.Load() != 1 || flumetest.Headers(out[2])["level"] != "INFO" {
		t.Fatalf("bad date: headers %v, failures %d", flumetest.Headers(out[2]), x.ParseFailures.Load())
	}

	for _, tc := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"serializers": "s", "serializers.s.name": "n"}, "regex: required"},
		{map[string]string{"regex": "(a)"}, "serializers"},
		{map[string]string{"regex": "(a)", "serializers": "s"}, "serializers.s.name: required"},
		{map[string]string{"regex": "(a)", "serializers": "s", "serializers.s.name": "n", "serializers.s.type": "com.example.Ser"}, "not supported"},
		{map[string]string{"regex": "(a)", "serializers": "s", "serializers.s.name": "n",
			"serializers.s.type": millisSerializer}, "serializers.s.pattern: required"},
		{map[string]string{"regex": "(a)", "serializers": "s", "serializers.s.name": "n",
			"serializers.s.type": millisSerializer, "serializers.s.pattern": "yyyy ZZZ"}, "time zone ids"},
		{map[string]string{"regex": `(a)[\p{InGreek}]`, "serializers": "s", "serializers.s.name": "n"}, "blocks"},
	} {
		if _, err := tryBuild("regex_extractor", tc.props); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.props, err, tc.want)
		}
	}
	// A custom class is a Flume feature flumego lacks: ErrUnsupported.
	if _, err := tryBuild("regex_extractor", map[string]string{"regex": "(a)", "serializers": "s", "serializers.s.name": "n",
		"serializers.s.type": "com.example.Ser"}); !errors.Is(err, flume.ErrUnsupported) {
		t.Errorf("custom serializer class: err = %v, want flume.ErrUnsupported", err)
	}
	// The guide's lower-case "default" works, with a warning.
	cfg := flume.ContextFromMap(map[string]string{"regex": "(a)", "serializers": "s", "serializers.s.name": "n", "serializers.s.type": "default"})
	if _, err := NewRegexExtractor(flume.Settings{}, cfg); err != nil || len(cfg.Problems()) != 1 {
		t.Fatalf("lower-case default: %v, problems %v", err, cfg.Problems())
	}
}

func TestSearchReplace(t *testing.T) {
	for _, tc := range []struct {
		props      map[string]string
		body, want string
	}{
		{map[string]string{"searchPattern": `^INFO:`}, "INFO: x INFO:", " x INFO:"}, // replaceString defaults to ""
		{map[string]string{"searchPattern": `(\w+)@(\w+)\.com`, "replaceString": "$2 at $1"}, "mail bob@example.com now", "mail example at bob now"},
		{map[string]string{"searchPattern": `\d+`, "replaceString": `\$N`}, "a1b22", "a$Nb$N"},
		{map[string]string{"searchPattern": `\s+`, "replaceString": "_"}, "a  b\t\tc", "a_b_c"},
		{map[string]string{"searchPattern": "é", "replaceString": "e", "charset": "ISO-8859-1"}, "caf\xe9", "cafe"},
		{map[string]string{"searchPattern": "x", "replaceString": "y", "charset": "UTF-8"}, "x\xffx", "y\xffy"},
	} {
		out := run(t, build(t, "search_replace", tc.props), []flume.Event{{Body: []byte(tc.body)}})
		if string(out[0].Body) != tc.want {
			t.Errorf("%v on %q: %q, want %q", tc.props, tc.body, out[0].Body, tc.want)
		}
	}
	for _, tc := range []struct {
		props map[string]string
		want  string
	}{
		{nil, "searchPattern: required"},
		{map[string]string{"searchPattern": "a", "charset": "klingon"}, "unknown charset"},
		{map[string]string{"searchPattern": "(a)", "replaceString": "$2"}, "group 2"},
		{map[string]string{"searchPattern": `(a)\2`}, "undefined group"},
		{map[string]string{"searchPattern": "(?<n>a)", "replaceString": "${m}"}, "no group with name {m}"},
	} {
		if _, err := tryBuild("search_replace", tc.props); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.props, err, tc.want)
		}
	}
}
