module github.com/flumego/flume

go 1.26.8

require (
	github.com/apache/thrift v0.25.0 // indirect
	github.com/golang/snappy v0.0.1 // indirect
	github.com/klauspost/compress v1.15.9 // indirect
	github.com/linkedin/goavro/v2 v2.15.0 // indirect
	github.com/magiconair/properties v1.18.12 // indirect
	github.com/pierrec/lz4/v4 v4.1.15 // indirect
	github.com/segmentio/kafka-go v0.4.51 // indirect
	go.etcd.io/bbolt v1.5.0 // indirect
	golang.org/x/sys v0.45.0 // indirect
)
