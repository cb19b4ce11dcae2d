package javamap

import (
	"slices"
	"strings"
	"unicode/utf16"
)

// StringHash returns Java's String.hashCode of s: s[0]*31^(n-1) + ... +
// s[n-1] over its UTF-16 code units, in int32 arithmetic. Invalid UTF-8
// counts as U+FFFD, as Java's decoder would turn it.
func StringHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r1, r2 := utf16.EncodeRune(r); r1 != '\uFFFD' || r2 != '\uFFFD' {
			h = 31*h + int32(r1)
			h = 31*h + int32(r2)
		} else {
			h = 31*h + int32(r)
		}
	}
	return h
}

// TableSize returns the bucket count of a HashMap that n keys were put
// into one by one, starting from new HashMap<>(): 16, doubled while n
// exceeds three quarters of it.
func TableSize(n int) int {
	size := 16
	for n > size/4*3 {
		size *= 2
	}
	return size
}

// Bucket returns the bucket of key in a HashMap table of size slots (a
// power of two, see TableSize).
func Bucket(key string, size int) int {
	u := uint32(StringHash(key))
	return int((u ^ u>>16) & uint32(size-1))
}

// Order sorts keys into the iteration order of a HashMap holding them
// (see the package documentation for ties). keys must be distinct.
func Order(keys []string) {
	size := TableSize(len(keys))
	buckets := make(map[string]int, len(keys))
	for _, k := range keys {
		buckets[k] = Bucket(k, size)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if d := buckets[a] - buckets[b]; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
}
