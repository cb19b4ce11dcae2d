package kafka

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"

	kafkago "github.com/segmentio/kafka-go"
	metadataAPI "github.com/segmentio/kafka-go/protocol/metadata"
)

// partitioner chooses a record's partition as Java's DefaultPartitioner
// (Kafka 2.4 to 3.x) does:
//
//   - an explicit partition (partitionIdHeader or defaultPartitionId) is
//     used as is, once checked against the topic's partitions;
//   - a record with a key goes to murmur2(key) mod partitions, so keys land
//     where Java producers put them;
//   - a record without a key goes to the topic's sticky partition, which
//     changes (to another partition, at random) once batch.size bytes went
//     to it.
//
// The sink assigns every record of a batch before handing the batch to
// kafka-go (see Sink.assign), so it knows how many records each partition
// gets; kafka-go's Balance then returns the assigned partition. Everything
// runs on the sink's single Process goroutine.
type partitioner struct {
	stickyBytes int
	sticky      map[string]*stickyState
	hash        kafkago.Murmur2Balancer
	ids         []int // 0, 1, 2, ... for Murmur2Balancer
}

type stickyState struct {
	partition int
	bytes     int
}

func newPartitioner(stickyBytes int) *partitioner {
	return &partitioner{stickyBytes: stickyBytes, sticky: map[string]*stickyState{}}
}

// choose returns the partition, out of n, of a record without an explicit
// one.
func (p *partitioner) choose(msg *kafkago.Message, n int) int {
	if msg.Key != nil {
		for len(p.ids) < n {
			p.ids = append(p.ids, len(p.ids))
		}
		return p.hash.Balance(*msg, p.ids[:n]...)
	}
	st := p.sticky[msg.Topic]
	if st == nil {
		st = &stickyState{partition: -1}
		p.sticky[msg.Topic] = st
	}
	if st.partition < 0 || st.partition >= n || st.bytes >= p.stickyBytes {
		next := rand.IntN(n)
		if n > 1 && next == st.partition {
			next = (next + 1 + rand.IntN(n-1)) % n
		}
		st.partition, st.bytes = next, 0
	}
	st.bytes += len(msg.Value) + len(msg.Key)
	return st.partition
}

// Balance implements kafkago.Balancer: it returns the partition the sink
// assigned.
func (p *partitioner) Balance(msg kafkago.Message, partitions ...int) int {
	if id, ok := msg.WriterData.(int); ok {
		return id
	}
	return p.choose(&msg, len(partitions)) // not reached: every record is assigned
}

type topicPartition struct {
	topic     string
	partition int
}

// assign sets the partition (in WriterData) of every message and returns
// the largest number of messages one partition got.
func (s *Sink) assign(ctx context.Context, p *producer, msgs []kafkago.Message) (int, error) {
	counts := map[string]int{}
	clear(s.perPartition)
	most := 1
	for i := range msgs {
		m := &msgs[i]
		n, ok := counts[m.Topic]
		if !ok {
			var err error
			if n, err = p.partitions(ctx, m.Topic); err != nil {
				return 0, fmt.Errorf("topic %q: %w", m.Topic, err)
			}
			counts[m.Topic] = n
		}
		id, explicit := m.WriterData.(int)
		switch {
		case !explicit:
			id = p.part.choose(m, n)
			m.WriterData = id
		case id < 0:
			return 0, fmt.Errorf("event %d of %d: invalid partition %d", i+1, len(msgs), id)
		case id >= n:
			return 0, fmt.Errorf("event %d of %d: partition %d of topic %q does not exist (it has %d)", i+1, len(msgs), id, m.Topic, n)
		}
		k := topicPartition{m.Topic, id}
		s.perPartition[k]++
		most = max(most, s.perPartition[k])
	}
	return most, nil
}

// partitions returns the number of partitions of topic, from the
// transport's metadata cache (the same request kafka-go's Writer makes,
// which asks the brokers to create an unknown topic, as Java's producer).
func (p *producer) partitions(ctx context.Context, topic string) (int, error) {
	r, err := p.tr.RoundTrip(ctx, p.w.Addr, &metadataAPI.Request{TopicNames: []string{topic}, AllowAutoTopicCreation: true})
	if err != nil {
		return 0, err
	}
	for _, t := range r.(*metadataAPI.Response).Topics {
		if t.Name == topic {
			if t.ErrorCode != 0 {
				return 0, kafkago.Error(t.ErrorCode)
			}
			if len(t.Partitions) == 0 {
				return 0, fmt.Errorf("no partitions")
			}
			return len(t.Partitions), nil
		}
	}
	return 0, kafkago.UnknownTopicOrPartition
}

// brokerAddr is the bootstrap address list in the form kafka-go's
// transport splits ("tcp,tcp" / "h1:9092,h2:9092"), with both strings
// computed once: kafka.TCP joins them again on every request.
type brokerAddr struct{ network, address string }

func newBrokerAddr(brokers []string) net.Addr {
	return brokerAddr{strings.TrimSuffix(strings.Repeat("tcp,", len(brokers)), ","), strings.Join(brokers, ",")}
}

func (a brokerAddr) Network() string { return a.network }
func (a brokerAddr) String() string  { return a.address }
