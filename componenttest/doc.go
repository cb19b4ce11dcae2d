// Package componenttest checks that components honour flume.Lifecycle, as
// OpenTelemetry's generated component tests do for every component.
//
// Lifecycle runs the checks on one component type: Stop without Start;
// Start, Stop, Stop; Start, Stop, Start, Stop; Stop with a context that
// has already ended returns within a second, with nil or an error wrapping
// the context's error, and a second Stop then returns nil; and after every
// Stop that returned nil, no goroutine started since the check began is
// left running. Between Start and Stop the component does real work
// (Subject.Exercise), so that the goroutines of live connections and
// commands are there when Stop is checked.
//
// Registry walks every source, channel, sink and interceptor type of a
// flume.Registry and runs those checks on each, from a table of minimal
// configurations: a type registered without an entry in the table fails,
// so a new component cannot be registered without being checked. Sinks
// drain a memory channel holding a few events, sources fill one.
//
// The checks are not parallel: they count goroutines, so they must not run
// beside other tests of the same package that start goroutines.
package componenttest
