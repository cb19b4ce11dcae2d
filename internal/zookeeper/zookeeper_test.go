package zookeeper_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/flumego/flume/internal/zookeeper"
	"github.com/flumego/flume/internal/zookeeper/zktest"
)

func TestParseConnectString(t *testing.T) {
	cs, err := zookeeper.ParseConnectString("zk1:2181, zk2 ,zk3:2182/kafka/")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cs.Hosts, []string{"zk1:2181", "zk2:2181", "zk3:2182"}) || cs.Chroot != "/kafka" {
		t.Fatalf("%+v", cs)
	}
	if _, err := zookeeper.ParseConnectString("/kafka"); err == nil {
		t.Fatal("no error without a server")
	}
}

// Against a real ZooKeeper: brokers registered as Kafka registers them,
// under a chroot, are found in id order; a missing path is ErrNoNode; a
// listener no broker has is an error.
func TestKafkaBrokers(t *testing.T) {
	addr := zktest.Start(t)
	zktest.RegisterBrokers(t, addr, "/kafka", []string{"10.0.0.1:9092", "10.0.0.2:9093", "[::1]:9094"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, tc := range []struct {
		connect string
		want    []string
		err     error
	}{
		{"127.0.0.1:1," + addr + "/kafka", []string{"10.0.0.1:9092", "10.0.0.2:9093", "[::1]:9094"}, nil},
		{addr, nil, zookeeper.ErrNoNode},
	} {
		cs, err := zookeeper.ParseConnectString(tc.connect)
		if err != nil {
			t.Fatal(err)
		}
		zc, err := zookeeper.Dial(ctx, cs, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		got, err := zc.KafkaBrokers(ctx, "PLAINTEXT")
		if !errors.Is(err, tc.err) || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, %v; want %v, %v", tc.connect, got, err, tc.want, tc.err)
		}
		if tc.err == nil {
			if _, err := zc.KafkaBrokers(ctx, "SASL_SSL"); err == nil {
				t.Error("no error for a listener the brokers lack")
			}
		}
		zc.Close()
	}
}
