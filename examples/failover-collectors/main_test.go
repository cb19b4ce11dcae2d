package main

import (
	"context"
	"testing"
	"time"

	"github.com/flumego/flume/examples/internal/demo"
)

// The example's files pass flume-ng check as they are (the production
// files alone, without a single warning) and with the local overrides, on
// a host that provides the DataHub credentials they read from the
// environment (check warns about an undefined ${env:...}).
func TestCheck(t *testing.T) {
	t.Setenv("DATAHUB_ACCESS_ID", "id")
	t.Setenv("DATAHUB_ACCESS_KEY", "key")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, agent := range []string{"web", "collector"} {
		files, err := demo.Files("failover-collectors", agent+".properties", "local-"+agent+".properties")
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.CheckConfig(ctx, agent, files[:1], files[1:]); err != nil {
			t.Error(err)
		}
	}
}

// The whole topology as separate flume-ng processes: the web agent sends
// to collector A; collector A is stopped (SIGTERM) and the web agent fails
// over to B; A is restarted and traffic returns to A; every numbered line
// reaches DataHub (the in-process fake). Duplicates would be allowed (a
// batch whose acknowledgement is lost when A stops is sent again to B) and
// are logged; a lost line fails the test.
func TestFailoverCollectors(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run of three flume-ng processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := demo.NewTestSession(t)
	res, err := run(ctx, s, options{Rate: 400, Phase: 400, Every: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.verify(); err != nil {
		t.Fatal(err)
	}
	if res.Written < 3*400 {
		t.Errorf("only %d lines written", res.Written)
	}
	t.Logf("%v; A: %d before the stop, %d after the restart; B: %d while A was down",
		res.Lines, res.K1BeforeStop, res.K1AfterReturn, res.K2WhileDown)
}
