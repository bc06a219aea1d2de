package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// CachedCard is one card of the catalog cache: its id and type, the card as JSON (redeem stores
// a wxapi.Card; storage does not look inside) and the time it was fetched (unix ms).
type CachedCard struct {
	ID          string
	Type        string
	JSON        []byte
	RefreshedAt int64
}

// PutCards stores cards in the catalog cache at refreshedAt (unix ms). With replace, cards not
// in the list are removed, in the same transaction.
func (db *DB) PutCards(ctx context.Context, cards []CachedCard, refreshedAt int64, replace bool) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		if replace {
			if _, err := tx.ExecContext(ctx, "DELETE FROM cards"); err != nil {
				return fmt.Errorf("storage: clear catalog: %w", err)
			}
		}
		for _, c := range cards {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cards(card_id, card_type, data, refreshed_at) VALUES (?, ?, ?, ?)
				ON CONFLICT(card_id) DO UPDATE SET card_type=excluded.card_type, data=excluded.data, refreshed_at=excluded.refreshed_at`,
				c.ID, c.Type, string(c.JSON), refreshedAt); err != nil {
				return fmt.Errorf("storage: store card %s: %w", c.ID, err)
			}
		}
		return nil
	})
}

// Cards returns the whole catalog cache ordered by card id.
func (db *DB) Cards(ctx context.Context) ([]CachedCard, error) {
	var out []CachedCard
	err := db.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT card_id, card_type, data, refreshed_at FROM cards ORDER BY card_id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var data string
			var c CachedCard
			if err := rows.Scan(&c.ID, &c.Type, &data, &c.RefreshedAt); err != nil {
				return err
			}
			c.JSON = []byte(data)
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("storage: read catalog: %w", err)
	}
	return out, nil
}

// Card returns one cached card, or ErrNotFound.
func (db *DB) Card(ctx context.Context, cardID string) (CachedCard, error) {
	var c CachedCard
	err := db.Read(ctx, func(tx *sql.Tx) error {
		var data string
		err := tx.QueryRowContext(ctx, "SELECT card_id, card_type, data, refreshed_at FROM cards WHERE card_id = ?", cardID).Scan(&c.ID, &c.Type, &data, &c.RefreshedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: card %s", ErrNotFound, cardID)
		}
		if err != nil {
			return fmt.Errorf("storage: read card %s: %w", cardID, err)
		}
		c.JSON = []byte(data)
		return nil
	})
	return c, err
}

// Value returns one engine fact by key, or ErrNotFound.
func (db *DB) Value(ctx context.Context, key string) (string, error) {
	var v string
	err := db.Read(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT value FROM engine_state WHERE key = ?", key).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %s", ErrNotFound, key)
		}
		return err
	})
	return v, err
}

// SetValueTx stores one engine fact inside the caller's write transaction.
func SetValueTx(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO engine_state(key, value) VALUES (?, ?)
		ON CONFLICT(key) DO UPDATE SET value=excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("storage: store %s: %w", key, err)
	}
	return nil
}
