// Package jdktest runs the JDK itself as the reference for tests of code
// that must behave as Java does: Java's regular expressions,
// SimpleDateFormat's lenient parsing, Calendar arithmetic and its charsets.
// Start runs JDK.java (java with a single source file, JDK 11 or later);
// the test is skipped without a JDK unless FLUMEGO_REQUIRE_PEERS=1.
//
// Test code compares its Go implementation with the JDK's answers on fixed
// and random inputs; Flume's own procedures are spelled out in the test
// from these primitives, never copied from Flume.
package jdktest
