package builtin

import (
	"errors"
	"sync"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/file"
	kafkachannel "github.com/flumego/flume/channel/kafka"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/deserializer"
	"github.com/flumego/flume/serializer"
	avrosink "github.com/flumego/flume/sink/avro"
	"github.com/flumego/flume/sink/datahub"
	"github.com/flumego/flume/sink/fileroll"
	"github.com/flumego/flume/sink/hdfs"
	httpsink "github.com/flumego/flume/sink/http"
	"github.com/flumego/flume/sink/kafka"
	"github.com/flumego/flume/sink/logger"
	"github.com/flumego/flume/sink/null"
	thriftsink "github.com/flumego/flume/sink/thrift"
	"github.com/flumego/flume/sinkgroup"
	"github.com/flumego/flume/source"
	avrosource "github.com/flumego/flume/source/avro"
	"github.com/flumego/flume/source/exec"
	httpsource "github.com/flumego/flume/source/http"
	"github.com/flumego/flume/source/interceptor"
	kafkasource "github.com/flumego/flume/source/kafka"
	"github.com/flumego/flume/source/netcat"
	"github.com/flumego/flume/source/seq"
	"github.com/flumego/flume/source/spooldir"
	"github.com/flumego/flume/source/syslog"
	"github.com/flumego/flume/source/taildir"
	thriftsource "github.com/flumego/flume/source/thrift"
)

// Register adds the built-in components of every kind to r: sources,
// channels, sinks, interceptors, channel selectors, sink processors, event
// serializers, event deserializers and HTTP source handlers.
func Register(r *flume.Registry) error {
	return errors.Join(
		memory.Register(r),
		file.Register(r),
		kafkachannel.Register(r),
		exec.Register(r),
		netcat.Register(r),
		seq.Register(r),
		taildir.Register(r),
		syslog.Register(r),
		httpsource.Register(r),
		logger.Register(r),
		null.Register(r),
		fileroll.Register(r),
		hdfs.Register(r),
		httpsink.Register(r),
		avrosource.Register(r),
		avrosink.Register(r),
		kafka.Register(r),
		kafkasource.Register(r),
		datahub.Register(r),
		thriftsource.Register(r),
		thriftsink.Register(r),
		interceptor.Register(r),
		source.Register(r),
		sinkgroup.Register(r),
		serializer.Register(r),
		spooldir.Register(r),
		deserializer.Register(r),
	)
}

var (
	once    sync.Once
	onceErr error
)

// RegisterDefault registers the built-ins in flume.DefaultRegistry() once
// per process and returns that registry.
func RegisterDefault() (*flume.Registry, error) {
	once.Do(func() { onceErr = Register(flume.DefaultRegistry()) })
	return flume.DefaultRegistry(), onceErr
}
