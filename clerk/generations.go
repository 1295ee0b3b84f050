package clerk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"utdrag/storage"
)

// Logging out must end the session everywhere, a copied cookie included,
// though the session lives in the cookie and any replica accepts it. Each
// key has a session generation in storage, and a session holds the
// generation it was started in; logging out moves the key's generation on,
// which ends every session of that key on every replica at once (each
// browser the key is logged in to). The price is one small read per page
// of a logged-in clerk. A list of revoked sessions would end only the one
// session but grow with every logout and need cleaning; the generation
// has one object per key and never grows, and a clerk who fears a copied
// cookie ends it by logging out anywhere.

// generationKey is where a key's session generation is kept.
func generationKey(keyName string) string { return hashedKey("sessions/", keyName) }

// hashedKey is the storage key under folder of an object kept per name:
// the hash of the name, so no name becomes a storage key.
func hashedKey(folder, name string) string {
	sum := sha256.Sum256([]byte(name))
	return folder + hex.EncodeToString(sum[:]) + ".json"
}

type generation struct {
	Generation int64 `json:"generation"`
}

// generation reads the key's session generation (0 before its first
// logout) and the object's ETag ("" when there is none).
func (u *Pages) generation(ctx context.Context, keyName string) (int64, string, error) {
	raw, obj, err := u.store.Get(ctx, generationKey(keyName))
	if errors.Is(err, storage.ErrNotFound) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("clerk: reading the session generation: %w", err)
	}
	var g generation
	if err := json.Unmarshal(raw, &g); err != nil {
		return 0, "", fmt.Errorf("clerk: reading the session generation: %w", err)
	}
	return g.Generation, obj.ETag, nil
}

// endSessions moves the key's generation on, with a conditional write so
// that two logouts racing on two replicas both count.
func (u *Pages) endSessions(ctx context.Context, keyName string) error {
	for range 5 {
		n, etag, err := u.generation(ctx, keyName)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(generation{Generation: n + 1}) // an int64: cannot fail
		opts := storage.PutOptions{ContentType: "application/json", IfMatch: etag, IfNoneMatch: etag == ""}
		_, err = u.store.Put(ctx, generationKey(keyName), raw, opts)
		if !errors.Is(err, storage.ErrPrecondition) {
			if err != nil {
				return fmt.Errorf("clerk: ending the sessions: %w", err)
			}
			return nil
		}
	}
	return errors.New("clerk: ending the sessions: the generation kept changing")
}
