package syslog

import "strings"

// KeepFields is the keepFields setting: which parts of a message's header
// stay in the event body besides the message text.
type KeepFields struct {
	// All keeps the whole message, <PRI> and header included ("all" or
	// "true").
	All bool
	// The parts kept in front of the text ("priority version timestamp
	// hostname", any subset, in any order and separated by anything): the
	// body is "<PRI>VERSION TIMESTAMP HOSTNAME TEXT" with the parts not
	// kept left out.
	Priority, Version, Timestamp, Hostname bool
}

// ParseKeepFields reads a keepFields value as Flume does: "none" or
// "false" (the default) keeps nothing, "all" or "true" everything, and any
// other value keeps each part whose name it contains, ignoring case.
func ParseKeepFields(s string) KeepFields {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "none", "false":
		return KeepFields{}
	case "all", "true":
		return KeepFields{All: true}
	}
	return KeepFields{
		Priority:  strings.Contains(s, "priority"),
		Version:   strings.Contains(s, "version"),
		Timestamp: strings.Contains(s, "timestamp"),
		Hostname:  strings.Contains(s, "hostname"),
	}
}

// field is a header part that may be absent: Java's null, which Flume
// writes as "null" when it keeps that part in the body.
type field struct {
	s  string
	ok bool
}

func (f field) orNull() string {
	if !f.ok {
		return "null"
	}
	return f.s
}

// body puts the kept parts in front of text, as Flume's
// SyslogUtils.addFieldsToBody does (an absent timestamp or host name is
// written "null"; an absent or empty version is left out).
func (k KeepFields) body(text, priority string, version, timestamp, hostname field) string {
	if !k.Priority && !k.Version && !k.Timestamp && !k.Hostname {
		return text
	}
	var b strings.Builder
	if k.Priority {
		b.WriteString("<" + priority + ">")
	}
	if k.Version && version.ok && version.s != "" {
		b.WriteString(version.s + " ")
	}
	if k.Timestamp {
		b.WriteString(timestamp.orNull() + " ")
	}
	if k.Hostname {
		b.WriteString(hostname.orNull() + " ")
	}
	b.WriteString(text)
	return b.String()
}
