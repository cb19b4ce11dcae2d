package monitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/buildinfo"
	"github.com/flumego/flume/monitor/live"
	"github.com/flumego/flume/topology"
)

// DefaultPort is Flume's flume.monitoring.port default.
const DefaultPort = 41414

// Format is what /metrics serves.
type Format int

const (
	// JSON is Flume's HTTP monitoring format (flume.monitoring.type=http).
	JSON Format = iota
	// Prometheus is the Prometheus text format
	// (flume.monitoring.type=prometheus).
	Prometheus
)

// Config says where and how the server listens.
type Config struct {
	// Format is what /metrics serves; /prometheus always serves Prometheus.
	Format Format
	// Bind is the listening address; "" listens on all interfaces, as
	// Flume does.
	Bind string
	// Port is the TCP port; 0 picks a free one (see Server.Addr).
	Port int
}

// System property names, as given with -D on the flume-ng command line.
const (
	propPrefix = "flume.monitoring."
	propType   = propPrefix + "type"
	propPort   = propPrefix + "port"
	propBind   = propPrefix + "bind"
)

// FromSystemProperties reads Flume's flume.monitoring.* system properties
// (type, port and the bind extension) and returns the server they ask for,
// not started, or nil when flume.monitoring.type is not set. type is http
// or prometheus in any case, or one of Flume's class names for them;
// ganglia and custom MonitorService classes are reported as not supported.
// log may be nil.
func FromSystemProperties(props map[string]string, reg *Registry, log *slog.Logger) (*Server, error) {
	typ, ok := props[propType]
	if !ok {
		return nil, nil
	}
	typ = strings.TrimSpace(typ)
	cfg := Config{Port: DefaultPort}
	switch {
	case strings.EqualFold(typ, "http") || typ == "org.apache.flume.instrumentation.http.HTTPMetricsServer":
		cfg.Format = JSON
	case strings.EqualFold(typ, "prometheus") || typ == "org.apache.flume.instrumentation.http.PrometheusHTTPMetricsServer":
		cfg.Format = Prometheus
	case strings.EqualFold(typ, "ganglia") || typ == "org.apache.flume.instrumentation.GangliaServer":
		return nil, fmt.Errorf("%s=%s: ganglia reporting is %w (use http or prometheus)", propType, typ, flume.ErrUnsupported)
	default:
		return nil, fmt.Errorf("%s=%s: custom monitor classes are %w (use http or prometheus)", propType, typ, flume.ErrUnsupported)
	}
	if v, ok := props[propPort]; ok {
		p, err := flume.ParseJavaInt(v, 32)
		if err != nil || p < 0 || p > 65535 {
			return nil, fmt.Errorf("%s=%s: not a port number (expected an integer from 0 to 65535)", propPort, v)
		}
		cfg.Port = int(p)
	}
	cfg.Bind = strings.TrimSpace(props[propBind])
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var unknown []string
	for k := range props {
		if strings.HasPrefix(k, propPrefix) && k != propType && k != propPort && k != propBind {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		log.Warn("ignoring monitoring properties the http reporter does not read", "properties", unknown)
	}
	return NewServer(cfg, reg, log), nil
}

// Server is the monitoring HTTP server.
type Server struct {
	cfg     Config
	reg     *Registry
	log     *slog.Logger
	handler http.Handler
	page    atomic.Pointer[live.Page]

	mu   sync.Mutex
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// NewServer returns a server for reg; it listens from Start. log may be
// nil.
func NewServer(cfg Config, reg *Registry, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, reg: reg, log: log}
	prom := prometheus.NewRegistry()
	build := buildinfo.Get()
	prom.MustRegister(reg.Collector(), buildInfoCollector(build))
	s.handler = s.routes(promhttp.HandlerFor(prom, promhttp.HandlerOpts{ErrorLog: slogErrorLog{log}}), versionJSON(build))
	return s
}

// ShowTopology makes the server serve the live page (package live) of the
// topology topo returns, at /; without it / serves Flume's link to
// /metrics. Call it before Start. topo is called every second and for each
// request of the page, from any goroutine.
func (s *Server) ShowTopology(topo func() topology.Graph) {
	s.page.Store(live.New(topo))
}

// Handler returns the server's HTTP handler, for tests and for embedding
// in another server.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes(prom, version http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Method, http.MethodTrace) || strings.EqualFold(r.Method, http.MethodOptions) {
			http.Error(w, "Forbidden", http.StatusForbidden)
			return
		}
		page := s.page.Load()
		switch p := r.URL.Path; {
		case page != nil && (p == "/" || strings.HasPrefix(p, "/live/")):
			page.ServeHTTP(w, r)
		case p == "/":
			w.Header().Set("Content-Type", "text/html;charset=utf-8")
			_, _ = w.Write([]byte(`For Flume metrics please click <a href = "./metrics"> here</a>.`))
		case strings.EqualFold(p, "/metrics") && s.cfg.Format == JSON:
			w.Header().Set("Content-Type", "application/json;charset=utf-8")
			if err := s.reg.WriteJSON(w); err != nil {
				s.log.Debug("monitoring: writing /metrics failed", "error", err)
			}
		case strings.EqualFold(p, "/metrics"), strings.EqualFold(p, "/prometheus"):
			prom.ServeHTTP(w, r)
		case p == "/version":
			version.ServeHTTP(w, r)
		default:
			http.Error(w, "Not Found", http.StatusNotFound)
		}
	})
}

// Start listens and serves in the background. It fails when the address
// cannot be bound; Flume only logs that, so the agent may choose to go on
// without monitoring.
func (s *Server) Start(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return nil
	}
	addr := net.JoinHostPort(s.cfg.Bind, strconv.Itoa(s.cfg.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("monitoring server: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.srv, s.ln, s.done = srv, ln, make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("monitoring server stopped", "error", err)
		}
	}(s.done)
	format := "json"
	if s.cfg.Format == Prometheus {
		format = "prometheus"
	}
	args := []any{"address", ln.Addr().String(), "metrics", format}
	if p := s.page.Load(); p != nil {
		_ = p.Start(context.Background()) // returns at once, never fails
		args = append(args, "page", "http://"+ln.Addr().String()+"/")
	}
	s.log.Info("monitoring server listening", args...)
	return nil
}

// Addr returns the address the server listens on, or "" when it is not
// running.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Stop closes the listener and waits, up to ctx, for requests in flight.
// It is idempotent.
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.srv, s.ln, s.done = nil, nil, nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	if err != nil {
		_ = srv.Close()
	}
	<-done
	if p := s.page.Load(); p != nil {
		err = errors.Join(err, p.Stop(ctx))
	}
	if err != nil {
		return fmt.Errorf("monitoring server: stop: %w", err)
	}
	return nil
}

// slogErrorLog adapts slog to promhttp's error logger.
type slogErrorLog struct{ log *slog.Logger }

func (l slogErrorLog) Println(v ...any) { l.log.Warn("prometheus handler", "error", fmt.Sprint(v...)) }
