package source

import (
	"errors"

	"github.com/flumego/flume"
)

// NewProcessorFromConfig builds the ChannelProcessor of a source from its
// configuration: the "selector." keys and the "interceptors" list with each
// interceptor's "interceptors.<name>." keys; the selector's and the
// interceptors' types are looked up in reg. channels are the source's channels in configuration order. Problems
// are recorded in cfg; the returned error is non-nil when the processor
// cannot be built.
func NewProcessorFromConfig(set flume.Settings, cfg *flume.Context, channels []flume.NamedChannel, reg *flume.Registry) (*ChannelProcessor, error) {
	// A bad selector does not stop the interceptors from being checked:
	// every problem is reported at once.
	sel, selErr := NewSelector(set, cfg.Sub("selector."), channels, reg)
	var chain []flume.Interceptor
	for _, name := range cfg.Fields("interceptors") {
		icfg := cfg.Sub("interceptors." + name + ".")
		typ, ok := icfg.Lookup("type")
		if !ok {
			cfg.Errorf("interceptors."+name+".type", "interceptor %q is listed but has no type", name)
			continue
		}
		f, _, err := reg.Interceptor(typ.Value)
		if err != nil {
			icfg.Errorf("type", "%v", err)
			continue
		}
		iset := set
		iset.Name, iset.Type = name, typ.Value
		if set.Logger != nil {
			iset.Logger = set.Logger.With("interceptor", name)
		}
		in, err := f(iset, icfg)
		if err != nil {
			if !errors.As(err, new(flume.Problems)) { // problems are already recorded in icfg
				icfg.Errorf("", "%v", err)
			}
			continue
		}
		chain = append(chain, in)
	}
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	if selErr != nil {
		return nil, selErr
	}
	return NewChannelProcessor(sel, chain, set.Logger), nil
}
