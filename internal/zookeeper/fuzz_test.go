package zookeeper

import (
	"strings"
	"testing"
)

// FuzzDecode: a server's answers (a children list, a broker registration)
// decode or fail cleanly, in time linear in their size.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{0, 0, 0, 2, 0, 0, 0, 1, '1', 0, 0, 0, 1, '2'}, `{"endpoints":["PLAINTEXT://h:9092"]}`)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff}, `{"host":"h","port":9092}`)
	f.Add([]byte{0x7f, 0, 0, 0}, `{"endpoints":["SASL_SSL://[::1]:9094","PLAINTEXT://x"]}`)
	f.Fuzz(func(t *testing.T, children []byte, registration string) {
		if out, err := decodeChildren(children); err == nil && len(out) > len(children)/4 {
			t.Fatalf("%d children from %d bytes", len(out), len(children))
		}
		for _, l := range []string{"PLAINTEXT", "SASL_SSL"} {
			if hp, err := endpoint([]byte(registration), l); err == nil && !strings.Contains(hp, ":") {
				t.Fatalf("endpoint %q is not host:port", hp)
			}
		}
	})
}
