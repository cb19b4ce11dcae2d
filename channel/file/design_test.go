package file

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	bolt "go.etcd.io/bbolt"
)

// BenchmarkDesignBoltOnly measures the alternative design the package doc
// discusses: every event stored in bbolt (key = sequence number, value =
// encoded event), one bbolt transaction per channel transaction, concurrent
// commits merged into one fsync by bbolt's Batch. Put+commit and take+commit
// of 500-byte events, to compare with BenchmarkPutCommit and
// BenchmarkTakeCommit.
func BenchmarkDesignBoltOnly(b *testing.B) {
	for _, batch := range []int{1, 100, 1000} {
		for _, writers := range []int{1, 4} {
			b.Run(fmt.Sprintf("put/batch=%d/writers=%d", batch, writers), func(b *testing.B) {
				db, seq := boltDesignDB(b)
				evs := benchEvents(batch, 500, 0)
				b.SetBytes(int64(batch * 500))
				b.ResetTimer()
				runParallel(b, writers, func() error {
					return db.Batch(func(tx *bolt.Tx) error { return boltPut(tx, seq, evs) })
				})
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
			})
		}
		b.Run(fmt.Sprintf("take/batch=%d/takers=1", batch), func(b *testing.B) {
			db, seq := boltDesignDB(b)
			evs := benchEvents(1000, 500, 0)
			for n := 0; n < b.N*batch; n += 1000 {
				if err := db.Update(func(tx *bolt.Tx) error { return boltPut(tx, seq, evs) }); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(batch * 500))
			b.ResetTimer()
			for range b.N {
				if err := db.Update(func(tx *bolt.Tx) error {
					c := tx.Bucket([]byte("q")).Cursor()
					n := 0
					for k, _ := c.First(); k != nil && n < batch; k, _ = c.First() {
						if err := c.Delete(); err != nil {
							return err
						}
						n++
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func boltDesignDB(b *testing.B) (*bolt.DB, *atomic.Uint64) {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "q.db"), 0o644, &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		b.Fatal(err)
	}
	db.MaxBatchDelay = time.Millisecond
	b.Cleanup(func() { db.Close() })
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("q")); return err }); err != nil {
		b.Fatal(err)
	}
	return db, new(atomic.Uint64)
}

func boltPut(tx *bolt.Tx, seq *atomic.Uint64, evs []flume.Event) error {
	q := tx.Bucket([]byte("q"))
	q.FillPercent = 1
	var key [8]byte
	buf := make([]byte, 0, 600)
	for _, e := range evs {
		binary.BigEndian.PutUint64(key[:], seq.Add(1))
		buf, _ = appendPut(buf[:0], 0, e)
		if err := q.Put(key[:], buf); err != nil {
			return err
		}
	}
	return nil
}
