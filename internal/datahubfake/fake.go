package datahubfake

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Record types.
const (
	Tuple = "TUPLE"
	Blob  = "BLOB"
)

// Shard states.
const (
	Active  = "ACTIVE"
	Closed  = "CLOSED"
	Opening = "OPENING"
	Closing = "CLOSING"
)

// Field is a column of a tuple topic.
type Field struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	NotNull bool   `json:"notnull"`
	Comment string `json:"comment,omitempty"`
}

// TopicSpec describes a topic to create.
type TopicSpec struct {
	// RecordType is Tuple (default when Fields are given) or Blob.
	RecordType string
	Fields     []Field
	// Shards is the number of ACTIVE shards created (default 1).
	Shards int
}

// Value is one tuple column as received: a string or null.
type Value struct {
	S    string
	Null bool
}

// Record is a stored (or received) record.
type Record struct {
	Shard        string
	Values       []Value // tuple records
	Blob         []byte  // blob records
	PartitionKey string
	HashKey      string
	Attributes   map[string]string
	Sequence     int64
	SystemTime   int64 // milliseconds
}

// Stats counts what the fake saw. RecordsReceived counts every record of
// every PutRecords request that passed authentication and decoding,
// including records that then failed, so a test can tell how many records
// a client sent in total.
type Stats struct {
	PutRequests     int64
	FailedRequests  int64 // whole put requests answered with an error
	RecordsReceived int64
	RecordsStored   int64
	RecordsFailed   int64 // records listed as failed in a PutRecords answer
	AuthFailures    int64
}

type shard struct {
	id    string
	state string
	seq   int64
}

type topic struct {
	spec    TopicSpec
	shards  []*shard
	records []Record
	created int64
}

type requestFault struct {
	remaining  int // < 0: until cleared
	status     int
	code, msg  string
	byShardToo bool
}

type recordFault struct {
	remaining int // < 0: until cleared
	code, msg string
	match     func(Record) bool
}

// Server is the fake DataHub service. Its methods are safe for concurrent
// use; serve it with Start or use it as an http.Handler.
type Server struct {
	// MaxBodyBytes bounds request bodies, compressed and decompressed
	// (default 8 MiB). Set before serving.
	MaxBodyBytes int64
	// MaxSkew is the largest accepted difference between a request's Date
	// and Now (default 15 minutes).
	MaxSkew time.Duration
	// Now is the fake's clock (default time.Now).
	Now func() time.Time
	// DiscardRecords makes the fake count and validate records (and pass
	// them to OnStore) without keeping them, for long runs. Set before
	// serving.
	DiscardRecords bool
	// OnStore, when set, is called with every batch of records stored by
	// one request, in the order they were stored. It must not call the
	// Server's methods. Set before serving.
	OnStore func(project, topic string, recs []Record)

	keys map[string]string // access id -> key

	mu       sync.Mutex
	projects map[string]map[string]*topic
	reqFault *requestFault
	recFault *recordFault
	stats    Stats
	reqID    int64
	storeMu  sync.Mutex // orders OnStore calls

	srv *http.Server
	ln  net.Listener
	wg  sync.WaitGroup
}

// New returns a fake that accepts requests signed with accessID/accessKey.
func New(accessID, accessKey string) *Server {
	return &Server{
		keys:     map[string]string{accessID: accessKey},
		projects: map[string]map[string]*topic{},
	}
}

// CreateTopic creates project/topic (and the project when needed).
func (s *Server) CreateTopic(project, name string, spec TopicSpec) error {
	if spec.RecordType == "" {
		spec.RecordType = Tuple
		if len(spec.Fields) == 0 {
			spec.RecordType = Blob
		}
	}
	switch spec.RecordType {
	case Tuple:
		if len(spec.Fields) == 0 {
			return fmt.Errorf("tuple topic %s/%s needs fields", project, name)
		}
		seen := map[string]bool{}
		for _, f := range spec.Fields {
			if !knownType(f.Type) {
				return fmt.Errorf("field %q: unknown type %q", f.Name, f.Type)
			}
			if f.Name == "" || seen[f.Name] {
				return fmt.Errorf("field name %q empty or repeated", f.Name)
			}
			seen[f.Name] = true
		}
	case Blob:
		if len(spec.Fields) != 0 {
			return fmt.Errorf("blob topic %s/%s has no fields", project, name)
		}
	default:
		return fmt.Errorf("record type %q: expected TUPLE or BLOB", spec.RecordType)
	}
	if spec.Shards <= 0 {
		spec.Shards = 1
	}
	t := &topic{spec: spec, created: s.now().Unix()}
	for i := 0; i < spec.Shards; i++ {
		t.shards = append(t.shards, &shard{id: strconv.Itoa(i), state: Active})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.projects[project] == nil {
		s.projects[project] = map[string]*topic{}
	}
	if s.projects[project][name] != nil {
		return fmt.Errorf("topic %s/%s already exists", project, name)
	}
	s.projects[project][name] = t
	return nil
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) lookup(project, name string) (*topic, *apiError) {
	p := s.projects[project]
	if p == nil {
		return nil, &apiError{http.StatusNotFound, "NoSuchProject", "The specified project name does not exist."}
	}
	t := p[name]
	if t == nil {
		return nil, &apiError{http.StatusNotFound, "NoSuchTopic", "The specified topic name does not exist."}
	}
	return t, nil
}

// Records returns a copy of the records stored in project/topic, in the
// order they were stored.
func (s *Server) Records(project, name string) []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, _ := s.lookup(project, name)
	if t == nil {
		return nil
	}
	return append([]Record(nil), t.records...)
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// FailRequests makes the next n PutRecords requests (by topic, and by shard
// too) fail whole with status and code; n < 0 fails them until ClearFaults.
// Nothing of a failed request is stored.
func (s *Server) FailRequests(n, status int, code, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqFault = &requestFault{remaining: n, status: status, code: code, msg: msg, byShardToo: true}
}

// FailRecords makes the next n records for which match returns true (all
// records when match is nil) fail with code inside otherwise successful
// PutRecords requests; n < 0 fails them until ClearFaults. In a
// PutRecordsByShard request such a record fails the whole request.
func (s *Server) FailRecords(n int, code, msg string, match func(Record) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recFault = &recordFault{remaining: n, code: code, msg: msg, match: match}
}

// ClearFaults removes every injected failure.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqFault, s.recFault = nil, nil
}

// SetShardState sets a shard's state (Active, Closed, Opening, Closing).
func (s *Server) SetShardState(project, name, id, state string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, e := s.lookup(project, name)
	if e != nil {
		return errors.New(e.Message)
	}
	for _, sh := range t.shards {
		if sh.id == id {
			sh.state = state
			return nil
		}
	}
	return fmt.Errorf("no shard %q in %s/%s", id, project, name)
}

// AddShard adds an ACTIVE shard (as a split or merge does) and returns its
// id.
func (s *Server) AddShard(project, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, e := s.lookup(project, name)
	if e != nil {
		return "", errors.New(e.Message)
	}
	id := strconv.Itoa(len(t.shards))
	t.shards = append(t.shards, &shard{id: id, state: Active})
	return id, nil
}

// Start serves the fake on addr ("127.0.0.1:0" for a free port) and returns
// its base URL.
func (s *Server) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("datahub fake: %w", err)
	}
	s.mu.Lock()
	s.ln = ln
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	srv := s.srv
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = srv.Serve(ln)
	}()
	return "http://" + ln.Addr().String(), nil
}

// Close stops serving; it waits for the server goroutine.
func (s *Server) Close() error {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err != nil {
		_ = srv.Close()
	}
	s.wg.Wait()
	return err
}

// route picks the shard of a record sent by topic: its ShardId, else a hash
// of its HashKey or PartitionKey over the active shards.
func route(t *topic, r *Record) (*shard, *apiError) {
	if r.Shard != "" {
		for _, sh := range t.shards {
			if sh.id == r.Shard {
				if sh.state != Active {
					return nil, &apiError{http.StatusBadRequest, "InvalidShardOperation", "The specified shard is not active."}
				}
				return sh, nil
			}
		}
		return nil, &apiError{http.StatusNotFound, "NoSuchShard", "The specified shard does not exist."}
	}
	key := r.HashKey
	if key == "" {
		key = r.PartitionKey
	}
	if key == "" {
		return nil, &apiError{http.StatusBadRequest, "MalformedRecord", "Record must specify ShardId, HashKey or PartitionKey."}
	}
	var active []*shard
	for _, sh := range t.shards {
		if sh.state == Active {
			active = append(active, sh)
		}
	}
	if len(active) == 0 {
		return nil, &apiError{http.StatusBadRequest, "InvalidShardOperation", "The topic has no active shard."}
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return active[h.Sum32()%uint32(len(active))], nil
}
