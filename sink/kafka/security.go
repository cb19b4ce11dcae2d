package kafka

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/sysprop"
	"github.com/flumego/flume/internal/tlsconf"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// securityConfig is what security.protocol and the ssl.* and sasl.* keys
// set.
type securityConfig struct {
	// Protocol is PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.
	Protocol string
	// Mechanism is the SASL mechanism (upper case) when Protocol is SASL_*.
	Mechanism string
	// TLS is set for SSL and SASL_SSL.
	TLS *tls.Config
	// SASL is set for SASL_PLAINTEXT and SASL_SSL.
	SASL sasl.Mechanism
}

// securityKeys are the producer keys parseSecurity reads.
var securityKeys = map[string]bool{
	"security.protocol": true, "sasl.mechanism": true, "sasl.jaas.config": true,
	"ssl.truststore.location": true, "ssl.truststore.password": true, "ssl.truststore.type": true,
	"ssl.keystore.location": true, "ssl.keystore.password": true, "ssl.keystore.type": true,
	"ssl.key.password": true, "ssl.enabled.protocols": true, "ssl.cipher.suites": true,
	"ssl.endpoint.identification.algorithm": true, "ssl.disableTLSHostnameVerification": true,
}

// Kafka's JAAS login modules for the mechanisms flumego supports.
const (
	plainLoginModule = "org.apache.kafka.common.security.plain.PlainLoginModule"
	scramLoginModule = "org.apache.kafka.common.security.scram.ScramLoginModule"
)

func parseSecurity(p *flume.Context, unsupported *bool) securityConfig {
	var sc securityConfig
	proto := strings.ToUpper(strings.TrimSpace(p.String("security.protocol", "PLAINTEXT")))
	switch proto {
	case "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL":
		sc.Protocol = proto
	default:
		p.Errorf("security.protocol", "expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")
		sc.Protocol = "PLAINTEXT"
	}
	if sc.Protocol == "SSL" || sc.Protocol == "SASL_SSL" {
		sc.TLS = clientTLS(p)
	} else {
		p.MarkPrefixUsed("ssl.")
	}
	if strings.HasPrefix(sc.Protocol, "SASL_") {
		sc.Mechanism, sc.SASL = saslOf(p, unsupported)
	} else {
		p.MarkUsed("sasl.mechanism", "sasl.jaas.config")
	}
	return sc
}

// tlsKeys are the Kafka client's TLS properties, for tlsconf.
var tlsKeys = tlsconf.KeyNames{
	Keystore: "ssl.keystore.location", KeystorePassword: "ssl.keystore.password", KeystoreType: "ssl.keystore.type",
	Truststore: "ssl.truststore.location", TruststorePassword: "ssl.truststore.password", TruststoreType: "ssl.truststore.type",
	IncludeProtocols: "ssl.enabled.protocols", IncludeCipherSuites: "ssl.cipher.suites",
}

// clientTLS builds the TLS configuration from Kafka's ssl.* keys through
// the project's shared TLS loader (JKS, PKCS12, PEM). Store settings left
// unset come from the global javax.net.ssl.* ones, as Flume's
// KafkaSSLUtil.addGlobalSSLParameters adds them, the key store included.
func clientTLS(p *flume.Context) *tls.Config {
	verify := true // Kafka 2.x checks the broker's host name by default
	if alg, ok := p.Lookup("ssl.endpoint.identification.algorithm"); ok {
		switch {
		case strings.EqualFold(alg.Value, "https"):
		default:
			p.Errorf("ssl.endpoint.identification.algorithm", "expected https (to turn the check off, set ssl.disableTLSHostnameVerification = true)")
		}
	}
	if p.Bool("ssl.disableTLSHostnameVerification", false) {
		verify = false
	}
	c, _ := tlsconf.ParseClient(p, tlsKeys, tlsconf.SystemGlobal())
	c.VerifyHostname = verify
	if c.Keystore.Path != "" {
		if kp, ok := p.Lookup("ssl.key.password"); ok && kp.Value != c.Keystore.Password {
			p.Errorf("ssl.key.password", "a key password different from the key store password is not supported")
		}
	} else {
		p.MarkUsed("ssl.key.password")
	}
	tc, err := c.Load()
	tlsconf.Report(p, tlsKeys, err)
	return tc
}

// saslOf reads sasl.mechanism and the JAAS login configuration.
func saslOf(p *flume.Context, unsupported *bool) (string, sasl.Mechanism) {
	mech := strings.ToUpper(strings.TrimSpace(p.String("sasl.mechanism", "GSSAPI")))
	var wantModule string
	switch mech {
	case "PLAIN":
		wantModule = plainLoginModule
	case "SCRAM-SHA-256", "SCRAM-SHA-512":
		wantModule = scramLoginModule
	case "GSSAPI":
		*unsupported = true
		p.MarkPrefixUsed("sasl.kerberos.")
		p.MarkUsed("sasl.jaas.config")
		p.Errorf("sasl.mechanism", "not supported by flumego: Kerberos (GSSAPI, Kafka's default SASL mechanism); use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
		return mech, nil
	default:
		*unsupported = true
		p.MarkUsed("sasl.jaas.config")
		p.Errorf("sasl.mechanism", "not supported by flumego: expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
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
	} else if file, ok := sysprop.Get("java.security.auth.login.config"); ok && file != "" {
		entries, err = jaasFileSection(file, "KafkaClient")
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
	switch mech {
	case "PLAIN":
		return mech, plain.Mechanism{Username: user, Password: pass}
	default:
		algo := scram.SHA256
		if mech == "SCRAM-SHA-512" {
			algo = scram.SHA512
		}
		m, err := scram.Mechanism(algo, user, pass)
		if err != nil {
			p.Errorf("sasl.jaas.config", "SCRAM: %v", err)
			return mech, nil
		}
		return mech, m
	}
}

// jaasEntry is one login module of a JAAS configuration.
type jaasEntry struct {
	module  string
	flag    string
	options map[string]string
}

// parseJAASConfig parses the value of sasl.jaas.config: one or more
// "<LoginModule> <flag> key=value ... ;" entries, values quoted with " or '
// or bare words.
func parseJAASConfig(s string) ([]jaasEntry, error) {
	toks, err := jaasTokens(s)
	if err != nil {
		return nil, err
	}
	entries, rest, err := jaasEntries(toks)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("unexpected %q after the last login module", rest[0].text)
	}
	if len(entries) == 0 {
		return nil, errors.New("no login module")
	}
	return entries, nil
}

// jaasFileSection reads a JAAS configuration file and returns the entries of
// one application section ("KafkaClient { ... };").
func jaasFileSection(path, section string) ([]jaasEntry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	toks, err := jaasTokens(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for len(toks) > 0 {
		if len(toks) < 2 || toks[0].quoted || toks[1].text != "{" || toks[1].quoted {
			return nil, fmt.Errorf("%s: expected \"<name> {\"", path)
		}
		name := toks[0].text
		entries, rest, err := jaasEntries(toks[2:])
		if err != nil {
			return nil, fmt.Errorf("%s: section %s: %w", path, name, err)
		}
		if len(rest) < 2 || rest[0].text != "}" || rest[1].text != ";" {
			return nil, fmt.Errorf("%s: section %s: expected \"};\"", path, name)
		}
		if name == section {
			return entries, nil
		}
		toks = rest[2:]
	}
	return nil, fmt.Errorf("%s: no %s section", path, section)
}

type jaasToken struct {
	text   string
	quoted bool
}

// jaasEntries parses entries until a "}" or the end.
func jaasEntries(toks []jaasToken) ([]jaasEntry, []jaasToken, error) {
	var out []jaasEntry
	for len(toks) > 0 && !(toks[0].text == "}" && !toks[0].quoted) {
		if len(toks) < 2 || toks[0].quoted || toks[1].quoted {
			return nil, nil, errors.New("expected \"<LoginModule> <flag>\"")
		}
		e := jaasEntry{module: toks[0].text, flag: strings.ToLower(toks[1].text), options: map[string]string{}}
		switch e.flag {
		case "required", "requisite", "sufficient", "optional":
		default:
			return nil, nil, fmt.Errorf("login module %s: flag %q is not required, requisite, sufficient or optional", e.module, toks[1].text)
		}
		toks = toks[2:]
		for {
			if len(toks) == 0 {
				return nil, nil, fmt.Errorf("login module %s: missing \";\"", e.module)
			}
			if toks[0].text == ";" && !toks[0].quoted {
				toks = toks[1:]
				break
			}
			if len(toks) < 3 || toks[0].quoted || toks[1].text != "=" || toks[1].quoted {
				return nil, nil, fmt.Errorf("login module %s: expected key=value", e.module)
			}
			e.options[toks[0].text] = toks[2].text
			toks = toks[3:]
		}
		out = append(out, e)
	}
	return out, toks, nil
}

// jaasTokens splits JAAS text into words, quoted strings and the
// punctuation { } ; =, skipping // and /* */ comments.
func jaasTokens(s string) ([]jaasToken, error) {
	var out []jaasToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(s[i:], "//"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return nil, errors.New("unterminated comment")
			}
			i += end + 4
		case c == '{' || c == '}' || c == ';' || c == '=':
			out = append(out, jaasToken{text: string(c)})
			i++
		case c == '"' || c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, errors.New("unterminated quoted value")
			}
			out = append(out, jaasToken{text: b.String(), quoted: true})
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n{};=\"'", rune(s[j])) {
				j++
			}
			out = append(out, jaasToken{text: s[i:j]})
			i = j
		}
	}
	return out, nil
}
