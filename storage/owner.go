package storage

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// owner is this DB's identity in the journal: a random id and a lock file, held (flock) for as
// long as the DB is open, under dir/owners/. Another process tells whether the owner of a row in
// checking or in_flight is still alive by trying the same lock.
type owner struct {
	id   string
	dir  string
	file *os.File
}

func newOwner(dataDir string) (*owner, error) {
	dir := filepath.Join(dataDir, "owners")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("storage: create owners folder: %w", err)
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("storage: owner id: %w", err)
	}
	o := &owner{id: hex.EncodeToString(b), dir: dir}
	if !ownerLocksSupported {
		return o, nil
	}
	f, err := os.OpenFile(o.path(o.id), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("storage: owner lock: %w", err)
	}
	ok, err := lockOwnerFile(f)
	if err != nil || !ok {
		f.Close()
		return nil, fmt.Errorf("storage: owner lock %s: %v", o.id, err)
	}
	o.file = f
	return o, nil
}

func (o *owner) path(id string) string { return filepath.Join(o.dir, id+".lock") }

func (o *owner) close() error {
	if o.file == nil {
		return nil
	}
	err := o.file.Close()
	if rerr := os.Remove(o.path(o.id)); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
		err = rerr
	}
	o.file = nil
	return err
}

// alive reports whether the owner id may still be running. "" (rows from before owners were
// recorded) and platforms without file locks answer true: then only the lease decides.
func (o *owner) alive(id string) bool {
	if id == "" || id == o.id || !ownerLocksSupported || strings.ContainsAny(id, `/\.`) {
		return true
	}
	f, err := os.OpenFile(o.path(id), os.O_RDWR, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		return false // closed cleanly, or cleaned up after a crash
	}
	if err != nil {
		return true
	}
	defer f.Close()
	ok, err := lockOwnerFile(f)
	if err != nil || !ok {
		return true
	}
	// We got its lock: the process is gone. Tidy its file away.
	_ = os.Remove(o.path(id))
	return false
}

// Owner is this DB's owner id, written into the rows it puts in checking or in_flight.
func (db *DB) Owner() string { return db.own.id }

// Abandoned reports whether r is in checking or in_flight and no longer held at now (unix ms):
// its lease (NextAttemptAt) ran out, or the process that set it is gone and the row has not
// changed for settle. The settle time covers a request that the dead process sent and that the
// server may still apply after the client vanished: pass the longest a request may take.
func (db *DB) Abandoned(r Redemption, now int64, settle time.Duration) bool {
	if r.State != StateChecking && r.State != StateInFlight {
		return false
	}
	if r.NextAttemptAt <= now {
		return true
	}
	return now-r.UpdatedAt >= settle.Milliseconds() && !db.own.alive(r.Owner)
}
