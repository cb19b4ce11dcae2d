package kafkaconf

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

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
