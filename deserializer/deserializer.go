package deserializer

import (
	"errors"
	"fmt"

	"github.com/flumego/flume"
)

// Deserializer type names, as Flume spells them, and Flume's builder
// classes.
const (
	TypeLine = "LINE"
	TypeAvro = "AVRO"
	TypeBlob = "org.apache.flume.sink.solr.morphline.BlobDeserializer$Builder"

	classLine = "org.apache.flume.serialization.LineDeserializer$Builder"
	classAvro = "org.apache.flume.serialization.AvroEventDeserializer$Builder"
)

// Register adds Flume's event deserializers (LINE, AVRO and the BLOB
// deserializer's builder class, and the builder class names of the first
// two) to r.
func Register(r *flume.Registry) error {
	return errors.Join(
		r.RegisterEventDeserializer(TypeLine, newLine, classLine),
		r.RegisterEventDeserializer(TypeAvro, newAvro, classAvro),
		r.RegisterEventDeserializer(TypeBlob, newBlob),
	)
}

// FromConfig reads the deserializer a source's configuration names under
// key ("deserializer"; LINE when absent, as in Flume) and its options under
// key + ".", looking the type up in set.Lookup(). It returns the builder the
// source calls for each file and the deserializer's canonical type.
// Problems are recorded in cfg (and an error returned) when the
// deserializer cannot be built.
func FromConfig(set flume.Settings, cfg *flume.Context, key string) (flume.EventDeserializerBuilder, string, error) {
	typ := cfg.String(key, TypeLine)
	f, canonical, err := set.Lookup().EventDeserializer(typ)
	if err != nil {
		cfg.Errorf(key, "%v", err)
		return nil, "", cfg.Err()
	}
	return build(set, cfg, key, canonical, func(dset flume.Settings, dcfg *flume.Context) (flume.EventDeserializerBuilder, error) {
		return f(dset, dcfg)
	})
}

// LineFromConfig builds the LINE deserializer of a source's configuration
// with maxLineLength set to maxLineLength: Flume's deprecated
// bufferMaxLineLength of the spooling directory source, which overrides
// deserializer.maxLineLength.
func LineFromConfig(set flume.Settings, cfg *flume.Context, key string, maxLineLength int) (flume.EventDeserializerBuilder, error) {
	b, _, err := build(set, cfg, key, TypeLine, func(dset flume.Settings, dcfg *flume.Context) (flume.EventDeserializerBuilder, error) {
		dcfg.MarkUsed("maxLineLength")
		c := parseLineConfig(dcfg)
		c.maxLineLength = maxLineLength
		return c.builder(dset), dcfg.Err()
	})
	return b, err
}

// build runs a deserializer factory on the keys under key + ".", with the
// settings of the source and the deserializer's type, and reports its
// failure at key.
func build(set flume.Settings, cfg *flume.Context, key, canonical string,
	f func(flume.Settings, *flume.Context) (flume.EventDeserializerBuilder, error)) (flume.EventDeserializerBuilder, string, error) {
	errorsBefore := len(cfg.Problems().Errors())
	failed := func() error {
		if len(cfg.Problems().Errors()) > errorsBefore {
			return cfg.Err()
		}
		return nil
	}
	dset := set
	dset.Type = canonical
	if set.Logger != nil {
		dset.Logger = set.Logger.With("deserializer", canonical)
	}
	b, err := f(dset, cfg.Sub(key+"."))
	if err == nil && b == nil && failed() == nil {
		err = fmt.Errorf("event deserializer %q: the factory returned no builder", canonical)
	}
	if err != nil && (!errors.As(err, new(flume.Problems)) || failed() == nil) { // problems are usually recorded in cfg already
		cfg.Errorf(key, "%v", err)
	}
	if err := failed(); err != nil {
		return nil, "", err
	}
	return b, canonical, nil
}
