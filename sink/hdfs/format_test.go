package hdfs

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/flumego/flume/internal/hadoopcodec/codectest"
	"github.com/linkedin/goavro/v2"
)

// seqEvents puts n events with timestamps (but for one) and drains them.
func seqEvents(t *testing.T, r *rig, n int) {
	t.Helper()
	for i := range n {
		if i == 3 {
			r.put(t, ev("body "+strconv.Itoa(i))) // no timestamp: the key is the clock
			continue
		}
		r.put(t, ev("body "+strconv.Itoa(i), "timestamp", strconv.Itoa(1_700_000_000_000+i)))
	}
	r.drain(t)
	r.stop(t)
}

func checkSeq(t *testing.T, r *rig, n int, valueClass string) {
	t.Helper()
	names := files(t, r.dir)
	if len(names) != 1 {
		t.Fatalf("files %v", names)
	}
	keys, values, class := seqRecords(t, read(t, r.dir+"/"+names[0]))
	if class != valueClass || len(keys) != n {
		t.Fatalf("%d records of %s, want %d of %s", len(keys), class, n, valueClass)
	}
	for i := range n {
		wantKey := int64(1_700_000_000_000 + i)
		if i == 3 {
			wantKey = r.clock.Now().UnixMilli()
		}
		body := "body " + strconv.Itoa(i)
		var want []byte
		if valueClass == "org.apache.hadoop.io.Text" {
			want = append([]byte{byte(len(body))}, body...)
		} else {
			want = append([]byte{0, 0, 0, byte(len(body))}, body...)
		}
		if keys[i] != wantKey || !bytes.Equal(values[i], want) {
			t.Fatalf("record %d: %d %q, want %d %q", i, keys[i], values[i], wantKey, want)
		}
	}
}

// SequenceFile is the default, with BytesWritable values.
func TestSequenceFileWritable(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.rollCount": "0", "hdfs.rollSize": "0", "hdfs.batchSize": "4"})
	seqEvents(t, r, 10)
	checkSeq(t, r, 10, "org.apache.hadoop.io.BytesWritable")
}

func TestSequenceFileText(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "SequenceFile", "hdfs.writeFormat": "Text",
		"hdfs.rollCount": "0", "hdfs.rollSize": "0", "hdfs.batchSize": "4"})
	seqEvents(t, r, 10)
	checkSeq(t, r, 10, "org.apache.hadoop.io.Text")
}

// With a codec, SequenceFiles are block-compressed, a block per batch,
// and named with the codec's extension.
func TestSequenceFileCompressed(t *testing.T) {
	for codec, ext := range map[string]string{"gzip": ".gz", "bzip2": ".bz2", "snappy": ".snappy", "deflate": ".deflate"} {
		t.Run(codec, func(t *testing.T) {
			r := newRig(t, map[string]string{"hdfs.codeC": codec, "hdfs.rollCount": "0", "hdfs.rollSize": "0", "hdfs.batchSize": "3"})
			seqEvents(t, r, 8)
			if n := files(t, r.dir)[0]; !strings.HasSuffix(n, ext) {
				t.Fatalf("file %s lacks %s", n, ext)
			}
			checkSeq(t, r, 8, "org.apache.hadoop.io.BytesWritable")
		})
	}
}

// CompressedStream files decompress with the standard tools; every batch
// ends a compressed unit, so the file is valid after each commit.
func TestCompressedStream(t *testing.T) {
	for codec, name := range map[string]string{"gzip": "GzipCodec", "bzip2": "BZip2Codec", "snappy": "SnappyCodec", "DefaultCodec": "DefaultCodec"} {
		t.Run(codec, func(t *testing.T) {
			r := newRig(t, map[string]string{"hdfs.fileType": "CompressedStream", "hdfs.codeC": codec,
				"hdfs.rollCount": "0", "hdfs.rollSize": "0", "hdfs.batchSize": "5"})
			var want []string
			for i := range 12 {
				want = append(want, "line "+strconv.Itoa(i))
				r.put(t, ev(want[i]))
			}
			r.drain(t)
			// Committed: readable while still in use.
			open := files(t, r.dir)[0]
			if got := lines(codectest.Decompress(t, name, read(t, r.dir+"/"+open))); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("in-use file decompressed to %q", got)
			}
			r.stop(t)
			got := lines(codectest.Decompress(t, name, read(t, r.dir+"/"+files(t, r.dir)[0])))
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("decompressed %q", got)
			}
		})
	}
}

// DataStream with avro_event writes an Avro container file, readable
// while in use (one block per commit) and once closed.
func TestDataStreamAvroEvent(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream", "serializer": "avro_event",
		"serializer.compressionCodec": "snappy", "hdfs.fileSuffix": ".avro", "hdfs.rollCount": "0", "hdfs.batchSize": "2"})
	r.put(t, ev("one", "h", "1"), ev("two"), ev("three"))
	r.drain(t)
	r.stop(t)
	names := files(t, r.dir)
	if len(names) != 1 || !strings.HasSuffix(names[0], ".avro") {
		t.Fatalf("files %v", names)
	}
	rd, err := goavro.NewOCFReader(bytes.NewReader(read(t, r.dir+"/"+names[0])))
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for rd.Scan() {
		rec, err := rd.Read()
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, string(rec.(map[string]any)["body"].([]byte)))
	}
	if strings.Join(bodies, ",") != "one,two,three" {
		t.Fatalf("bodies %q", bodies)
	}
}

func TestDataStreamHeaderAndText(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream", "serializer": "header_and_text",
		"serializer.appendNewline": "false"})
	r.put(t, ev("x", "b", "2", "a", "1"))
	r.drain(t)
	r.stop(t)
	if got := string(read(t, r.dir+"/"+files(t, r.dir)[0])); got != "{a=1, b=2} x" {
		t.Fatalf("content %q", got)
	}
}

// In-use names take hdfs.inUsePrefix and hdfs.inUseSuffix; final names
// hdfs.filePrefix and hdfs.fileSuffix; emptyInUseSuffix drops the suffix.
func TestNames(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream", "hdfs.filePrefix": "web-%{app}",
		"hdfs.fileSuffix": ".log", "hdfs.inUsePrefix": "_", "hdfs.inUseSuffix": ".open"})
	r.put(t, ev("x", "app", "shop"))
	r.drain(t)
	start := r.clock.Now().UnixMilli()
	want := "out/_web-shop." + strconv.FormatInt(start+1, 10) + ".log.open"
	if names := files(t, r.dir); len(names) != 1 || names[0] != want {
		t.Fatalf("in use: %v, want %s", names, want)
	}
	r.stop(t)
	want = "out/web-shop." + strconv.FormatInt(start+1, 10) + ".log"
	if names := files(t, r.dir); len(names) != 1 || names[0] != want {
		t.Fatalf("closed: %v, want %s", names, want)
	}

	r = newRig(t, map[string]string{"hdfs.fileType": "DataStream", "hdfs.emptyInUseSuffix": "true"})
	r.put(t, ev("x"))
	r.drain(t)
	if names := files(t, r.dir); len(names) != 1 || strings.HasSuffix(names[0], ".tmp") {
		t.Fatalf("emptyInUseSuffix: %v", names)
	}
}
