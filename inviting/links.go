package inviting

import (
	"crypto/subtle"
	"strconv"
	"strings"
)

// Links makes and checks the opaque tokens of email survey and unsubscribe
// links: "<invitation id>.<HMAC>", so a token is signed (unforgeable
// without PV_SECRET), needs no lookup table and reveals nothing.
type Links struct {
	signer Signer
	base   string
}

// Signer signs a link's id in a domain under PV_SECRET; models.Store
// implements it.
type Signer interface {
	SignLink(domain, id string) string
}

// NewLinks builds the link maker for PV_BASE_URL.
func NewLinks(signer Signer, base string) Links { return Links{signer: signer, base: base} }

// Token is the link token of an invitation.
func (l Links) Token(invID uint) string {
	id := strconv.FormatUint(uint64(invID), 10)
	return id + "." + l.signer.SignLink("survey-link", id)[:32]
}

// Parse checks a token and returns its invitation id.
func (l Links) Parse(tok string) (uint, bool) {
	id, _, ok := strings.Cut(tok, ".")
	n, err := strconv.ParseUint(id, 10, 64)
	if !ok || err != nil || n == 0 || len(tok) > 64 {
		return 0, false
	}
	want := l.Token(uint(n))
	return uint(n), subtle.ConstantTimeCompare([]byte(tok), []byte(want)) == 1
}

// Survey is the email's survey link: exactly PV_BASE_URL/s/{token}.
func (l Links) Survey(invID uint) string { return l.base + "/s/" + l.Token(invID) }

// Unsubscribe is the one-click unsubscribe link.
func (l Links) Unsubscribe(invID uint) string { return l.base + "/unsubscribe/" + l.Token(invID) }
