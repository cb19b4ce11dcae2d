package javamap

import (
	"slices"
	"strings"
	"testing"
)

// The expected values below were printed by OpenJDK 17 (String.hashCode,
// and HashMap.keySet() after putting the keys in the order listed). The
// serializer package compares whole header_and_text output with a JDK.
func TestStringHash(t *testing.T) {
	for s, want := range map[string]int32{
		"": 0, "a": 97, "host": 3208616, "timestamp": 55126294, "Aa": 2112, "BB": 2112,
		"été": 227742, "\U0001F600x": 54959989, "avro.codec": 1839116378, "avro.schema": 1625136605,
	} {
		if got := StringHash(s); got != want {
			t.Errorf("StringHash(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestOrder(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"avro.codec avro.schema", "avro.schema avro.codec"},
		// 14 keys: a table of 32; Aa and BB share a bucket (inserted sorted).
		{"Aa BB host timestamp topic key partition a b c d e f g", "Aa BB a b c d e f g partition host topic key timestamp"},
	} {
		keys := strings.Fields(tc.in)
		Order(keys)
		if got := strings.Join(keys, " "); got != tc.want {
			t.Errorf("Order(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestTableSize(t *testing.T) {
	var got []int
	for _, n := range []int{0, 1, 12, 13, 24, 25, 48, 49} {
		got = append(got, TableSize(n))
	}
	if want := []int{16, 16, 16, 32, 32, 64, 64, 128}; !slices.Equal(got, want) {
		t.Fatalf("TableSize = %v, want %v", got, want)
	}
}
