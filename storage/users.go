package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The errors of the user table, checked with errors.Is.
var (
	ErrUserExists    = errors.New("storage: user name taken")
	ErrManagerExists = errors.New("storage: a manager already exists")
	ErrLastManager   = errors.New("storage: that would leave no manager")
)

const userColumns = "name, role, pin_hash, failed_attempts, locked_until, created_at"

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	err := row.Scan(&u.Name, &u.Role, &u.PINHash, &u.FailedAttempts, &u.LockedUntil, &u.CreatedAt)
	return u, err
}

func userTx(ctx context.Context, tx *sql.Tx, name string) (User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE name = ?", name))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("storage: user %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("storage: user %q: %w", name, err)
	}
	return u, nil
}

func managerCountTx(ctx context.Context, tx *sql.Tx) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE role = 'manager'").Scan(&n); err != nil {
		return 0, fmt.Errorf("storage: count managers: %w", err)
	}
	return n, nil
}

func insertUserTx(ctx context.Context, tx *sql.Tx, u User) error {
	var exists int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE name = ?", u.Name).Scan(&exists); err != nil {
		return fmt.Errorf("storage: user %q: %w", u.Name, err)
	}
	if exists > 0 {
		return fmt.Errorf("storage: user %q: %w", u.Name, ErrUserExists)
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO users ("+userColumns+") VALUES (?, ?, ?, ?, ?, ?)",
		u.Name, u.Role, u.PINHash, u.FailedAttempts, u.LockedUntil, u.CreatedAt)
	if err != nil {
		return fmt.Errorf("storage: insert user %q: %w", u.Name, err)
	}
	return nil
}

// auditTx appends one row to audit_log inside tx.
func auditTx(ctx context.Context, tx *sql.Tx, e AuditEntry) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)",
		e.At, e.Actor, e.Action, e.Detail)
	if err != nil {
		return fmt.Errorf("storage: audit %s: %w", e.Action, err)
	}
	return nil
}

// User returns the user called name, or an error wrapping ErrNotFound.
func (db *DB) User(ctx context.Context, name string) (User, error) {
	var u User
	err := db.Read(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = userTx(ctx, tx, name)
		return err
	})
	return u, err
}

// Users lists every user, ordered by name.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	var us []User
	err := db.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+userColumns+" FROM users ORDER BY name")
		if err != nil {
			return fmt.Errorf("storage: list users: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return fmt.Errorf("storage: list users: %w", err)
			}
			us = append(us, u)
		}
		return rows.Err()
	})
	return us, err
}

// CreateUser inserts u and the audit entry in one transaction; ErrUserExists if the name is taken.
func (db *DB) CreateUser(ctx context.Context, u User, audit AuditEntry) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		if err := insertUserTx(ctx, tx, u); err != nil {
			return err
		}
		return auditTx(ctx, tx, audit)
	})
}

// CreateFirstManager inserts u (a manager) only if no manager exists yet, else ErrManagerExists.
// The check and the insert are one transaction, so two first-run screens cannot both win.
func (db *DB) CreateFirstManager(ctx context.Context, u User, audit AuditEntry) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		n, err := managerCountTx(ctx, tx)
		if err != nil {
			return err
		}
		if n > 0 {
			return ErrManagerExists
		}
		if err := insertUserTx(ctx, tx, u); err != nil {
			return err
		}
		return auditTx(ctx, tx, audit)
	})
}

// UpdateUser sets role and, when pinHash is not empty, the PIN hash; it clears failures and the
// lock. Demoting the last manager gives ErrLastManager; an unknown name ErrNotFound.
func (db *DB) UpdateUser(ctx context.Context, name, role, pinHash string, audit AuditEntry) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		u, err := userTx(ctx, tx, name)
		if err != nil {
			return err
		}
		if u.Role == "manager" && role != "manager" {
			n, err := managerCountTx(ctx, tx)
			if err != nil {
				return err
			}
			if n <= 1 {
				return ErrLastManager
			}
		}
		if pinHash == "" {
			pinHash = u.PINHash
		}
		_, err = tx.ExecContext(ctx,
			"UPDATE users SET role = ?, pin_hash = ?, failed_attempts = 0, locked_until = 0 WHERE name = ?",
			role, pinHash, name)
		if err != nil {
			return fmt.Errorf("storage: update user %q: %w", name, err)
		}
		return auditTx(ctx, tx, audit)
	})
}

// DeleteUser removes a user; the last manager gives ErrLastManager, an unknown name ErrNotFound.
func (db *DB) DeleteUser(ctx context.Context, name string, audit AuditEntry) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		u, err := userTx(ctx, tx, name)
		if err != nil {
			return err
		}
		if u.Role == "manager" {
			n, err := managerCountTx(ctx, tx)
			if err != nil {
				return err
			}
			if n <= 1 {
				return ErrLastManager
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM users WHERE name = ?", name); err != nil {
			return fmt.Errorf("storage: delete user %q: %w", name, err)
		}
		return auditTx(ctx, tx, audit)
	})
}

// SignInFailed adds one to the user's failure count, sets locked_until to lockUntil(new count)
// and writes audit, in one transaction, and returns the updated user.
func (db *DB) SignInFailed(ctx context.Context, name string, lockUntil func(failures int) int64, audit AuditEntry) (User, error) {
	var u User
	err := db.Write(ctx, func(tx *sql.Tx) error {
		var err error
		if u, err = userTx(ctx, tx, name); err != nil {
			return err
		}
		u.FailedAttempts++
		u.LockedUntil = lockUntil(u.FailedAttempts)
		_, err = tx.ExecContext(ctx, "UPDATE users SET failed_attempts = ?, locked_until = ? WHERE name = ?",
			u.FailedAttempts, u.LockedUntil, name)
		if err != nil {
			return fmt.Errorf("storage: record failure for %q: %w", name, err)
		}
		return auditTx(ctx, tx, audit)
	})
	return u, err
}

// SignInSucceeded clears the user's failure count and lock.
func (db *DB) SignInSucceeded(ctx context.Context, name string) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE users SET failed_attempts = 0, locked_until = 0 WHERE name = ?", name)
		if err != nil {
			return fmt.Errorf("storage: clear failures for %q: %w", name, err)
		}
		return nil
	})
}

// AppendAudit writes one audit entry in its own transaction.
func (db *DB) AppendAudit(ctx context.Context, e AuditEntry) error {
	return db.Write(ctx, func(tx *sql.Tx) error { return auditTx(ctx, tx, e) })
}
