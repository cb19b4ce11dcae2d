package app

import (
	"strings"
	"testing"
)

func TestParseFlumeSpellings(t *testing.T) {
	specs := append(globalOptions, agentOptions...)
	for _, args := range [][]string{
		{"-n", "a1", "-f", "x.properties"},
		{"--name", "a1", "--conf-file", "x.properties"},
		{"-name", "a1", "-conf-file", "x.properties"},
		{"--name=a1", "--conf-file=x.properties"},
		{"-na1", "-fx.properties"},
		{"--na", "a1", "--conf-f", "x.properties"},
	} {
		p, err := parseOptions(append(args, "-c", "conf", "-Dflume.root.logger=DEBUG,console", "-Xmx512m"), specs, false)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if p.last("name") != "a1" || p.last("conf-file") != "x.properties" || p.last("conf") != "conf" {
			t.Errorf("%v: name=%q conf-file=%q conf=%q", args, p.last("name"), p.last("conf-file"), p.last("conf"))
		}
		if len(p.sysProps) != 1 || p.sysProps[0] != [2]string{"flume.root.logger", "DEBUG,console"} {
			t.Errorf("%v: system properties %v", args, p.sysProps)
		}
		if len(p.jvm) != 1 {
			t.Errorf("%v: JVM flags %v", args, p.jvm)
		}
	}
}

func TestParseRepeatedConfFiles(t *testing.T) {
	p, err := parseOptions([]string{"-f", "a", "--conf-file", "b", "-f", "c"}, agentOptions, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.values["conf-file"], ","); got != "a,b,c" {
		t.Fatalf("conf files %q", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--bogus"},
		{"-n"},
		{"--no-reload-conf=yes"},
		{"stray"},
		{"--conf-"}, // ambiguous: conf-file, conf-uri, conf-provider, ...
	} {
		if _, err := parseOptions(args, append(globalOptions, agentOptions...), false); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
