package bucketpath

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
)

// TestAgainstJava compares every time escape, with and without rounding,
// in fixed, tz-database, custom and unknown time zones and across daylight
// saving changes, with what the JDK's TimeZone, Calendar and
// SimpleDateFormat make of the same instant (Flume formats with them). It
// needs a JDK (java running a single source file); CI installs one
// (.ci/setup.d/datahub-java.sh).
func TestAgainstJava(t *testing.T) {
	java := flumetest.Peer(t, "install a JDK, see .ci/setup.d/datahub-java.sh", "java")
	zones := []string{"UTC", "America/Chicago", "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe",
		"GMT+8", "GMT-05:30", "PST", "EST", "Mars/Olympus", "UTC+8"}
	stamps := []int64{
		0, 1, 999, 946684799999, 946684800000, 951782400000, // 1999/2000, 2000-02-29
		time.Date(2021, 3, 14, 7, 59, 59, 0, time.UTC).UnixMilli(), // Chicago springs forward at 08:00 UTC
		time.Date(2021, 3, 14, 8, 30, 0, 0, time.UTC).UnixMilli(),
		time.Date(2021, 11, 7, 6, 30, 0, 0, time.UTC).UnixMilli(), // Chicago's repeated hour
		time.Date(2021, 11, 7, 7, 30, 0, 0, time.UTC).UnixMilli(),
		time.Date(2021, 3, 28, 1, 0, 0, 0, time.UTC).UnixMilli(),  // London
		time.Date(2021, 4, 3, 15, 10, 0, 0, time.UTC).UnixMilli(), // Lord Howe repeats half an hour
		time.Date(2021, 12, 31, 23, 59, 59, 999e6, time.UTC).UnixMilli(),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 40 {
		stamps = append(stamps, rng.Int64N(4_000_000_000_000))
	}
	const escapes = "aAbBcdeDHIjklmMnpSsyYz"
	type tc struct {
		c     byte
		ms    int64
		zone  string
		unit  Unit
		value int
	}
	var cases []tc
	for _, z := range zones {
		for i, ms := range stamps {
			for j := 0; j < len(escapes); j++ {
				cases = append(cases, tc{escapes[j], ms, z, NoRounding, 1})
			}
			if ms > 0 { // Flume's rounding refuses other timestamps
				for _, r := range []struct {
					u Unit
					v int
				}{{Second, 7}, {Minute, 10}, {Minute, 60}, {Hour, 2}, {Hour, 5}, {Hour, 24}} {
					c := escapes[(i+int(r.u))%len(escapes)]
					cases = append(cases, tc{'s', ms, z, r.u, r.v}, tc{c, ms, z, r.u, r.v}, tc{'c', ms, z, r.u, r.v})
				}
			}
		}
	}
	var in bytes.Buffer
	for _, c := range cases {
		fmt.Fprintf(&in, "%c\t%d\t%s\t%d\t%d\n", c.c, c.ms, c.zone, c.unit, c.value)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, java, "-XX:TieredStopAtLevel=1", "testdata/JavaDates.java")
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("java: %v\n%s", err, stderr.String())
	}
	var answers []string
	for sc := bufio.NewScanner(bytes.NewReader(out)); sc.Scan(); {
		answers = append(answers, sc.Text())
	}
	if len(answers) != len(cases) {
		t.Fatalf("java answered %d of %d cases", len(answers), len(cases))
	}
	bad := 0
	for i, c := range cases {
		loc, _ := JavaLocation(c.zone)
		o := Options{Location: loc, Round: c.unit, RoundValue: c.value}
		at := o.AtMillis(c.ms)
		got := string(at.appendEscape(nil, c.c))
		if got != answers[i] {
			bad++
			if bad <= 20 {
				t.Errorf("%%%c of %d (%s) in %s, rounded %v by %d: %q, Java %q", c.c, c.ms,
					time.UnixMilli(c.ms).UTC().Format(time.RFC3339), c.zone, c.unit, c.value, got, answers[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d cases differ from Java", bad, len(cases))
	}
	t.Logf("%d cases agree with %s", len(cases), strings.TrimSpace(javaVersion(java)))
}

func javaVersion(java string) string {
	out, _ := exec.Command(java, "-version").CombinedOutput()
	line, _, _ := strings.Cut(string(out), "\n")
	return line
}
