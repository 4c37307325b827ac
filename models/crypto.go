package models

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ErrDecrypt means a ciphertext was made with a key we do not have (a
// different PV_SECRET) or was tampered with.
var ErrDecrypt = errors.New("cannot decrypt field: wrong PV_SECRET or damaged data")

// Crypto seals PHI columns with AES-256-GCM and computes blind indexes. Keys
// are derived from PV_SECRET with HKDF; every ciphertext carries the id of
// the key that made it so PV_SECRET can rotate: pass the old secrets too.
type Crypto struct {
	current string
	aeads   map[string]cipher.AEAD
	macKey  []byte
}

const cipherPrefix = "pv1"

// NewCrypto derives the keys. The first secret encrypts; all decrypt. The
// blind-index key always comes from the first secret, since indexes are
// recomputed on rotation.
func NewCrypto(secrets ...string) (*Crypto, error) {
	if len(secrets) == 0 || len(secrets[0]) < 32 {
		return nil, errors.New("crypto: secret must be at least 32 characters")
	}
	c := &Crypto{aeads: map[string]cipher.AEAD{}}
	for i, s := range secrets {
		key, err := hkdf.Key(sha256.New, []byte(s), []byte("patientvoice"), "field-encryption-v1", 32)
		if err != nil {
			return nil, fmt.Errorf("crypto: derive key: %w", err)
		}
		idRaw, _ := hkdf.Key(sha256.New, []byte(s), []byte("patientvoice"), "key-id-v1", 4)
		id := hex.EncodeToString(idRaw)
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("crypto: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("crypto: %w", err)
		}
		c.aeads[id] = aead
		if i == 0 {
			c.current = id
			c.macKey, err = hkdf.Key(sha256.New, []byte(s), []byte("patientvoice"), "blind-index-v1", 32)
			if err != nil {
				return nil, fmt.Errorf("crypto: derive index key: %w", err)
			}
		}
	}
	return c, nil
}

// KeyID names the key new ciphertexts are made with.
func (c *Crypto) KeyID() string { return c.current }

// Seal encrypts plain; the empty string stays empty so "not given" needs no
// ciphertext.
func (c *Crypto) Seal(plain string) string {
	if plain == "" {
		return ""
	}
	aead := c.aeads[c.current]
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	ct := aead.Seal(nonce, nonce, []byte(plain), []byte(c.current))
	return cipherPrefix + ":" + c.current + ":" + base64.RawStdEncoding.EncodeToString(ct)
}

// Open decrypts what Seal made.
func (c *Crypto) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	parts := strings.SplitN(sealed, ":", 3)
	if len(parts) != 3 || parts[0] != cipherPrefix {
		return "", ErrDecrypt
	}
	aead, ok := c.aeads[parts[1]]
	if !ok {
		return "", ErrDecrypt
	}
	raw, err := base64.RawStdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) < aead.NonceSize() {
		return "", ErrDecrypt
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(parts[1]))
	if err != nil {
		return "", ErrDecrypt
	}
	return string(plain), nil
}

// MustOpen decrypts for display, showing a marker instead of failing a whole
// page when one field cannot be read.
func (c *Crypto) MustOpen(sealed string) string {
	s, err := c.Open(sealed)
	if err != nil {
		return "[unreadable]"
	}
	return s
}

// BlindIndex is a keyed hash of a normalised identifier: equal inputs give
// equal indexes, and the index reveals nothing without PV_SECRET. kind keeps
// a phone index from matching an email index.
func (c *Crypto) BlindIndex(kind, normalized string) string {
	if normalized == "" {
		return ""
	}
	m := hmac.New(sha256.New, c.macKey)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(normalized))
	return hex.EncodeToString(m.Sum(nil))
}

// HashToken is how device, API and session tokens are stored: a plain
// SHA-256 is enough for 256-bit random tokens and lets any server verify.
func HashToken(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}

// NewToken returns a random URL-safe token with a readable prefix that says
// what it is for (pvk_ kiosk, pva_ API, ...).
func NewToken(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}
