package demo

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
)

// Ports handed out are below Linux's ephemeral range (32768-60999), so a
// port-0 listener or an outgoing connection never takes one while an agent
// is down: a collector restarted on its port gets it back.
const (
	portLow  = 20000
	portHigh = 32000
)

var (
	portsMu sync.Mutex
	given   = map[int]bool{}
)

// FreePort returns a TCP port of 127.0.0.1, below the ephemeral range, that
// nothing listens on now and that this process has not handed out before.
// The agent that is given it binds it later, so another program could in
// principle take it first; the random pick keeps that unlikely.
func FreePort() (int, error) {
	portsMu.Lock()
	defer portsMu.Unlock()
	for range 200 {
		p := portLow + rand.IntN(portHigh-portLow)
		if given[p] {
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue
		}
		_ = ln.Close()
		given[p] = true
		return p, nil
	}
	return 0, fmt.Errorf("no free port between %d and %d on 127.0.0.1", portLow, portHigh)
}
