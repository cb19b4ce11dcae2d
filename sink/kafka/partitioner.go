package kafka

import (
	"math/rand/v2"

	kafkago "github.com/segmentio/kafka-go"
)

// partitioner chooses a record's partition as Java's DefaultPartitioner
// (Kafka 2.4 to 3.x) does:
//
//   - an explicit partition (partitionIdHeader or defaultPartitionId,
//     carried in Message.WriterData) is used as is (checked against the
//     topic's partitions before writing);
//   - a record with a key goes to murmur2(key) mod partitions, so keys land
//     where Java producers put them;
//   - a record without a key goes to the topic's sticky partition, which
//     changes (to another partition, at random) once batch.size bytes went
//     to it.
//
// kafka-go calls Balance from the goroutine that calls WriteMessages, that
// is the sink's single Process goroutine, so no locking is needed.
type partitioner struct {
	stickyBytes int
	sticky      map[string]*stickyState
	hash        kafkago.Murmur2Balancer
}

type stickyState struct {
	partition int
	bytes     int
}

func newPartitioner(stickyBytes int) *partitioner {
	return &partitioner{stickyBytes: stickyBytes, sticky: map[string]*stickyState{}}
}

// Balance implements kafkago.Balancer.
func (p *partitioner) Balance(msg kafkago.Message, partitions ...int) int {
	if id, ok := msg.WriterData.(int); ok {
		return id
	}
	if msg.Key != nil {
		return p.hash.Balance(msg, partitions...)
	}
	st := p.sticky[msg.Topic]
	if st == nil {
		st = &stickyState{partition: -1}
		p.sticky[msg.Topic] = st
	}
	if st.partition < 0 || st.partition >= len(partitions) || st.bytes >= p.stickyBytes {
		next := rand.IntN(len(partitions))
		if len(partitions) > 1 && next == st.partition {
			next = (next + 1 + rand.IntN(len(partitions)-1)) % len(partitions)
		}
		st.partition, st.bytes = next, 0
	}
	st.bytes += len(msg.Value) + len(msg.Key)
	return partitions[st.partition]
}
