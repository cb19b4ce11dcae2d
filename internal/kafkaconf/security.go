package kafkaconf

import (
	"crypto/tls"
	"strings"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/tlsconf"
)

// Kafka's security protocols (security.protocol).
const (
	Plaintext     = "PLAINTEXT"
	SSL           = "SSL"
	SASLPlaintext = "SASL_PLAINTEXT"
	SASLSSL       = "SASL_SSL"
)

// SASL mechanisms flumego speaks (sasl.mechanism).
const (
	MechanismPlain       = "PLAIN"
	MechanismScramSHA256 = "SCRAM-SHA-256"
	MechanismScramSHA512 = "SCRAM-SHA-512"
)

// Kafka's JAAS login modules for the mechanisms flumego speaks.
const (
	PlainLoginModule = "org.apache.kafka.common.security.plain.PlainLoginModule"
	ScramLoginModule = "org.apache.kafka.common.security.scram.ScramLoginModule"
)

// Security is what security.protocol and the ssl.* and sasl.* keys of a
// Kafka client set, independent of the client library.
type Security struct {
	// Protocol is Plaintext, SSL, SASLPlaintext or SASLSSL.
	Protocol string
	// Mechanism is the sasl.mechanism asked for (upper case) when
	// Protocol is SASL_*, even one flumego refused (GSSAPI).
	Mechanism string
	// TLS is set for SSL and SASL_SSL.
	TLS *tls.Config
	// SASL is set for SASL_PLAINTEXT and SASL_SSL when the mechanism is
	// usable.
	SASL *SASL
}

// SASL is a SASL login: the mechanism and the credentials of its JAAS
// login module.
type SASL struct {
	// Mechanism is MechanismPlain, MechanismScramSHA256 or
	// MechanismScramSHA512.
	Mechanism string
	// Username and Password are the login module's options.
	Username, Password string
}

// TLSKeys are the Kafka clients' TLS properties, for tlsconf, relative to
// kafka.producer. or kafka.consumer.
var TLSKeys = tlsconf.KeyNames{
	Keystore: "ssl.keystore.location", KeystorePassword: "ssl.keystore.password", KeystoreType: "ssl.keystore.type",
	Truststore: "ssl.truststore.location", TruststorePassword: "ssl.truststore.password", TruststoreType: "ssl.truststore.type",
	IncludeProtocols: "ssl.enabled.protocols", IncludeCipherSuites: "ssl.cipher.suites",
}

// sslKeys are the ssl.* keys parseTLS reads.
var sslKeys = []string{
	TLSKeys.Keystore, TLSKeys.KeystorePassword, TLSKeys.KeystoreType,
	TLSKeys.Truststore, TLSKeys.TruststorePassword, TLSKeys.TruststoreType,
	TLSKeys.IncludeProtocols, TLSKeys.IncludeCipherSuites,
	"ssl.key.password", "ssl.protocol", "ssl.endpoint.identification.algorithm", "ssl.disableTLSHostnameVerification",
}

// ParseSecurity reads the security settings of one Kafka client from p,
// the context of its keys (cfg.Sub(ProducerPrefix) or
// cfg.Sub(ConsumerPrefix)): security.protocol, the ssl.* keys (through
// tlsconf, with g's javax.net.ssl.* stores where they are unset),
// sasl.mechanism with sasl.jaas.config or g's JAAS file, and the
// sasl.kerberos.* keys (GSSAPI is refused with Unsupportedf). Problems are
// recorded in p at the user's keys.
func ParseSecurity(p *flume.Context, g Globals) Security {
	var sc Security
	proto := strings.ToUpper(strings.TrimSpace(p.String("security.protocol", Plaintext)))
	switch proto {
	case Plaintext, SSL, SASLPlaintext, SASLSSL:
		sc.Protocol = proto
	default:
		p.Errorf("security.protocol", "expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")
		sc.Protocol = Plaintext
	}
	if sc.Protocol == SSL || sc.Protocol == SASLSSL {
		sc.TLS = parseTLS(p, g)
	} else {
		// Kept while TLS is off, as Flume users do; the rest of ssl.* is
		// checked against the client's table as usual.
		p.MarkUsed(sslKeys...)
	}
	if strings.HasPrefix(sc.Protocol, "SASL_") {
		sc.Mechanism, sc.SASL = parseSASL(p, g)
	} else {
		p.MarkUsed("sasl.mechanism", "sasl.jaas.config")
	}
	checkKerberosKeys(p, sc)
	return sc
}

// parseTLS builds the TLS configuration from Kafka's ssl.* keys. Kafka 2.x
// checks the broker's host name unless ssl.endpoint.identification.algorithm
// is empty, which Flume's properties cannot express: Flume's
// ssl.disableTLSHostnameVerification = true turns the check off.
func parseTLS(p *flume.Context, g Globals) *tls.Config {
	verify := true
	if alg, ok := p.Lookup("ssl.endpoint.identification.algorithm"); ok && !strings.EqualFold(alg.Value, "https") {
		p.Errorf("ssl.endpoint.identification.algorithm", "expected https (to turn the check off, set ssl.disableTLSHostnameVerification = true)")
	}
	if p.Bool("ssl.disableTLSHostnameVerification", false) {
		verify = false
	}
	p.String("ssl.protocol", "") // the enabled protocols are what counts
	c, _ := tlsconf.ParseClient(p, TLSKeys, g.TLS)
	c.VerifyHostname = verify
	if c.Keystore.Path != "" {
		if kp, ok := p.Lookup("ssl.key.password"); ok && kp.Value != c.Keystore.Password {
			p.Unsupportedf("ssl.key.password", "a key password different from the key store password")
		}
	} else {
		p.MarkUsed("ssl.key.password")
	}
	tc, err := c.Load()
	tlsconf.Report(p, TLSKeys, err)
	return tc
}

// parseSASL reads sasl.mechanism and the JAAS login configuration.
func parseSASL(p *flume.Context, g Globals) (string, *SASL) {
	mech := strings.ToUpper(strings.TrimSpace(p.String("sasl.mechanism", "GSSAPI")))
	var wantModule string
	switch mech {
	case MechanismPlain:
		wantModule = PlainLoginModule
	case MechanismScramSHA256, MechanismScramSHA512:
		wantModule = ScramLoginModule
	case "GSSAPI":
		p.MarkUsed("sasl.jaas.config")
		p.Unsupportedf("sasl.mechanism", "Kerberos (GSSAPI, Kafka's default SASL mechanism); use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
		return mech, nil
	default:
		p.MarkUsed("sasl.jaas.config")
		p.Unsupportedf("sasl.mechanism", "expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
		return mech, nil
	}

	var entries []jaasEntry
	var err error
	if v, ok := p.Lookup("sasl.jaas.config"); ok {
		entries, err = parseJAASConfig(v.Value)
		if err != nil {
			p.Errorf("sasl.jaas.config", "%v", err)
			return mech, nil
		}
	} else if g.LoginConfig != "" {
		entries, err = jaasFileSection(g.LoginConfig, "KafkaClient")
		if err != nil {
			p.Errorf("sasl.mechanism", "no sasl.jaas.config, and -Djava.security.auth.login.config: %v", err)
			return mech, nil
		}
	} else {
		p.Errorf("sasl.jaas.config", "required with sasl.mechanism %s (e.g. %s required username=\"...\" password=\"...\";)", mech, wantModule)
		return mech, nil
	}
	if len(entries) != 1 {
		p.Errorf("sasl.jaas.config", "expected exactly one login module, found %d", len(entries))
		return mech, nil
	}
	e := entries[0]
	if e.module != wantModule {
		p.Warnf("sasl.jaas.config", "login module %s does not match sasl.mechanism %s (expected %s); its username and password are used", e.module, mech, wantModule)
	}
	user, pass := e.options["username"], e.options["password"]
	if user == "" {
		p.Errorf("sasl.jaas.config", "the login module has no username option")
		return mech, nil
	}
	return mech, &SASL{Mechanism: mech, Username: user, Password: pass}
}

// checkKerberosKeys accounts for the sasl.kerberos.* keys: part of the
// refused GSSAPI setup, or without effect.
func checkKerberosKeys(p *flume.Context, sc Security) {
	for _, k := range p.Keys() {
		if !strings.HasPrefix(k, "sasl.kerberos.") {
			continue
		}
		p.MarkUsed(k)
		switch {
		case sc.Mechanism == "GSSAPI":
			// Part of the setup already refused at sasl.mechanism.
		case sc.Mechanism == "":
			p.Warnf(k, "has no effect: security.protocol %s uses no SASL", sc.Protocol)
		default:
			p.Warnf(k, "has no effect: Kerberos is not used (sasl.mechanism is %s)", sc.Mechanism)
		}
	}
}
