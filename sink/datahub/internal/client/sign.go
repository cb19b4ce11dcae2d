package client

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"sort"
	"strings"
)

// Authorization returns the Authorization header value of a request: the
// DataHub signature over the method, Content-Type, Date, the x-datahub-*
// headers (lower-cased, sorted, "name:value") and the request URI (path and
// query), as the official SDKs compute it.
func Authorization(accessID, accessKey, method, requestURI string, h http.Header) string {
	return "DATAHUB " + accessID + ":" + Signature(accessKey, CanonicalString(method, requestURI, h))
}

// CanonicalString is the text a request signature covers.
func CanonicalString(method, requestURI string, h http.Header) string {
	var b strings.Builder
	b.WriteString(strings.ToUpper(method))
	b.WriteByte('\n')
	b.WriteString(h.Get("Content-Type"))
	b.WriteByte('\n')
	b.WriteString(h.Get("Date"))
	b.WriteByte('\n')
	var names []string
	for k := range h {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-datahub-") {
			names = append(names, k)
		}
	}
	sort.Slice(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) })
	for _, k := range names {
		for _, v := range h[k] {
			b.WriteString(strings.ToLower(k))
			b.WriteByte(':')
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	b.WriteString(requestURI)
	return b.String()
}

// Signature is base64(HMAC-SHA1(key, canonical)).
func Signature(key, canonical string) string {
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(canonical))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
