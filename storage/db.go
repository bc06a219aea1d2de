// Package storage keeps CardPOS's durable state in one SQLite file: the redemption journal and
// offline queue, the card catalog cache, the audit log, and the tables other rooms add through
// numbered migrations. It uses one writer connection (WAL, synchronous=FULL, immediate
// transactions) and a separate read-only pool, so every acknowledged commit survives power loss
// and readers never wait on the writer.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// FileName is the database file inside the data folder.
const FileName = "cardpos.db"

// ErrCorrupt is returned by Open and IntegrityCheck when SQLite reports damage.
var ErrCorrupt = errors.New("storage: database integrity check failed")

// DB is the open database: one writer connection and a pool of read-only connections.
// It is safe for concurrent use; Close releases both.
type DB struct {
	w    *sql.DB
	r    *sql.DB
	path string
	own  *owner
}

// Open creates dir (0700) if needed, opens or creates dir/cardpos.db (0600), checks it with
// PRAGMA quick_check and applies every embedded migration not yet applied, each in its own
// transaction. A damaged file gives an error wrapping ErrCorrupt.
func Open(ctx context.Context, dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("storage: create data folder: %w", err)
	}
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("storage: create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("storage: create database file: %w", err)
	}
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	u := (&url.URL{Scheme: "file", Path: path}).String()
	w, err := sql.Open("sqlite", u+"?_pragma=journal_mode(WAL)&"+common+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("storage: open writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	own, err := newOwner(dir)
	if err != nil {
		w.Close()
		return nil, err
	}
	db := &DB{w: w, path: path, own: own}
	if err := db.start(ctx); err != nil {
		w.Close()
		own.close()
		return nil, err
	}
	r, err := sql.Open("sqlite", u+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		own.close()
		return nil, fmt.Errorf("storage: open readers: %w", err)
	}
	r.SetMaxOpenConns(4)
	db.r = r
	return db, nil
}

func (db *DB) start(ctx context.Context) error {
	var mode string
	if err := db.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("storage: open %s: %w", db.path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("storage: journal_mode is %q, want wal", mode)
	}
	if err := check(ctx, db.w, "PRAGMA quick_check"); err != nil {
		return err
	}
	return migrate(ctx, db.w, migrationFiles)
}

// Close closes the writer and the readers and gives up this process's owner lock.
func (db *DB) Close() error {
	var errs []error
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	errs = append(errs, db.w.Close(), db.own.close())
	return errors.Join(errs...)
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Write runs fn in one immediate transaction on the writer connection and commits when fn
// returns nil; otherwise it rolls back and returns fn's error.
func (db *DB) Write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("storage: begin write: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("storage: commit: %w", err)
	}
	return nil
}

// Read runs fn in a read-only transaction on the reader pool. It sees one consistent snapshot.
func (db *DB) Read(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("storage: begin read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	return fn(tx)
}

// IntegrityCheck runs PRAGMA integrity_check; damage gives an error wrapping ErrCorrupt.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	return check(ctx, db.r, "PRAGMA integrity_check")
}

func check(ctx context.Context, q *sql.DB, pragma string) error {
	rows, err := q.QueryContext(ctx, pragma)
	if err != nil {
		return fmt.Errorf("storage: %s: %w", pragma, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("storage: %s: %w", pragma, err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("storage: %s: %w", pragma, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrCorrupt, strings.Join(problems, "; "))
	}
	return nil
}
