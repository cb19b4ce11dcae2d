package flume

// NeedKind says what one value of a component's configuration needs from
// the machine the agent runs on.
type NeedKind int

const (
	// NeedWritableDir is a directory the component creates when it is
	// missing and writes files in (a file channel's dataDirs, a file_roll
	// sink's sink.directory).
	NeedWritableDir NeedKind = iota + 1
	// NeedListenHost is a host name or address the component listens on (a
	// source's bind); empty, 0.0.0.0 and :: mean every address.
	NeedListenHost
	// NeedPeerHost is a host name or address the component connects to (a
	// sink's hostname).
	NeedPeerHost
	// NeedPeerAddress is a host:port the component connects to (an RPC
	// client's hosts.<name>, Kafka's bootstrap servers).
	NeedPeerAddress
	// NeedExistingDir is a directory that must exist (the component does
	// not create it) and in which the component lists, reads, renames and
	// deletes files (the spooling directory source's spoolDir).
	NeedExistingDir
	// NeedReadableDir is a directory that must exist and that the
	// component only lists and reads (spoolDir with trackingPolicy
	// tracker_dir).
	NeedReadableDir
)

// String names the kind as the environment checks report it.
func (k NeedKind) String() string {
	switch k {
	case NeedWritableDir:
		return "writable directory"
	case NeedListenHost:
		return "address to listen on"
	case NeedPeerHost:
		return "host to connect to"
	case NeedPeerAddress:
		return "host:port to connect to"
	case NeedExistingDir:
		return "existing writable directory"
	case NeedReadableDir:
		return "existing readable directory"
	}
	return "need"
}

// Need is one thing a component's configuration needs from the machine:
// a directory it will write, an address it will listen on, a host it will
// connect to. Components declare their needs with Context.Need while they
// read their configuration; the environment checks (package envcheck) of
// `flume-ng check` and of the agent at start verify them without side
// effects, so that a data directory that is a regular file or lies on a
// read-only file system, or a bind address that is not this machine's, is
// reported, located, before the component fails to start.
type Need struct {
	Kind NeedKind
	// Value is the path, host or host:port (one item of a list value).
	Value string
	// Property locates the value: the property that set it, or, for a
	// default, the component's anchor under the full key (Value empty).
	Property Property
}

// Need declares that the component needs value, read from key (or its
// default when key is not set), to be a kind on the machine it runs on (see
// Need). Declaring changes nothing in the component's configuration; an
// empty value is not declared.
func (c *Context) Need(kind NeedKind, key, value string) {
	if value == "" {
		return
	}
	p, ok := c.props[key]
	if !ok {
		p = Property{Key: c.prefix + key, File: c.anchor.File, Line: c.anchor.Line}
	}
	c.st.needs = append(c.st.needs, Need{Kind: kind, Value: value, Property: p})
}

// Needs returns the needs declared so far, in order.
func (c *Context) Needs() []Need { return c.st.needs }
