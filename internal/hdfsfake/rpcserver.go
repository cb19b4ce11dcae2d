package hdfsfake

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"

	pb "github.com/flumego/flume/internal/hadooppb"
	"google.golang.org/protobuf/proto"
)

// Hadoop IPC constants (org.apache.hadoop.ipc.RpcConstants, Server).
const (
	ipcVersion           = 9
	authNone             = 0x00
	authSASL             = 0xdf
	callConnectionCtx    = -3
	callPing             = -4
	callSASL             = -33
	clientProtocol       = "org.apache.hadoop.hdfs.protocol.ClientProtocol"
	clientProtocolVer    = 1
	httpOnIPCPortMessage = "It looks like you are making an HTTP request to a Hadoop IPC port. " +
		"This is not the correct port for the web interface on this daemon.\r\n"
)

// errBadFrame is a request the server cannot parse; it closes the
// connection.
var errBadFrame = errors.New("malformed RPC frame")

// readFrame reads one length-prefixed RPC packet of at most max bytes.
// The buffer grows with the bytes that arrive, so a length alone cannot
// make the server allocate.
func readFrame(r io.Reader, max int) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int32(binary.BigEndian.Uint32(hdr[:]))
	if n < 0 || int(n) > max {
		return nil, fmt.Errorf("%w: requested data length %d outside [0, %d]", errBadFrame, n, max)
	}
	buf, err := readN(r, int(n))
	if err != nil {
		return nil, fmt.Errorf("%w: truncated packet: %v", errBadFrame, err)
	}
	return buf, nil
}

// delimited splits a varint-length-prefixed message off b.
func delimited(b []byte) (msg, rest []byte, err error) {
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return nil, nil, fmt.Errorf("%w: bad length prefix", errBadFrame)
	}
	b = b[k:]
	if n > uint64(len(b)) {
		return nil, nil, fmt.Errorf("%w: message of %d bytes with %d left", errBadFrame, n, len(b))
	}
	return b[:n], b[n:], nil
}

// rpcCall is a decoded RPC request packet.
type rpcCall struct {
	header  *pb.RpcRequestHeaderProto
	body    []byte                 // what follows the RPC header
	request *pb.RequestHeaderProto // calls (callId >= 0) only
	payload []byte                 // calls only
}

// parseRPCRequest decodes the headers of an RPC request packet: the
// RpcRequestHeaderProto and, for calls (callId >= 0), the
// RequestHeaderProto and the method's request bytes.
func parseRPCRequest(frame []byte) (*rpcCall, error) {
	hb, rest, err := delimited(frame)
	if err != nil {
		return nil, err
	}
	c := &rpcCall{header: &pb.RpcRequestHeaderProto{}, body: rest}
	if err := proto.Unmarshal(hb, c.header); err != nil {
		return nil, fmt.Errorf("%w: Error decoding RpcRequestHeaderProto: %v", errBadFrame, err)
	}
	if c.header.GetCallId() < 0 {
		return c, nil
	}
	rh, rest, err := delimited(rest)
	if err != nil {
		return c, err
	}
	c.request = &pb.RequestHeaderProto{}
	if err := proto.Unmarshal(rh, c.request); err != nil {
		return c, fmt.Errorf("%w: IPC server unable to read call parameters: %v", errBadFrame, err)
	}
	// Hadoop's RpcProtobufRequest ignores bytes after the payload.
	c.payload, _, err = delimited(rest)
	return c, err
}

// nnConn is one client connection to the NameNode.
type nnConn struct {
	f        *Fake
	c        net.Conn
	br       *bufio.Reader
	machine  string
	sasl     bool // SASL requested and not yet switched to SIMPLE
	ctxRead  bool
	user     string
	clientID []byte // of the request being answered
	retry    int32  // its retry count
}

func (f *Fake) serveNameNode(c net.Conn) {
	s := &nnConn{f: f, c: c, br: bufio.NewReader(c), machine: hostOf(c.RemoteAddr())}
	if err := s.serve(); !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
		f.log.Info("hdfsfake: NameNode connection closed", "client", c.RemoteAddr().String(), "err", err)
	}
}

func hostOf(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	return a.String()
}

func (s *nnConn) serve() error {
	var hdr [7]byte
	if _, err := io.ReadFull(s.br, hdr[:]); err != nil {
		return err
	}
	if string(hdr[:4]) == "GET " {
		s.c.Write([]byte(httpOnIPCPortMessage))
		return errors.New("HTTP request on the IPC port")
	}
	if string(hdr[:4]) != "hrpc" || hdr[4] != ipcVersion {
		msg := fmt.Sprintf("Server IPC version %d cannot communicate with client version %d", ipcVersion, hdr[4])
		s.respondFatal(-1, pb.RpcResponseHeaderProto_FATAL_VERSION_MISMATCH, ExVersionMismatch, msg)
		return errors.New(msg)
	}
	switch hdr[6] {
	case authNone:
	case authSASL:
		s.sasl = true
	default:
		msg := fmt.Sprintf("Unknown auth protocol:%d", hdr[6])
		s.respondFatal(callSASL, pb.RpcResponseHeaderProto_FATAL_UNAUTHORIZED, ExIpc, msg)
		return errors.New(msg)
	}
	for {
		frame, err := readFrame(s.br, s.f.cfg.MaxRPCBytes)
		if err != nil {
			return err
		}
		if err := s.processOne(frame); err != nil {
			return err
		}
	}
}

// fatalError is a failure answered with a FATAL response, after which the
// connection closes.
type fatalError struct {
	callID int32
	code   pb.RpcResponseHeaderProto_RpcErrorCodeProto
	class  string
	msg    string
}

func (e *fatalError) Error() string { return e.class + ": " + e.msg }

func (s *nnConn) processOne(frame []byte) error {
	call, err := parseRPCRequest(frame)
	callID := int32(-1)
	if call != nil {
		callID = call.header.GetCallId()
		s.clientID = call.header.GetClientId()
		s.retry = call.header.GetRetryCount()
	}
	if err == nil {
		err = checkRPCHeader(call)
	}
	if err == nil {
		switch {
		case callID < 0:
			err = s.outOfBand(call)
		case !s.ctxRead:
			err = &fatalError{callID, pb.RpcResponseHeaderProto_FATAL_INVALID_RPC_HEADER, ExIpc, "Connection context not established"}
		default:
			err = s.call(call)
		}
	}
	var fe *fatalError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
	case errors.Is(err, errBadFrame):
		fe = &fatalError{callID, pb.RpcResponseHeaderProto_FATAL_DESERIALIZING_REQUEST, ExIpc, err.Error()}
	default:
		return err
	}
	s.respondFatal(fe.callID, fe.code, fe.class, fe.msg)
	return fe
}

// checkRPCHeader is Server.checkRpcHeaders.
func checkRPCHeader(c *rpcCall) error {
	h := c.header
	switch {
	case h.RpcOp == nil:
		return &fatalError{h.GetCallId(), pb.RpcResponseHeaderProto_FATAL_INVALID_RPC_HEADER, ExIpc, " IPC Server: No rpc op in rpcRequestHeader"}
	case h.GetRpcOp() != pb.RpcRequestHeaderProto_RPC_FINAL_PACKET:
		return &fatalError{h.GetCallId(), pb.RpcResponseHeaderProto_FATAL_INVALID_RPC_HEADER, ExIpc, "IPC Server does not implement rpc header operation" + h.GetRpcOp().String()}
	case h.RpcKind == nil:
		return &fatalError{h.GetCallId(), pb.RpcResponseHeaderProto_FATAL_INVALID_RPC_HEADER, ExIpc, " IPC Server: No rpc kind in rpcRequestHeader"}
	}
	return nil
}

func (s *nnConn) outOfBand(call *rpcCall) error {
	id := call.header.GetCallId()
	invalid := func(msg string) error {
		return &fatalError{id, pb.RpcResponseHeaderProto_FATAL_INVALID_RPC_HEADER, ExIpc, msg}
	}
	switch id {
	case callConnectionCtx:
		if s.sasl {
			return invalid("Connection header sent during SASL negotiation")
		}
		if s.ctxRead {
			return invalid("Connection context already processed")
		}
		b, _, err := delimited(call.body)
		ctx := &pb.IpcConnectionContextProto{}
		if err == nil {
			err = proto.Unmarshal(b, ctx)
		}
		if err != nil {
			return &fatalError{id, pb.RpcResponseHeaderProto_FATAL_DESERIALIZING_REQUEST, ExIpc, "Error decoding IpcConnectionContextProto: " + err.Error()}
		}
		user, real := ctx.GetUserInfo().GetEffectiveUser(), ctx.GetUserInfo().GetRealUser()
		if user == "" {
			return &fatalError{id, pb.RpcResponseHeaderProto_FATAL_UNAUTHORIZED, ExAccessControl, "the connection context names no user"}
		}
		if real != "" && real != user {
			// No hadoop.proxyuser.* rule is configured: nobody may
			// impersonate anybody, as with Hadoop's defaults.
			return &fatalError{id, pb.RpcResponseHeaderProto_FATAL_UNAUTHORIZED, ExAuthorization, "User: " + real + " is not allowed to impersonate " + user}
		}
		s.user = user
		s.ctxRead = true
		return nil
	case callSASL:
		if !s.sasl {
			return invalid("SASL protocol not requested by client")
		}
		return s.saslMessage(call)
	case callPing:
		return nil
	default:
		return invalid(fmt.Sprintf("Unknown out of band call #%d", id))
	}
}

// saslMessage negotiates as a server whose only authentication method is
// SIMPLE: its answer to NEGOTIATE is SUCCESS, which tells the client to
// switch to SIMPLE (Server.buildNegotiateResponse).
func (s *nnConn) saslMessage(call *rpcCall) error {
	fail := func(class, msg string) error {
		return &fatalError{callSASL, pb.RpcResponseHeaderProto_FATAL_UNAUTHORIZED, class, msg}
	}
	b, _, err := delimited(call.body)
	m := &pb.RpcSaslProto{}
	if err == nil {
		err = proto.Unmarshal(b, m)
	}
	if err != nil {
		return &fatalError{callSASL, pb.RpcResponseHeaderProto_FATAL_DESERIALIZING_REQUEST, ExIpc, "Error decoding RpcSaslProto: " + err.Error()}
	}
	switch m.GetState() {
	case pb.RpcSaslProto_NEGOTIATE:
		s.sasl = false
		return s.respond(callSASL, &pb.RpcSaslProto{State: pb.RpcSaslProto_SUCCESS.Enum()}, nil)
	case pb.RpcSaslProto_INITIATE:
		if len(m.GetAuths()) != 1 {
			return fail("javax.security.sasl.SaslException", "Client mechanism is malformed")
		}
		if m.GetAuths()[0].GetMethod() == "SIMPLE" {
			s.sasl = false
			return nil
		}
		return fail(ExAccessControl, m.GetAuths()[0].GetMethod()+" authentication is not enabled.  Available:[SIMPLE]")
	default:
		return fail("javax.security.sasl.SaslException", "Client sent unsupported state "+m.GetState().String())
	}
}

// call runs one ClientProtocol call and answers it; it returns an error
// (ending the connection) only for a request no call can be made of, or
// when the answer cannot be written.
func (s *nnConn) call(call *rpcCall) error {
	id := call.header.GetCallId()
	if call.header.GetRpcKind() != pb.RpcKindProto_RPC_PROTOCOL_BUFFER {
		return &fatalError{id, pb.RpcResponseHeaderProto_FATAL_INVALID_RPC_HEADER, ExIpc, "Unknown rpc kind in rpc header" + call.header.GetRpcKind().String()}
	}
	method := call.request.GetMethodName()
	f := s.f
	f.mu.Lock()
	f.stats.Calls[method]++
	standby := f.standby
	f.mu.Unlock()
	if standby {
		return s.respondError(id, pb.RpcResponseHeaderProto_ERROR_APPLICATION, ExStandby, "Operation category READ is not supported in state standby. Visit https://s.apache.org/sbnn-error")
	}
	refuse := func(code pb.RpcResponseHeaderProto_RpcErrorCodeProto, class, msg string) error {
		f.mu.Lock()
		f.stats.Refused++
		f.mu.Unlock()
		return s.respondError(id, code, class, msg)
	}
	if p := call.request.GetDeclaringClassProtocolName(); p != clientProtocol || call.request.GetClientProtocolVersion() != clientProtocolVer {
		return refuse(pb.RpcResponseHeaderProto_ERROR_NO_SUCH_PROTOCOL, ExNoSuchProtocol, fmt.Sprintf("Unknown protocol: %s version %d (the HDFS fake serves %s version %d only)", p, call.request.GetClientProtocolVersion(), clientProtocol, clientProtocolVer))
	}
	h, ok := nameNodeMethods[method]
	if !ok {
		if clientProtocolMethods[method] {
			return refuse(pb.RpcResponseHeaderProto_ERROR_APPLICATION, ExUnsupported, "the flumego HDFS fake does not implement ClientProtocol."+method)
		}
		return refuse(pb.RpcResponseHeaderProto_ERROR_NO_SUCH_METHOD, ExNoSuchMethod, "Unknown method "+method+" called on "+clientProtocol+" protocol.")
	}
	req := h.newRequest()
	if err := proto.Unmarshal(call.payload, req); err != nil {
		return s.respondError(id, pb.RpcResponseHeaderProto_ERROR_APPLICATION, ExInvalidProtocolBuffer, err.Error())
	}
	f.mu.Lock()
	resp, rerr := h.handle(s, req)
	if rerr != nil && rerr.class == ExUnsupported {
		f.stats.Refused++
	}
	f.mu.Unlock()
	if rerr != nil {
		return s.respondError(id, pb.RpcResponseHeaderProto_ERROR_APPLICATION, rerr.class, rerr.msg)
	}
	return s.respond(id, resp, nil)
}

func (s *nnConn) respondError(callID int32, code pb.RpcResponseHeaderProto_RpcErrorCodeProto, class, msg string) error {
	return s.respond(callID, nil, &pb.RpcResponseHeaderProto{
		Status:             pb.RpcResponseHeaderProto_ERROR.Enum(),
		ExceptionClassName: proto.String(class),
		ErrorMsg:           proto.String(msg),
		ErrorDetail:        code.Enum(),
	})
}

func (s *nnConn) respondFatal(callID int32, code pb.RpcResponseHeaderProto_RpcErrorCodeProto, class, msg string) {
	s.respond(callID, nil, &pb.RpcResponseHeaderProto{
		Status:             pb.RpcResponseHeaderProto_FATAL.Enum(),
		ExceptionClassName: proto.String(class),
		ErrorMsg:           proto.String(msg),
		ErrorDetail:        code.Enum(),
	})
}

// respond writes a response packet: the RpcResponseHeaderProto (hdr, or a
// SUCCESS one) and, on success, the response message, each
// varint-delimited, after the packet's length.
func (s *nnConn) respond(callID int32, resp proto.Message, hdr *pb.RpcResponseHeaderProto) error {
	if hdr == nil {
		hdr = &pb.RpcResponseHeaderProto{Status: pb.RpcResponseHeaderProto_SUCCESS.Enum()}
	}
	hdr.CallId = proto.Uint32(uint32(callID))
	hdr.ServerIpcVersionNum = proto.Uint32(ipcVersion)
	if s.clientID != nil {
		hdr.ClientId = s.clientID
	}
	hdr.RetryCount = proto.Int32(s.retry)
	out := appendDelimited(make([]byte, 4, 64), hdr)
	if resp != nil {
		out = appendDelimited(out, resp)
	}
	binary.BigEndian.PutUint32(out, uint32(len(out)-4))
	_, err := s.c.Write(out)
	return err
}

func appendDelimited(b []byte, m proto.Message) []byte {
	body, err := proto.Marshal(m)
	if err != nil {
		// Every message the fake sends sets its required fields.
		panic(fmt.Sprintf("hdfsfake: marshal %T: %v", m, err))
	}
	b = binary.AppendUvarint(b, uint64(len(body)))
	return append(b, body...)
}
