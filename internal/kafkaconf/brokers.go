package kafkaconf

import (
	"net"
	"strconv"
	"strings"

	"github.com/flumego/flume"
)

// ParseBrokers reads kafka.bootstrap.servers, else the deprecated oldKey
// ("" for none: the source has no old name): a comma-separated list of
// host:port. A missing list is Flume's error "Bootstrap Servers must be
// specified"; each malformed address is an error at the key it came from.
func ParseBrokers(cfg *flume.Context, oldKey string) []string {
	v, key, ok := Value(cfg, KeyBootstrap, oldKey)
	if !ok || strings.TrimSpace(v) == "" {
		if oldKey != "" {
			cfg.Errorf(KeyBootstrap, "Bootstrap Servers must be specified (set %s, or the deprecated %s)", KeyBootstrap, oldKey)
		} else {
			cfg.Errorf(KeyBootstrap, "Bootstrap Servers must be specified")
		}
		return nil
	}
	var out []string
	bad := false
	for _, b := range strings.Split(v, ",") {
		b = strings.TrimSpace(b)
		if b == "" {
			continue
		}
		host, port, err := net.SplitHostPort(b)
		if err != nil || host == "" {
			cfg.Errorf(key, "%q is not a host:port address", b)
			bad = true
			continue
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			cfg.Errorf(key, "%q: not a port number", b)
			bad = true
			continue
		}
		out = append(out, b)
		cfg.Need(flume.NeedPeerAddress, key, b)
	}
	if len(out) == 0 && !bad {
		cfg.Errorf(key, "no broker address")
	}
	return out
}
