package staff

import (
	"net/url"
	"strings"
)

// safeNext keeps the redirect after sign-in on this site's staff pages: the
// value must parse with net/url as a bare path (no scheme, host or user)
// under /staff/, without control characters, backslashes or dot segments,
// and not the sign-in pages themselves. Anything else goes to /staff/, so
// no CR/LF ever reaches a Location header.
func safeNext(next string) string {
	const home = "/staff/"
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' || (r >= 0x80 && r <= 0x9f) {
			return home
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || u.Fragment != "" {
		return home
	}
	p := u.Path
	if strings.IndexFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }) >= 0 {
		return home
	}
	if !strings.HasPrefix(p, home) || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/staff/login") ||
		strings.Contains(p, "/../") || strings.HasSuffix(p, "/..") || strings.Contains(p, "/./") {
		return home
	}
	// re-encode from the parsed parts: what leaves is what was checked
	out := (&url.URL{Path: p, RawQuery: u.RawQuery}).String()
	if strings.ContainsAny(out, "\r\n") {
		return home
	}
	return out
}
