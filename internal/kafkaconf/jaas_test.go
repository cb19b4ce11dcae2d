package kafkaconf

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseJAAS(t *testing.T) {
	es, err := parseJAASConfig(`org.apache.kafka.common.security.plain.PlainLoginModule required username="a b" password="x\"y";`)
	if err != nil || len(es) != 1 || es[0].options["username"] != "a b" || es[0].options["password"] != `x"y` || es[0].flag != "required" {
		t.Fatalf("%+v %v", es, err)
	}
	for _, bad := range []string{
		``, `Module required`, `Module sometimes;`, `Module required user;`, `Module required user="x`, `Module required a=b; }`,
		`/* unterminated`,
	} {
		if _, err := parseJAASConfig(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestJAASFileSection(t *testing.T) {
	file := filepath.Join(t.TempDir(), "jaas.conf")
	if err := os.WriteFile(file, []byte(`// Flume's JAAS file
Client { com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true; };
KafkaClient {
  org.apache.kafka.common.security.scram.ScramLoginModule required
  username="bob" /* the producer */ password='pw';
};
`), 0o600); err != nil {
		t.Fatal(err)
	}
	es, err := jaasFileSection(file, "KafkaClient")
	if err != nil || len(es) != 1 || es[0].module != ScramLoginModule || es[0].options["username"] != "bob" || es[0].options["password"] != "pw" {
		t.Fatalf("%+v %v", es, err)
	}
	if _, err := jaasFileSection(file, "Server"); err == nil {
		t.Fatal("a missing section was found")
	}
	if _, err := jaasFileSection(filepath.Join(t.TempDir(), "none"), "KafkaClient"); err == nil {
		t.Fatal("a missing file was read")
	}
}

// FuzzParseJAAS: the JAAS parser never panics, and what it accepts has a
// module name and a known flag for every entry.
func FuzzParseJAAS(f *testing.F) {
	f.Add(`org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="b";`)
	f.Add(`M optional a='x\'y' b=c; N sufficient;`)
	f.Add(`/* c */ M required // x
	a="b";`)
	f.Fuzz(func(t *testing.T, s string) {
		es, err := parseJAASConfig(s)
		if err != nil {
			return
		}
		for _, e := range es {
			switch e.flag {
			case "required", "requisite", "sufficient", "optional":
			default:
				t.Fatalf("flag %q accepted", e.flag)
			}
			if e.module == "" {
				t.Fatal("an entry without a module")
			}
		}
	})
}
