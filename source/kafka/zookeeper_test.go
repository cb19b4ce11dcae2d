package kafka

import (
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/kafkatest"
	"github.com/flumego/flume/internal/zookeeper/zktest"
)

// Flume's deprecated configuration, zookeeperConnect (with a chroot) and
// topic instead of kafka.bootstrap.servers and kafka.topics, as three of
// the corpus's agents still write it: the source looks the brokers up
// where Kafka registered them in a real ZooKeeper, and consumes. With
// nothing registered, Start fails (the agent starts it again later).
func TestZookeeperConnect(t *testing.T) {
	zk := zktest.Start(t)
	c := kafkatest.Start(t, kafkatest.Options{Topics: []string{"old-style"}})
	c.Produce(t, "old-style", kafkatest.Numbered(0, 100)...)

	p := props(c, "", map[string]string{"zookeeperConnect": zk + "/kafka", "topic": "old-style", "groupId": "g"})
	delete(p, "kafka.bootstrap.servers")
	delete(p, "kafka.topics")
	src, err := Factory(flume.Settings{Name: "r1"}, flume.ContextFromMap(p), &collector{})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Start(t.Context()); err == nil {
		stop(t, src.(*Source))
		t.Fatal("started with no broker registered in ZooKeeper")
	}

	zktest.RegisterBrokers(t, zk, "/kafka", c.Addrs())
	out := &collector{}
	newSource(t, "r1", p, out)
	flumetest.WaitFor(t, 30*time.Second, "the records", func() bool { return out.len() >= 100 })
	seen := map[int]int{}
	count(t, seen, out.snapshot())
	complete(t, seen, 100)
}
