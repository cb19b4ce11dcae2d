// Package zktest runs a real Apache ZooKeeper server for tests: Debian's
// zookeeper package (its jar, run with java), installed in CI by
// .ci/setup.d/zookeeper.sh. It is imported by tests only.
package zktest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/zookeeper"
)

// Jar is where Debian's zookeeper package puts the server (its manifest
// names the libraries it needs).
const Jar = "/usr/share/java/zookeeper.jar"

// Start runs a standalone ZooKeeper server on 127.0.0.1 for the rest of
// the test and returns its address. Without java or the jar the test is
// skipped, or fails when FLUMEGO_REQUIRE_PEERS=1 (as CI sets).
func Start(t testing.TB) string {
	t.Helper()
	java, err := exec.LookPath("java")
	if err == nil {
		_, err = os.Stat(Jar)
	}
	flumetest.RequirePeer(t, err, "run .ci/setup.d/zookeeper.sh")
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cfg := filepath.Join(dir, "zoo.cfg")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("tickTime=500\ndataDir=%s\nclientPort=%d\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n",
		filepath.Join(dir, "data"), port)), 0o644); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "zookeeper.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(java, "-Xmx64m", "-Dzookeeper.admin.enableServer=false", "-cp", Jar,
		"org.apache.zookeeper.server.ZooKeeperServerMain", cfg)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start ZooKeeper: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		logf.Close()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cs, _ := zookeeper.ParseConnectString(addr)
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		zc, err := zookeeper.Dial(ctx, cs, 10*time.Second)
		cancel()
		if err == nil {
			zc.Close()
			return addr
		}
		select {
		case <-done:
			data, _ := os.ReadFile(logf.Name())
			t.Fatalf("ZooKeeper exited: %s", data)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("ZooKeeper on %s did not answer within 60 s: %v", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// RegisterBrokers registers Kafka brokers under chroot ("" or "/path") as
// Kafka does: /brokers/ids/<id> holding a JSON document with a PLAINTEXT
// endpoint per address.
func RegisterBrokers(t testing.TB, addr, chroot string, brokers []string) {
	t.Helper()
	cs, err := zookeeper.ParseConnectString(addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	zc, err := zookeeper.Dial(ctx, cs, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer zc.Close()
	p := ""
	for _, part := range []string{chroot, "/brokers", "/ids"} {
		if part == "" {
			continue
		}
		p += part
		if err := zc.Create(ctx, p, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i, b := range brokers {
		host, port, _ := net.SplitHostPort(b)
		reg := fmt.Sprintf(`{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://%s"],"jmx_port":-1,"host":%q,"timestamp":"1700000000000","port":%s,"version":5}`,
			b, host, port)
		if err := zc.Create(ctx, fmt.Sprintf("%s/brokers/ids/%d", chroot, i+1), []byte(reg)); err != nil {
			t.Fatal(err)
		}
	}
}
