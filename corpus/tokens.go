package corpus

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Role is what a token may do.
type Role string

// Roles, each including the ones before it.
const (
	RoleReader Role = "reader" // search and read
	RoleEditor Role = "editor" // also import, create, update, delete
	RoleAdmin  Role = "admin"  // also manage tokens and reindex
)

// ParseRole accepts reader, editor or admin.
func ParseRole(s string) (Role, bool) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleReader, RoleEditor, RoleAdmin:
		return r, true
	}
	return "", false
}

// Allows reports whether role r includes role need.
func (r Role) Allows(need Role) bool {
	rank := map[Role]int{RoleReader: 1, RoleEditor: 2, RoleAdmin: 3}
	return rank[r] >= rank[need] && rank[need] > 0
}

// Token is an API token as stored: the secret itself is never stored, only
// its SHA-256.
type Token struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"created_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	// ExpiresAt is when the token stops working; zero: never.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Errors about tokens.
var (
	ErrTokenInvalid = errors.New("invalid token")
	ErrTokenRevoked = errors.New("token revoked")
	ErrTokenExpired = errors.New("token expired")
)

var bucketTokens = []byte("tokens")

// tokenPrefix marks xuncha tokens, so a leaked one is recognisable.
const tokenPrefix = "xct_"

func hashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateToken makes a token with a name and role that does not expire and
// returns its secret, which is shown once and never stored.
func (s *BoltStore) CreateToken(ctx context.Context, name string, role Role) (string, *Token, error) {
	return s.CreateTokenUntil(ctx, name, role, time.Time{})
}

// CreateTokenUntil makes a token that stops working at expires (zero:
// never).
func (s *BoltStore) CreateTokenUntil(ctx context.Context, name string, role Role, expires time.Time) (string, *Token, error) {
	secret, t, err := newToken(name, role, expires, s.now())
	if err != nil {
		return "", nil, err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketTokens)
		if err != nil {
			return err
		}
		v, err := seal(t)
		if err != nil {
			return err
		}
		return b.Put([]byte(t.Hash), v)
	})
	if err != nil {
		return "", nil, fmt.Errorf("create token: %w", err)
	}
	return secret, t, nil
}

// ListTokens returns every token (revoked ones too), oldest first.
func (s *BoltStore) ListTokens(ctx context.Context) ([]Token, error) {
	var out []Token
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var t Token
			if err := unseal(v, &t); err != nil {
				return fmt.Errorf("%w: token: %v", ErrCorrupt, err)
			}
			out = append(out, t)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].CreatedAt.Before(out[j-1].CreatedAt); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// RevokeToken revokes the token with the given ID; it returns an error
// wrapping ErrNotFound for an unknown ID.
func (s *BoltStore) RevokeToken(ctx context.Context, id string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		if b == nil {
			return ErrNotFound
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var t Token
			if err := unseal(v, &t); err != nil {
				return fmt.Errorf("%w: token: %v", ErrCorrupt, err)
			}
			if t.ID != id {
				continue
			}
			if t.RevokedAt.IsZero() {
				t.RevokedAt = s.now().UTC()
			}
			nv, err := seal(t)
			if err != nil {
				return err
			}
			return b.Put(k, nv)
		}
		return ErrNotFound
	})
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", id, err)
	}
	return nil
}

// Authenticate returns the token whose secret this is. It returns
// ErrTokenInvalid for an unknown or malformed secret, ErrTokenRevoked for
// a revoked one and ErrTokenExpired for one past its expiry.
func (s *BoltStore) Authenticate(ctx context.Context, secret string) (*Token, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return nil, ErrTokenInvalid
	}
	h := hashToken(secret)
	var t *Token
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		if b == nil {
			return ErrTokenInvalid
		}
		v := b.Get([]byte(h))
		if v == nil {
			return ErrTokenInvalid
		}
		t = new(Token)
		if err := unseal(v, t); err != nil {
			return fmt.Errorf("%w: token: %v", ErrCorrupt, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return checkToken(t, h, s.now())
}

// newToken makes a token's secret and its stored form.
func newToken(name string, role Role, expires, now time.Time) (string, *Token, error) {
	if _, ok := ParseRole(string(role)); !ok {
		return "", nil, fmt.Errorf("create token: %w: role %q is not reader, editor or admin", ErrInvalid, role)
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", nil, fmt.Errorf("create token: %w: a token needs a name of at most 100 bytes", ErrInvalid)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, fmt.Errorf("create token: %w", err)
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	t := &Token{ID: contentID("t", secret)[:13], Name: name, Role: role, Hash: hashToken(secret), CreatedAt: now.UTC(), ExpiresAt: expires.UTC()}
	if expires.IsZero() {
		t.ExpiresAt = time.Time{}
	}
	return secret, t, nil
}

// checkToken accepts a stored token found by the hash h of a secret, or
// says why not.
func checkToken(t *Token, h string, now time.Time) (*Token, error) {
	// The lookup was by hash; compare again in constant time.
	if subtle.ConstantTimeCompare([]byte(t.Hash), []byte(h)) != 1 {
		return nil, ErrTokenInvalid
	}
	if !t.RevokedAt.IsZero() {
		return nil, ErrTokenRevoked
	}
	if !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt) {
		return nil, ErrTokenExpired
	}
	return t, nil
}
