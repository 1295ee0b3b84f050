package clerk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"utdrag/storage"
)

// A person who may change the title the provider gives keeps the title
// last certified with from one login to the next: one small object per
// person, under the hash of the person's identity, so no name becomes a
// storage key. It is a preference, not a record: the certification and
// the audit trail say what was signed.

func personKey(person string) string { return hashedKey("people/", person) }

type personPrefs struct {
	Title string `json:"title"`
}

// rememberedTitle is the title person last certified with ("" when none).
func (u *Pages) rememberedTitle(ctx context.Context, person string) (string, error) {
	raw, _, err := u.store.Read(ctx, personKey(person), storage.ReadOptions{MaxSize: 4 << 10})
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("clerk: reading a person's title: %w", err)
	}
	var p personPrefs
	if err := json.Unmarshal(raw, &p); err != nil {
		return "", fmt.Errorf("clerk: reading a person's title: %w", err)
	}
	return p.Title, nil
}

func (u *Pages) rememberTitle(ctx context.Context, person, title string) error {
	raw, _ := json.Marshal(personPrefs{Title: title}) // a string: cannot fail
	if _, err := u.store.Put(ctx, personKey(person), raw, storage.PutOptions{ContentType: "application/json"}); err != nil {
		return fmt.Errorf("clerk: keeping a person's title: %w", err)
	}
	return nil
}
