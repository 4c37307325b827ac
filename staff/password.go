package staff

import (
	"bytes"
	"crypto/rand"
	"io"
	"math/big"
)

// oneTimePassword is a readable random password for a new account.
func oneTimePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	for i := range b {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[n.Int64()]
	}
	return string(b)
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
