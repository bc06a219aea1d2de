package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Audit records one manager action.
func (db *DB) Audit(ctx context.Context, actor, action, detail string) error {
	return db.Write(ctx, func(tx *sql.Tx) error { return AuditTx(ctx, tx, actor, action, detail) })
}

// AuditTx records one manager action inside the caller's write transaction, so the action and
// its audit entry commit together.
func AuditTx(ctx context.Context, tx *sql.Tx, actor, action, detail string) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO audit_log(at, actor, action, detail) VALUES (?, ?, ?, ?)",
		time.Now().UnixMilli(), actor, action, detail)
	if err != nil {
		return fmt.Errorf("storage: audit %s: %w", action, err)
	}
	return nil
}

// AuditLog returns the audit entries at or after since, oldest first.
func (db *DB) AuditLog(ctx context.Context, since time.Time) ([]AuditEntry, error) {
	var out []AuditEntry
	err := db.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT id, at, actor, action, detail FROM audit_log WHERE at >= ? ORDER BY id", since.UnixMilli())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e AuditEntry
			if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Detail); err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("storage: audit log: %w", err)
	}
	return out, nil
}
