// Package javaregex compiles and runs Java (java.util.regex) patterns.
// Flume configurations hold Java regexes (interceptors, the spooldir and
// taildir file patterns, the DataHub sink's delimiter and REGEX
// serializer); a pattern must mean in flumego what it means in Flume, and
// never be silently misread.
//
// One translator reads the Java syntax and writes it for one of two
// engines:
//
//   - RE2 (Go's regexp) runs every pattern it can express, which is almost
//     all of them: the translator rewrites what Go spells differently
//     (\uXXXX, \e, \h, \R, octal escapes, Java's \p{Lower} and
//     \p{javaLowerCase} classes, \p{IsGreek}, \Q...\E, repetition counts
//     with leading zeros, named groups). RE2 runs in time linear in the
//     input and cannot fail at match time.
//   - A backtracking engine (github.com/dlclark/regexp2, in its RE2 mode so
//     \d \s \w stay ASCII as in Java and $ means what it means on the RE2
//     path) runs the patterns that need it: lookahead, lookbehind,
//     backreferences (with Java's rule for multi-digit numbers), named
//     backreferences, atomic groups, possessive quantifiers, \Z and \G. Group
//     numbers follow Java's order even where named and unnamed groups mix.
//     Each match is bounded by a timeout (DefaultTimeout unless
//     Options.Timeout says otherwise) and by the engine's backtracking stack
//     limit, so a catastrophic pattern costs one bounded failure per input
//     instead of stalling the component: the match methods then return an
//     error matching ErrMatchLimit that names the pattern, never the input.
//
// Regexp.Engine, Reason and Describe say which engine a pattern got and why
// (components log it at debug level). What neither engine can run (class
// union and intersection, the comments and UNIX_LINES flags, \X, Unicode
// blocks) is refused with an error that names the construct.
//
// Replacement parses Java's replacement syntax ($n, ${name}, \$) for a
// pattern and ReplaceAll applies it; Split is Java's String.split.
package javaregex
