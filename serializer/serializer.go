package serializer

import (
	"errors"
	"fmt"

	"github.com/flumego/flume"
)

// Serializer type names, as Flume spells them, and Flume's builder classes.
const (
	TypeText          = "text"
	TypeHeaderAndText = "header_and_text"
	TypeAvroEvent     = "avro_event"

	classText          = "org.apache.flume.serialization.BodyTextEventSerializer$Builder"
	classHeaderAndText = "org.apache.flume.serialization.HeaderAndBodyTextEventSerializer$Builder"
	classAvroEvent     = "org.apache.flume.serialization.FlumeEventAvroEventSerializer$Builder"
)

// Register adds Flume's event serializers (text, header_and_text,
// avro_event and their builder class names, and the HDFS module's
// AvroEventSerializer under its class name) to r.
func Register(r *flume.Registry) error {
	return errors.Join(
		r.RegisterEventSerializer(TypeText, newText, classText),
		r.RegisterEventSerializer(TypeHeaderAndText, newHeaderAndText, classHeaderAndText),
		r.RegisterEventSerializer(TypeAvroEvent, newAvroEvent, classAvroEvent),
		r.RegisterEventSerializer(ClassHDFSAvro, newAvroDatum),
	)
}

// FromConfig reads the serializer a sink's configuration names under key
// (file_roll: "sink.serializer", HDFS: "serializer"; TEXT when absent, as in
// Flume) and its options under key + ".", looking the type up in
// set.Lookup(). It returns the builder the sink calls for each new file and
// the serializer's canonical type. Problems are recorded in cfg (and an
// error returned) when the serializer cannot be built.
func FromConfig(set flume.Settings, cfg *flume.Context, key string) (flume.EventSerializerBuilder, string, error) {
	errorsBefore := len(cfg.Problems().Errors())
	failed := func() error {
		if len(cfg.Problems().Errors()) > errorsBefore {
			return cfg.Err()
		}
		return nil
	}
	typ := cfg.String(key, "TEXT")
	f, canonical, err := set.Lookup().EventSerializer(typ)
	if err != nil {
		cfg.Errorf(key, "%v", err)
		return nil, "", cfg.Err()
	}
	sset := set
	sset.Type = canonical
	if set.Logger != nil {
		sset.Logger = set.Logger.With("serializer", canonical)
	}
	scfg := cfg.Sub(key + ".")
	b, err := f(sset, scfg)
	if err == nil && b == nil && failed() == nil {
		err = fmt.Errorf("event serializer %q: the factory returned no builder", canonical)
	}
	if err != nil && (!errors.As(err, new(flume.Problems)) || failed() == nil) { // problems are usually recorded in cfg already
		cfg.Errorf(key, "%v", err)
	}
	if err := failed(); err != nil {
		return nil, "", err
	}
	return b, canonical, nil
}
