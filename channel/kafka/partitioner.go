package kafka

import "github.com/twmb/franz-go/pkg/kgo"

// partitioner sends a record to the partition set on it (defaultPartitionId
// or partitionIdHeader; Partition >= 0) and the others as Java's
// DefaultPartitioner does, which kgo's StickyKeyPartitioner reproduces: the
// murmur2 hash of the key, or for records without a key a partition that
// changes with each new batch. Keyed records therefore land where Java
// Flume's channel puts them, and a topic shared by Java and Go agents keeps
// each key in one partition.
type partitioner struct{ keyed kgo.Partitioner }

func newPartitioner() partitioner { return partitioner{kgo.StickyKeyPartitioner(nil)} }

func (p partitioner) ForTopic(topic string) kgo.TopicPartitioner {
	tp := p.keyed.ForTopic(topic)
	onNew, _ := tp.(kgo.TopicPartitionerOnNewBatch)
	return &topicPartitioner{tp, onNew}
}

type topicPartitioner struct {
	keyed kgo.TopicPartitioner
	onNew kgo.TopicPartitionerOnNewBatch
}

// RequiresConsistency keeps a record with a chosen partition on it even
// while that partition has no leader (its produce then fails, and the
// transaction with it), as Java's producer does.
func (t *topicPartitioner) RequiresConsistency(r *kgo.Record) bool {
	return r.Partition >= 0 || t.keyed.RequiresConsistency(r)
}

// Partition returns the record's own partition: an index past the topic's
// partitions fails the record (kgo: "invalid record partitioning choice"),
// as Java's producer fails it.
func (t *topicPartitioner) Partition(r *kgo.Record, n int) int {
	if r.Partition >= 0 {
		return int(r.Partition)
	}
	return t.keyed.Partition(r, n)
}

func (t *topicPartitioner) OnNewBatch() {
	if t.onNew != nil {
		t.onNew.OnNewBatch()
	}
}
