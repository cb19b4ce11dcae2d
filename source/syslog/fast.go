package syslog

// match5424 is a fast path for rfc5424.FindStringSubmatchIndex on the
// messages senders write (single spaces between the parts, a timestamp in
// the usual shape): it returns the same submatch indexes, decided true,
// when it can tell, and decided false when the message needs the regular
// expression's answer (which may still be a match). TestFastPath holds it
// against the expression.
func match5424(s string) (g []int, decided bool) {
	n := len(s)
	i, ok := priorityEnd(s)
	if !ok {
		return nil, true // neither pattern matches without "<PRI>"
	}
	// After the priority comes a digit (the version or the timestamp),
	// white space or "-"; anything else is no RFC 5424 message.
	if i == n || !(isDigit(s[i]) || s[i] == '-' || isSpace(s[i])) {
		return nil, true
	}
	g = make([]int, 12)
	g[0], g[1] = 0, n
	g[2], g[3] = 1, i-1
	// The version: a digit and a space, or none when the timestamp (four
	// digits and '-') or "-" follows at once.
	switch {
	case i+1 < n && isDigit(s[i]) && s[i+1] == ' ':
		g[4], g[5] = i, i+1
		i += 2
	case i < n && (s[i] == '-' || isDigit(s[i])):
		g[4], g[5] = i, i
	default:
		return nil, false
	}
	// The timestamp or "-".
	if i < n && s[i] == '-' {
		g[6], g[7] = -1, -1
		i++
	} else {
		end, ok := stampEnd(s, i)
		if !ok {
			return nil, false
		}
		g[6], g[7] = i, end
		i = end
	}
	if i >= n || s[i] != ' ' {
		return nil, false
	}
	i++
	// The host or "-".
	if i < n && s[i] == '-' {
		g[8], g[9] = -1, -1
		i++
	} else {
		start := i
		if i >= n || !isWord(s[i]) {
			return nil, false
		}
		for i < n && (isWord(s[i]) || s[i] == '.' || s[i] == '@' || s[i] == '-') {
			i++
		}
		g[8], g[9] = start, i
	}
	if i >= n || s[i] != ' ' {
		return nil, false
	}
	i++
	// The text: no Java line terminator.
	if !plainText(s, i) {
		return nil, false
	}
	g[10], g[11] = i, n
	return g, true
}

// priorityEnd returns the offset after "<PRI>" (one to three digits), as
// both patterns start; false when s does not start so.
func priorityEnd(s string) (int, bool) {
	if len(s) < 3 || s[0] != '<' {
		return 0, false
	}
	i := 1
	for i < len(s) && i <= 3 && isDigit(s[i]) {
		i++
	}
	if i == 1 || i >= len(s) || s[i] != '>' {
		return 0, false
	}
	return i + 1, true
}

// plainText reports whether s[i:] holds no Java line terminator (\n, \r,
// U+0085, U+2028, U+2029), which the patterns' "." does not match.
func plainText(s string, i int) bool {
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\n', '\r':
			return false
		case 0xc2:
			if j+1 < len(s) && s[j+1] == 0x85 {
				return false
			}
		case 0xe2:
			if j+2 < len(s) && s[j+1] == 0x80 && (s[j+2] == 0xa8 || s[j+2] == 0xa9) {
				return false
			}
		}
	}
	return true
}

// match3164 is the fast path of rfc3164.FindStringSubmatchIndex, for
// messages without a version digit: "<PRI>Mmm dd HH:mm:ss HOST TEXT" with
// single spaces (two before a one-digit day).
func match3164(s string) (g []int, decided bool) {
	n := len(s)
	i, ok := priorityEnd(s)
	if !ok {
		return nil, true
	}
	if i+15 > n || !(s[i] >= 'A' && s[i] <= 'Z') || !(s[i+1] >= 'a' && s[i+1] <= 'z') || !(s[i+2] >= 'a' && s[i+2] <= 'z') || s[i+3] != ' ' {
		return nil, false
	}
	g = make([]int, 12)
	g[0], g[1] = 0, n
	g[2], g[3] = 1, i-1
	g[4], g[5] = -1, -1
	start := i
	j := i + 4
	if s[j] == ' ' {
		j++
	}
	d := j
	for j < n && j < d+2 && isDigit(s[j]) {
		j++
	}
	if j == d || j+9 > n || s[j] != ' ' || !isDigit(s[j+1]) || !isDigit(s[j+2]) || s[j+3] != ':' || !isDigit(s[j+4]) ||
		!isDigit(s[j+5]) || s[j+6] != ':' || !isDigit(s[j+7]) || !isDigit(s[j+8]) {
		return nil, false
	}
	j += 9
	g[6], g[7] = start, j
	if j >= n || s[j] != ' ' {
		return nil, false
	}
	j++
	h := j
	if j >= n || !isWord(s[j]) {
		return nil, false
	}
	for j < n && (isWord(s[j]) || s[j] == '.' || s[j] == '@' || s[j] == '-') {
		j++
	}
	g[8], g[9] = h, j
	if j >= n || s[j] != ' ' || !plainText(s, j+1) {
		return nil, false
	}
	g[10], g[11] = j+1, n
	return g, true
}

// stampEnd returns the end of an RFC 5424 timestamp at i as the pattern
// reads one: yyyy-MM-ddTHH:mm:ss, a fraction of one to six digits, a zone
// Z or ±hh:mm; false when the message needs the pattern.
func stampEnd(s string, i int) (int, bool) {
	const layout = "dddd-dd-ddTdd:dd:dd"
	if i+len(layout) > len(s) {
		return 0, false
	}
	for k := 0; k < len(layout); k++ {
		c := s[i+k]
		if layout[k] == 'd' {
			if !isDigit(c) {
				return 0, false
			}
		} else if c != layout[k] {
			return 0, false
		}
	}
	i += len(layout)
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i+1 || j-i-1 > 6 {
			return 0, false
		}
		i = j
	}
	switch {
	case i < len(s) && s[i] == 'Z':
		i++
	case i < len(s) && (s[i] == '+' || s[i] == '-'):
		if i+6 > len(s) || !isDigit(s[i+1]) || !isDigit(s[i+2]) || s[i+3] != ':' || !isDigit(s[i+4]) || !isDigit(s[i+5]) {
			return 0, false
		}
		i += 6
	}
	return i, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isSpace is Java's \s.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isWord(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
}
