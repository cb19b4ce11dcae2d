package avrorpc

import (
	"crypto/md5"
	"encoding/json"
	"fmt"
)

// ProtocolJSON is Flume's AvroSourceProtocol exactly as Avro's
// Protocol.toString renders it from flume.avdl, license doc comment included.
// Its MD5 (ProtocolHash) is what Java Flume sends and expects in the
// handshake.
const ProtocolJSON = `{"protocol":"AvroSourceProtocol","namespace":"org.apache.flume.source.avro","doc":"* Licensed to the Apache Software Foundation (ASF) under one\n * or more contributor license agreements.  See the NOTICE file\n * distributed with this work for additional information\n * regarding copyright ownership.  The ASF licenses this file\n * to you under the Apache License, Version 2.0 (the\n * \"License\"); you may not use this file except in compliance\n * with the License.  You may obtain a copy of the License at\n *\n * http://www.apache.org/licenses/LICENSE-2.0\n *\n * Unless required by applicable law or agreed to in writing,\n * software distributed under the License is distributed on an\n * \"AS IS\" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY\n * KIND, either express or implied.  See the License for the\n * specific language governing permissions and limitations\n * under the License.","types":[{"type":"enum","name":"Status","symbols":["OK","FAILED","UNKNOWN"]},{"type":"record","name":"AvroFlumeEvent","fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]}],"messages":{"append":{"request":[{"name":"event","type":"AvroFlumeEvent"}],"response":"Status"},"appendBatch":{"request":[{"name":"events","type":{"type":"array","items":"AvroFlumeEvent"}}],"response":"Status"}}}`

// ProtocolHash is the MD5 of ProtocolJSON: 86aadae2c45474c0fe93ffd0f2350a65.
var ProtocolHash = MD5(md5.Sum([]byte(ProtocolJSON)))

// MD5 is an Avro protocol hash (the handshake's fixed MD5 type).
type MD5 [16]byte

// String returns the hash in lower-case hex.
func (h MD5) String() string { return fmt.Sprintf("%x", h[:]) }

// Message names of AvroSourceProtocol.
const (
	MessageAppend      = "append"
	MessageAppendBatch = "appendBatch"
)

// Status is the answer to append and appendBatch (the Avro enum Status).
type Status int

// Status values, in the enum's ordinal order.
const (
	OK Status = iota
	Failed
	Unknown
)

// String returns Flume's name of the status: OK, FAILED or UNKNOWN.
func (s Status) String() string {
	switch s {
	case OK:
		return "OK"
	case Failed:
		return "FAILED"
	case Unknown:
		return "UNKNOWN"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// compatibleProtocol reports whether a protocol text a client sent in its
// handshake declares AvroSourceProtocol's messages, so that its calls can be
// read with our schemas (Flume builds differ only in the doc text).
func compatibleProtocol(text string) error {
	var p struct {
		Protocol string `json:"protocol"`
		Messages map[string]struct {
			Request []struct {
				Name string `json:"name"`
			} `json:"request"`
			Response any `json:"response"`
		} `json:"messages"`
	}
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		return fmt.Errorf("client protocol is not valid JSON: %w", err)
	}
	if len(p.Messages) == 0 {
		return fmt.Errorf("client protocol %q declares no messages", p.Protocol)
	}
	for name, m := range p.Messages {
		if name != MessageAppend && name != MessageAppendBatch {
			return fmt.Errorf("client protocol %q declares message %q, which AvroSourceProtocol does not have", p.Protocol, name)
		}
		if len(m.Request) != 1 {
			return fmt.Errorf("client protocol %q: message %q must take exactly one parameter", p.Protocol, name)
		}
	}
	return nil
}
