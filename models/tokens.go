package models

import (
	"context"
	"fmt"
	"strings"
)

// API token scopes of the contract.
const (
	ScopeDischargesWrite = "discharges:write"
	ScopeCasesRead       = "cases:read"
	ScopeCasesWrite      = "cases:write"
	ScopeReportsRead     = "reports:read"
	ScopeSurveysRead     = "surveys:read"
	// ScopeCommentsRead adds free-text answers (which may hold health
	// information) to what reports:read shows through the FHIR feed.
	ScopeCommentsRead = "comments:read"
)

// Scopes lists every valid scope.
var Scopes = []string{ScopeDischargesWrite, ScopeCasesRead, ScopeCasesWrite, ScopeReportsRead, ScopeSurveysRead, ScopeCommentsRead}

// ParseScopes validates a comma-separated scope list.
func ParseScopes(s string) ([]string, error) {
	var out []string
	for _, sc := range strings.Split(s, ",") {
		sc = strings.TrimSpace(sc)
		if sc == "" {
			continue
		}
		ok := false
		for _, v := range Scopes {
			ok = ok || v == sc
		}
		if !ok {
			return nil, fmt.Errorf("unknown scope %q; use %s", sc, strings.Join(Scopes, ", "))
		}
		out = append(out, sc)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("at least one scope is required (%s)", strings.Join(Scopes, ", "))
	}
	return out, nil
}

// CreateAPIToken stores a new token and returns its secret value, shown
// once: only the hash is kept.
func (s *Store) CreateAPIToken(ctx context.Context, name string, scopes []string) (string, APIToken, error) {
	tok := NewToken("pva_")
	row := APIToken{Name: name, TokenHash: HashToken(tok), Scopes: strings.Join(scopes, ",")}
	if err := s.ctx(ctx).Create(&row).Error; err != nil {
		return "", row, wrap("create api token", err)
	}
	return tok, row, nil
}

// APITokenByValue finds a live token by its secret; ErrNotFound otherwise.
func (s *Store) APITokenByValue(ctx context.Context, tok string) (APIToken, error) {
	var row APIToken
	err := s.ctx(ctx).Where("token_hash = ? AND revoked_at IS NULL", HashToken(tok)).Take(&row).Error
	return row, wrap("find api token", err)
}

// HasScope reports whether the token carries scope.
func (t APIToken) HasScope(scope string) bool {
	for _, s := range strings.Split(t.Scopes, ",") {
		if s == scope {
			return true
		}
	}
	return false
}
