package avroclient

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/flumego/flume"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/rpc"
)

// DefaultBatchSize is the avro-client's batch size with -H/-p, as Flume's
// (BATCH_SIZE = 5).
const DefaultBatchSize = 5

const usage = `usage: flume-ng avro-client [-F <file> | --dirname <dir>] [-H <host> -p <port> | -P <file>] [-R <file>] [-b <n>] [-h]
 -b,--batch-size <n>     events per appendBatch call (default 5 with -H/-p,
                         batch-size of the -P file otherwise); a flumego addition
    --dirname <dir>      directory to stream to the avro source: each file is
                         sent, then renamed <name>.COMPLETED
 -F,--filename <file>    file to stream to the avro source (default: stdin)
 -H,--host <host>        hostname of the avro source
 -h,--help               display help text
 -P,--rpcProps <file>    RPC client properties file with server connection params
 -p,--port <port>        port of the avro source
 -R,--headerFile <file>  file containing headers as key/value pairs on each new line
The --dirname option assumes that a spooling directory exists where immutable
log files are dropped. Each line of input becomes one event.
`

type options struct {
	host, port, rpcProps, filename, dirname, headerFile, batch string
	help                                                       bool
}

var optionNames = map[string]string{
	"H": "host", "host": "host", "p": "port", "port": "port", "P": "rpcProps", "rpcProps": "rpcProps",
	"F": "filename", "filename": "filename", "dirname": "dirname", "R": "headerFile", "headerFile": "headerFile",
	"b": "batch-size", "batch-size": "batch-size", "h": "help", "help": "help",
}

// parseArgs reads Commons-CLI style options: -H host, -Hhost, --host host,
// --host=host.
func parseArgs(args []string) (options, error) {
	var o options
	set := map[string]*string{"host": &o.host, "port": &o.port, "rpcProps": &o.rpcProps, "filename": &o.filename,
		"dirname": &o.dirname, "headerFile": &o.headerFile, "batch-size": &o.batch}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			return o, fmt.Errorf("unexpected argument %q", a)
		}
		name, value, hasValue := "", "", false
		if long, ok := strings.CutPrefix(a, "--"); ok {
			name, value, hasValue = strings.Cut(long, "=")
		} else {
			name = a[1:2]
			if len(a) > 2 {
				value, hasValue = a[2:], true
			}
		}
		canon, ok := optionNames[name]
		if !ok {
			return o, fmt.Errorf("unrecognized option: %s", a)
		}
		if canon == "help" {
			o.help = true
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return o, fmt.Errorf("missing argument for option: %s", canon)
			}
			i++
			value = args[i]
		}
		*set[canon] = value
	}
	return o, nil
}

// Main runs `flume-ng avro-client` with args (the words after the
// subcommand) and returns the exit status.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	if err == nil && o.help {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err == nil {
		err = run(ctx, o, stdin, stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "flume-ng avro-client:", err)
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprint(stderr, usage)
		}
		return 1
	}
	return 0
}

type usageError struct{ error }

func run(ctx context.Context, o options, stdin io.Reader, stderr io.Writer) error {
	if o.filename != "" && o.dirname != "" {
		return usageError{errors.New("--filename and --dirname options cannot be used simultaneously")}
	}
	var props map[string]string
	switch {
	case o.rpcProps != "":
		p, err := readProperties(o.rpcProps)
		if err != nil {
			return fmt.Errorf("RPC client properties file: %w", err)
		}
		props = p
	case o.host == "" && o.port == "":
		return usageError{errors.New("either --rpcProps or both --host and --port must be specified")}
	case o.port == "":
		return usageError{errors.New("you must specify a port to connect to with --port")}
	case o.host == "":
		return usageError{errors.New("you must specify a hostname to connect to with --host")}
	default:
		port, err := flume.ParseJavaInt(o.port, 32)
		if err != nil || port < 0 || port > 65535 {
			return usageError{fmt.Errorf("invalid port %q", o.port)}
		}
		props = map[string]string{"hosts": "h1", "hosts.h1": net.JoinHostPort(o.host, strconv.Itoa(int(port))),
			"batch-size": strconv.Itoa(DefaultBatchSize)}
	}
	if o.batch != "" {
		n, err := flume.ParseJavaInt(o.batch, 32)
		if err != nil || n < 1 {
			return usageError{fmt.Errorf("invalid batch size %q (expected a positive integer)", o.batch)}
		}
		props["batch-size"] = strconv.Itoa(int(n))
	}
	// Every event carries the header file's headers: the events share
	// them, which is allowed as nobody modifies them.
	var proto flume.Event
	if o.headerFile != "" {
		h, err := readProperties(o.headerFile)
		if err != nil {
			return fmt.Errorf("header file: %w", err)
		}
		for _, k := range slices.Sorted(maps.Keys(h)) {
			proto.SetHeader(k, h[k])
		}
	}
	client, err := rpc.NewClient(props)
	if err != nil {
		return fmt.Errorf("unable to open connection to Flume: %w", err)
	}
	defer client.Close()
	s := &sender{ctx: ctx, client: client, proto: proto}
	switch {
	case o.dirname != "":
		err = s.sendDir(o.dirname)
	case o.filename != "":
		var f *os.File
		if f, err = os.Open(o.filename); err == nil {
			err = s.sendLines(f)
			f.Close()
		}
	default:
		err = s.sendLines(stdin)
	}
	if err != nil {
		return fmt.Errorf("unable to send data to Flume (%d events sent): %w", s.sent, err)
	}
	return nil
}

func readProperties(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := conf.Parse(path, data)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, prop := range p.All() {
		m[prop.Key] = prop.Value
	}
	return m, nil
}

type sender struct {
	ctx    context.Context
	client rpc.Client
	proto  flume.Event // the headers of every event
	sent   int64
}

// sendLines sends every line of r, batch by batch.
func (s *sender) sendLines(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	sc.Split(scanLines)
	batch := make([]flume.Event, 0, s.client.BatchSize())
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := s.client.AppendBatch(s.ctx, batch); err != nil {
			return err
		}
		s.sent += int64(len(batch))
		batch = batch[:0]
		return nil
	}
	for sc.Scan() {
		e := s.proto
		e.Body = bytes.Clone(sc.Bytes())
		batch = append(batch, e)
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	return flush()
}

// scanLines splits on "\n", "\r\n" or a lone "\r", as Java's
// BufferedReader.readLine.
func scanLines(data []byte, atEOF bool) (int, []byte, error) {
	for i, c := range data {
		switch c {
		case '\n':
			return i + 1, data[:i], nil
		case '\r':
			if i+1 < len(data) {
				if data[i+1] == '\n' {
					return i + 2, data[:i], nil
				}
				return i + 1, data[:i], nil
			}
			if atEOF {
				return i + 1, data[:i], nil
			}
			return 0, nil, nil // need to see whether "\n" follows
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// completedSuffix marks files already sent, as the spooldir source's
// default fileSuffix.
const completedSuffix = ".COMPLETED"

// sendDir sends the files of a spooling directory, oldest first, renaming
// each to <name>.COMPLETED once all its lines were sent.
func (s *sender) sendDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	type file struct {
		name string
		mod  int64
	}
	var files []file
	for _, e := range entries {
		n := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(n, ".") || strings.HasSuffix(n, completedSuffix) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		files = append(files, file{n, info.ModTime().UnixNano()})
	}
	sort.Slice(files, func(i, j int) bool {
		if files[i].mod != files[j].mod {
			return files[i].mod < files[j].mod
		}
		return files[i].name < files[j].name
	})
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		done := path + completedSuffix
		if _, err := os.Stat(done); err == nil {
			return fmt.Errorf("%s: %s already exists (a file name was re-used)", path, done)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		err = s.sendLines(in)
		in.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := os.Rename(path, done); err != nil {
			return err
		}
	}
	return nil
}
