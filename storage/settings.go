package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// Settings returns every row of the settings table as key → value. Package settings gives the
// values their types and defaults.
func (db *DB) Settings(ctx context.Context) (map[string]string, error) {
	m := map[string]string{}
	err := db.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT key, value FROM settings")
		if err != nil {
			return fmt.Errorf("storage: read settings: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				return fmt.Errorf("storage: read settings: %w", err)
			}
			m[k] = v
		}
		return rows.Err()
	})
	return m, err
}

// SaveSettings writes the changed keys of values (insert or replace) and the audit entry in one
// transaction. Keys absent from values are kept as they are.
func (db *DB) SaveSettings(ctx context.Context, values map[string]string, audit AuditEntry) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		for k, v := range values {
			_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
				ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
				updated_by = excluded.updated_by WHERE settings.value <> excluded.value`,
				k, v, audit.At, audit.Actor)
			if err != nil {
				return fmt.Errorf("storage: save setting %s: %w", k, err)
			}
		}
		return auditTx(ctx, tx, audit)
	})
}
