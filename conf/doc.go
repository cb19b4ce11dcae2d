// Package conf reads Flume properties files into an AgentConfig: the
// sources, channels, sinks and sink groups of one agent, each with its
// properties and where they were written.
//
// Syntax is exactly java.util.Properties.load (via magiconair/properties,
// with its own ${} expansion disabled): '=' ':' or whitespace separators,
// whole-line '#' and '!' comments, backslash continuation lines with the
// continuation's leading whitespace skipped, \t \n \r \f \uXXXX escapes, and
// the last duplicate wins. Then Flume's own rules: keys and values trimmed,
// empty values ignored, keys without an agent prefix ignored, and Flume's
// ${...} substitution in values (${env:X}, ${sys:X}, ${other.key},
// ${x:-default}, $${x} for a literal). As in Flume, an undefined variable
// and a circular reference stay as written; unlike Flume, each is reported
// as a warning at the key whose value holds it. Substitution is bounded:
// references nest at most MaxSubstitutionDepth deep, a value expands to at
// most MaxSubstitutedValue bytes and the whole configuration grows by at most
// MaxSubstitutionGrowth bytes; a value past a limit is an error at its key,
// stays as written, and drops its component.
//
// Config filters (<agent>.configfilters, Flume 1.11) are then applied to
// the values of the agent's sources, channels, sinks and sink groups:
// ${f1['KEY']} (or ${f1["KEY"]}, ${f1[KEY]}) is replaced by what filter f1
// returns for KEY. The env filter reads the environment variable KEY; the
// external filter runs its command with KEY as the last argument and takes
// the first line of its output (10 s at most per run, each key looked up
// once per load); the Hadoop credential store filter is refused as not
// supported. A reference that cannot be resolved stays as written, as in
// Flume, with a warning (no value) or an error (the command failed).
//
// Files are read as UTF-8 when they are valid UTF-8 and as ISO-8859-1
// otherwise (Java always reads ISO-8859-1, which turns UTF-8 text in values
// into mojibake; a Go agent need not copy that).
//
// Validation follows Flume's leniency: an invalid component is dropped with
// a located error and the rest runs; an agent with no valid channel, or with
// neither a source nor a sink, is an error. Every problem names the file,
// the line, the full key, the value and what was expected:
//
//	a1.properties:6: a1.sources.r1.port: "44x": not a port number (expected an integer from 0 to 65535)
package conf
