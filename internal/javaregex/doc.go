// Package javaregex compiles Java (java.util.regex) patterns with Go's RE2
// engine. Flume configurations hold Java regexes (interceptors, the spooldir
// and taildir file patterns, the DataHub sink's delimiter); this package
// translates the syntax RE2 can express (\uXXXX, \e, \h, \R, Java's
// \p{Lower} classes, \p{IsGreek}, ...) and rejects, with an error that names
// the construct, what RE2 cannot do (backreferences, lookaround, possessive
// quantifiers, atomic groups, nested classes), so a pattern is never
// silently misread.
package javaregex
