// Package builtin registers every component flumego ships with. The
// flume-ng command calls Register on the default registry before it loads
// plugins; a custom binary does the same (see cmd/flume-ng/app).
package builtin
