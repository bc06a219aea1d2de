package storage

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

func TestOpenCreatesPrivateFolderAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	db, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o700 {
		t.Errorf("dir mode = %o, want 700", got)
	}
	fi, err = os.Stat(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("file mode = %o, want 600", got)
	}
	if err := db.IntegrityCheck(context.Background()); err != nil {
		t.Errorf("IntegrityCheck: %v", err)
	}
}

func TestPragmasPerConnection(t *testing.T) {
	db, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for name, q := range map[string]func(context.Context, func(*sql.Tx) error) error{"writer": db.Write, "reader": db.Read} {
		err := q(ctx, func(tx *sql.Tx) error {
			var mode string
			var sync, fk, busy int
			if err := tx.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
				return err
			}
			if err := tx.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil {
				return err
			}
			if err := tx.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil {
				return err
			}
			if err := tx.QueryRow("PRAGMA busy_timeout").Scan(&busy); err != nil {
				return err
			}
			if mode != "wal" || sync != 2 || fk != 1 || busy < 1000 {
				t.Errorf("%s: journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d, want wal 2 1 >=1000", name, mode, sync, fk, busy)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

func TestReadIsReadOnly(t *testing.T) {
	db, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Read(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO engine_state(key, value) VALUES ('x', 'y')")
		return err
	})
	if err == nil {
		t.Fatal("insert inside Read succeeded, want an error")
	}
}

func TestWriteRollsBackOnError(t *testing.T) {
	db, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	boom := errors.New("boom")
	err = db.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec("INSERT INTO engine_state(key, value) VALUES ('x', 'y')"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write error = %v, want boom", err)
	}
	var n int
	if err := db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRow("SELECT count(*) FROM engine_state").Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("rows after rollback = %d, want 0", n)
	}
}

func TestMigrationsGapsOrderAndIdempotence(t *testing.T) {
	fsys := fstest.MapFS{
		"migrations/9001_a.sql": {Data: []byte("CREATE TABLE a(x INTEGER);")},
		"migrations/9020_c.sql": {Data: []byte("-- +goose Up\nCREATE TABLE c(x INTEGER REFERENCES b(x));\n-- +goose Down\nDROP TABLE c;\n")},
		"migrations/9010_b.sql": {Data: []byte("CREATE TABLE b(x INTEGER PRIMARY KEY); INSERT INTO b VALUES (1);")},
		"migrations/README.txt": {Data: []byte("not a migration")},
	}
	db, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := migrate(ctx, db.w, fsys); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	var got []int
	rows, err := db.w.Query("SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v int
		rows.Scan(&v)
		got = append(got, v)
	}
	rows.Close()
	want := []int{9001, 9010, 9020}
	has := map[int]bool{}
	for _, v := range got {
		has[v] = true
	}
	for _, v := range want {
		if !has[v] {
			t.Errorf("version %d not recorded; have %v", v, got)
		}
	}
	var tables int
	db.w.QueryRow("SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN ('b','c')").Scan(&tables)
	if tables != 2 {
		t.Errorf("tables b and c: %d of 2 created", tables)
	}
}

func TestMigrationFailureRollsBackThatMigration(t *testing.T) {
	db, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fsys := fstest.MapFS{
		"migrations/0030_ok.sql":  {Data: []byte("CREATE TABLE ok30(x INTEGER);")},
		"migrations/0031_bad.sql": {Data: []byte("CREATE TABLE bad31(x INTEGER); SELECT * FROM no_such_table;")},
	}
	if err := migrate(context.Background(), db.w, fsys); err == nil {
		t.Fatal("migrate with a broken file succeeded")
	}
	var ok, bad, rec int
	db.w.QueryRow("SELECT count(*) FROM sqlite_master WHERE name='ok30'").Scan(&ok)
	db.w.QueryRow("SELECT count(*) FROM sqlite_master WHERE name='bad31'").Scan(&bad)
	db.w.QueryRow("SELECT count(*) FROM schema_migrations WHERE version=31").Scan(&rec)
	if ok != 1 || bad != 0 || rec != 0 {
		t.Errorf("ok30=%d bad31=%d recorded31=%d, want 1 0 0", ok, bad, rec)
	}
}

func TestMigrationBadNames(t *testing.T) {
	for _, name := range []string{"migrations/abc.sql", "migrations/x_1.sql", "migrations/0000_zero.sql"} {
		if _, err := loadMigrations(fstest.MapFS{name: {Data: []byte("SELECT 1;")}}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	dup := fstest.MapFS{"migrations/0002_a.sql": {Data: []byte("")}, "migrations/0002_b.sql": {Data: []byte("")}}
	if _, err := loadMigrations(dup); err == nil {
		t.Error("duplicate versions: no error")
	}
}

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO engine_state(key, value) VALUES ('k', 'v')")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.Read(ctx, func(tx *sql.Tx) error { return tx.QueryRow("SELECT value FROM engine_state WHERE key='k'").Scan(&v) }); err != nil {
		t.Fatal(err)
	}
	if v != "v" {
		t.Errorf("value = %q, want v", v)
	}
}
