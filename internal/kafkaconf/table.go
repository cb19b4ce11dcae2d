package kafkaconf

import (
	"maps"
	"strings"

	"github.com/flumego/flume"
)

// Table says what flumego does with each property of one Kafka client
// (kafka.producer.* or kafka.consumer.*): every key Java's client knows is
// mapped onto a library option, accepted without effect (with a warning
// saying why), or refused as unsupported. A key in none of them is unknown
// and draws a warning naming it. None is dropped silently.
type Table struct {
	// Kind names the client in messages: "producer" or "consumer".
	Kind string
	// Mapped lists the keys the parser reads, each with what it sets. They
	// are documentation: what a parser reads is what its getters read.
	Mapped map[string]string
	// NoEffect holds keys accepted with a warning, and why they change
	// nothing.
	NoEffect map[string]string
	// Unsupported holds keys whose meaning flumego cannot give: asking for
	// them is an error matching flume.ErrUnsupported rather than a silent
	// downgrade.
	Unsupported map[string]string
}

// Check accounts for every key of p no getter read: a warning for NoEffect
// keys, an Unsupportedf error for Unsupported ones, and a warning for
// unknown ones. It then marks every key of p used, so the agent does not
// report them again.
func (t Table) Check(p *flume.Context) {
	for _, prop := range p.Unused() {
		k := strings.TrimPrefix(prop.Key, p.Prefix())
		switch {
		case t.NoEffect[k] != "":
			p.Warnf(k, "has no effect in flumego (%s)", t.NoEffect[k])
		case t.Unsupported[k] != "":
			p.Unsupportedf(k, "%s", t.Unsupported[k])
		default:
			p.Warnf(k, "unknown Kafka %s property; ignored (the component's documentation lists the supported settings)", t.Kind)
		}
	}
	p.MarkPrefixUsed("")
}

// securityMapped are the security keys ParseSecurity reads, for the
// tables.
var securityMapped = map[string]string{
	"security.protocol":                     "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL",
	"sasl.mechanism":                        "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
	"sasl.jaas.config":                      "the login module's username and password",
	"ssl.truststore.location":               "the trust store (JKS, PKCS12 or PEM)",
	"ssl.truststore.password":               "its password",
	"ssl.truststore.type":                   "JKS, PKCS12 or PEM",
	"ssl.keystore.location":                 "a client certificate (JKS, PKCS12 or PEM)",
	"ssl.keystore.password":                 "its password",
	"ssl.keystore.type":                     "JKS, PKCS12 or PEM",
	"ssl.key.password":                      "must equal ssl.keystore.password",
	"ssl.enabled.protocols":                 "the TLS versions",
	"ssl.cipher.suites":                     "the cipher suites",
	"ssl.protocol":                          "accepted; ssl.enabled.protocols counts",
	"ssl.endpoint.identification.algorithm": "https (the default) checks the broker's host name",
	"ssl.disableTLSHostnameVerification":    "Flume's switch to turn the host name check off",
	"sasl.kerberos.*":                       "part of GSSAPI, which is refused; otherwise no effect",
}

// commonNoEffect are the keys every Java client knows and Go's have no use
// for.
var commonNoEffect = map[string]string{
	"send.buffer.bytes":                      "the system's socket buffer sizes are used",
	"receive.buffer.bytes":                   "the system's socket buffer sizes are used",
	"reconnect.backoff.ms":                   "reconnections follow retry.backoff.ms",
	"reconnect.backoff.max.ms":               "reconnections follow retry.backoff.ms",
	"socket.connection.setup.timeout.max.ms": "socket.connection.setup.timeout.ms bounds each connection",
	"client.dns.lookup":                      "every address a name resolves to is tried",
	"metric.reporters":                       "the component's counters are published by the agent",
	"metrics.num.samples":                    "the component's counters are published by the agent",
	"metrics.sample.window.ms":               "the component's counters are published by the agent",
	"metrics.recording.level":                "the component's counters are published by the agent",
	"ssl.provider":                           "Go's TLS is used",
	"ssl.secure.random.implementation":       "Go's TLS is used",
	"ssl.keymanager.algorithm":               "Go's TLS is used",
	"ssl.trustmanager.algorithm":             "Go's TLS is used",
	"security.providers":                     "Go's TLS is used",
	"sasl.login.refresh.window.factor":       "SASL PLAIN and SCRAM need no login refresh",
	"sasl.login.refresh.window.jitter":       "SASL PLAIN and SCRAM need no login refresh",
	"sasl.login.refresh.min.period.seconds":  "SASL PLAIN and SCRAM need no login refresh",
	"sasl.login.refresh.buffer.seconds":      "SASL PLAIN and SCRAM need no login refresh",
}

// commonUnsupported are the keys every Java client knows and flumego
// cannot honour.
var commonUnsupported = map[string]string{
	"ssl.keystore.certificate.chain":     "inline PEM key stores; put the chain and key in a PEM file and set ssl.keystore.location and ssl.keystore.type = PEM",
	"ssl.keystore.key":                   "inline PEM key stores; put the chain and key in a PEM file and set ssl.keystore.location and ssl.keystore.type = PEM",
	"ssl.truststore.certificates":        "inline PEM trust stores; put the certificates in a PEM file and set ssl.truststore.location and ssl.truststore.type = PEM",
	"ssl.engine.factory.class":           "Java SSL engine factories cannot be loaded",
	"sasl.login.class":                   "Java login classes cannot be loaded",
	"sasl.login.callback.handler.class":  "Java callback handlers cannot be loaded",
	"sasl.client.callback.handler.class": "Java callback handlers cannot be loaded",
}

// merge returns the union of maps, later ones winning.
func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}
