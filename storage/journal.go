package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrOpenExists is returned when a code already has an open redemption (checking, queued,
// in_flight or conflict): the partial unique index refused a second one.
var ErrOpenExists = errors.New("storage: the code already has an open redemption")

// ErrQueueFull is returned by Enqueue when the offline queue holds its maximum.
var ErrQueueFull = errors.New("storage: the offline queue is full")

// ErrStale is returned by Transition when the row is no longer in one of the expected states.
var ErrStale = errors.New("storage: the redemption changed state")

// OpenStates are the states the partial unique index covers: at most one such row per code.
var OpenStates = []State{StateChecking, StateQueued, StateInFlight, StateConflict}

// PendingStates are the states counted against the offline cap.
var PendingStates = []State{StateQueued, StateInFlight}

const redemptionCols = `id, code, card_id, title, card_type, face_value, source, cashier, terminal, state,
	offline, attempts, last_error, err_code, next_attempt_at, created_at, updated_at, redeemed_at,
	confirmed_by_status, reason, conflict_detail, resolved_by, resolved_note, owner`

type scanner interface{ Scan(...any) error }

func scanRedemption(s scanner) (Redemption, error) {
	var r Redemption
	var offline, confirmed int
	err := s.Scan(&r.ID, &r.Code, &r.CardID, &r.Title, &r.CardType, &r.FaceValue, &r.Source, &r.Cashier,
		&r.Terminal, &r.State, &offline, &r.Attempts, &r.LastError, &r.ErrCode, &r.NextAttemptAt,
		&r.CreatedAt, &r.UpdatedAt, &r.RedeemedAt, &confirmed, &r.Reason, &r.ConflictDetail,
		&r.ResolvedBy, &r.ResolvedNote, &r.Owner)
	r.Offline, r.ConfirmedByStatus = offline != 0, confirmed != 0
	return r, err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

func (db *DB) claimOwner(r *Redemption) {
	if r.State == StateChecking || r.State == StateInFlight {
		r.Owner = db.own.id
	} else {
		r.Owner = ""
	}
}

func insertTx(ctx context.Context, tx *sql.Tx, r *Redemption) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO redemptions (code, card_id, title, card_type, face_value,
		source, cashier, terminal, state, offline, attempts, last_error, err_code, next_attempt_at,
		created_at, updated_at, redeemed_at, confirmed_by_status, reason, conflict_detail, resolved_by,
		resolved_note, owner) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		r.Code, r.CardID, r.Title, r.CardType, r.FaceValue, r.Source, r.Cashier, r.Terminal, string(r.State),
		b2i(r.Offline), r.Attempts, r.LastError, r.ErrCode, r.NextAttemptAt, r.CreatedAt, r.UpdatedAt,
		r.RedeemedAt, b2i(r.ConfirmedByStatus), r.Reason, r.ConflictDetail, r.ResolvedBy, r.ResolvedNote, r.Owner)
	if isUniqueViolation(err) {
		return 0, fmt.Errorf("%w: %s", ErrOpenExists, r.Code)
	}
	if err != nil {
		return 0, fmt.Errorf("storage: insert redemption: %w", err)
	}
	return res.LastInsertId()
}

// Insert records one redemption and returns its id. CreatedAt and UpdatedAt default to now.
// A second open row for the same code gives ErrOpenExists.
func (db *DB) Insert(ctx context.Context, r Redemption) (int64, error) {
	stamp(&r)
	db.claimOwner(&r)
	var id int64
	err := db.Write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = insertTx(ctx, tx, &r)
		return err
	})
	return id, err
}

// Enqueue records one offline redemption in state queued, in the same transaction that checks
// the cap: with maxPending > 0 and that many rows already queued or in flight it gives
// ErrQueueFull. The row is durable (synchronous=FULL) when Enqueue returns.
func (db *DB) Enqueue(ctx context.Context, r Redemption, maxPending int) (int64, error) {
	stamp(&r)
	r.State, r.Offline, r.Owner = StateQueued, true, ""
	var id int64
	err := db.Write(ctx, func(tx *sql.Tx) error {
		if maxPending > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM redemptions WHERE state IN ('queued','in_flight')`).Scan(&n); err != nil {
				return fmt.Errorf("storage: count pending: %w", err)
			}
			if n >= maxPending {
				return fmt.Errorf("%w (%d pending)", ErrQueueFull, n)
			}
		}
		var err error
		id, err = insertTx(ctx, tx, &r)
		return err
	})
	return id, err
}

func stamp(r *Redemption) {
	now := time.Now().UnixMilli()
	if r.CreatedAt == 0 {
		r.CreatedAt = now
	}
	if r.UpdatedAt == 0 {
		r.UpdatedAt = r.CreatedAt
	}
}

// Redemption returns one row by id, or ErrNotFound.
func (db *DB) Redemption(ctx context.Context, id int64) (Redemption, error) {
	var r Redemption
	err := db.Read(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = getTx(ctx, tx, id)
		return err
	})
	return r, err
}

func getTx(ctx context.Context, tx *sql.Tx, id int64) (Redemption, error) {
	r, err := scanRedemption(tx.QueryRowContext(ctx, "SELECT "+redemptionCols+" FROM redemptions WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%w: redemption %d", ErrNotFound, id)
	}
	if err != nil {
		return r, fmt.Errorf("storage: read redemption %d: %w", id, err)
	}
	return r, nil
}

// OpenFor returns the open redemption of a code (checking, queued, in_flight or conflict), or
// ErrNotFound.
func (db *DB) OpenFor(ctx context.Context, code string) (Redemption, error) {
	var r Redemption
	err := db.Read(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = scanRedemption(tx.QueryRowContext(ctx, "SELECT "+redemptionCols+
			` FROM redemptions WHERE code = ? AND state IN ('checking','queued','in_flight','conflict')`, code))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: open redemption of %s", ErrNotFound, code)
		}
		return err
	})
	return r, err
}

// Transition applies fn to row id inside one write transaction, provided the row is in one of
// the from states; otherwise it gives ErrStale (or ErrNotFound). UpdatedAt is set to now.
// fn may change every field except ID, Code and CreatedAt. It returns the row as stored.
// Each of also runs in the same transaction after the update (an audit entry, say).
func (db *DB) Transition(ctx context.Context, id int64, from []State, fn func(*Redemption), also ...func(*sql.Tx) error) (Redemption, error) {
	return db.TransitionIf(ctx, id, func(r Redemption) bool { return stateIn(r.State, from) }, fn, also...)
}

// TransitionIf is Transition with any precondition: ok sees the row as stored and returns false
// to refuse with ErrStale. A claim uses it to check that a lease is still the one it saw.
func (db *DB) TransitionIf(ctx context.Context, id int64, ok func(Redemption) bool, fn func(*Redemption), also ...func(*sql.Tx) error) (Redemption, error) {
	var out Redemption
	err := db.Write(ctx, func(tx *sql.Tx) error {
		r, err := getTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok(r) {
			return fmt.Errorf("%w: redemption %d is %s", ErrStale, id, r.State)
		}
		fn(&r)
		db.claimOwner(&r)
		r.UpdatedAt = time.Now().UnixMilli()
		_, err = tx.ExecContext(ctx, `UPDATE redemptions SET card_id=?, title=?, card_type=?, face_value=?,
			source=?, cashier=?, terminal=?, state=?, offline=?, attempts=?, last_error=?, err_code=?,
			next_attempt_at=?, updated_at=?, redeemed_at=?, confirmed_by_status=?, reason=?,
			conflict_detail=?, resolved_by=?, resolved_note=?, owner=? WHERE id=?`,
			r.CardID, r.Title, r.CardType, r.FaceValue, r.Source, r.Cashier, r.Terminal, string(r.State),
			b2i(r.Offline), r.Attempts, r.LastError, r.ErrCode, r.NextAttemptAt, r.UpdatedAt, r.RedeemedAt,
			b2i(r.ConfirmedByStatus), r.Reason, r.ConflictDetail, r.ResolvedBy, r.ResolvedNote, r.Owner, id)
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: %s", ErrOpenExists, r.Code)
		}
		if err != nil {
			return fmt.Errorf("storage: update redemption %d: %w", id, err)
		}
		for _, f := range also {
			if err := f(tx); err != nil {
				return err
			}
		}
		out = r
		return nil
	})
	return out, err
}

func stateIn(s State, set []State) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// Due returns, oldest first, up to limit rows the sync worker should act on at now (unix ms):
// queued rows whose next attempt has come, and checking or in_flight rows that are Abandoned —
// their lease ran out, or the process holding them is gone and settle has passed.
func (db *DB) Due(ctx context.Context, now int64, settle time.Duration, limit int) ([]Redemption, error) {
	queued, err := db.query(ctx, "SELECT "+redemptionCols+` FROM redemptions
		WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY id LIMIT ?`, now, limit)
	if err != nil {
		return nil, err
	}
	// Rows in checking / in_flight are few: at most the senders of the live processes.
	held, err := db.query(ctx, "SELECT "+redemptionCols+` FROM redemptions
		WHERE state IN ('in_flight','checking') ORDER BY id`)
	if err != nil {
		return nil, err
	}
	out := queued
	for _, r := range held {
		if db.Abandoned(r, now, settle) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// NextDue returns the earliest NextAttemptAt among queued, checking and in_flight rows, and
// false when there are none.
func (db *DB) NextDue(ctx context.Context) (int64, bool, error) {
	var v sql.NullInt64
	err := db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT min(next_attempt_at) FROM redemptions
			WHERE state IN ('queued','in_flight','checking')`).Scan(&v)
	})
	if err != nil {
		return 0, false, fmt.Errorf("storage: next due: %w", err)
	}
	return v.Int64, v.Valid, nil
}

// Filter selects journal rows for List. Zero fields select everything.
type Filter struct {
	States []State
	Code   string
	Since  int64 // unix ms: CreatedAt >= Since
	Limit  int   // 0 = no limit
	Newest bool  // newest first instead of oldest first
}

// List returns the journal rows matching f.
func (db *DB) List(ctx context.Context, f Filter) ([]Redemption, error) {
	q := "SELECT " + redemptionCols + " FROM redemptions WHERE created_at >= ?"
	args := []any{f.Since}
	if f.Code != "" {
		q += " AND code = ?"
		args = append(args, f.Code)
	}
	if len(f.States) > 0 {
		q += " AND state IN (" + strings.TrimSuffix(strings.Repeat("?,", len(f.States)), ",") + ")"
		for _, s := range f.States {
			args = append(args, string(s))
		}
	}
	if f.Newest {
		q += " ORDER BY id DESC"
	} else {
		q += " ORDER BY id"
	}
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	return db.query(ctx, q, args...)
}

func (db *DB) query(ctx context.Context, q string, args ...any) ([]Redemption, error) {
	var out []Redemption
	err := db.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRedemption(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("storage: list redemptions: %w", err)
	}
	return out, nil
}

// Counts returns how many rows are in each state.
func (db *DB) Counts(ctx context.Context) (map[State]int, error) {
	out := map[State]int{}
	err := db.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT state, count(*) FROM redemptions GROUP BY state")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				return err
			}
			out[State(s)] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("storage: count states: %w", err)
	}
	return out, nil
}

// Hurry makes every queued row due at now (unix ms): the network is back, so backoff delays
// that were set while it was down no longer apply. It returns how many rows it changed.
func (db *DB) Hurry(ctx context.Context, now int64) (int64, error) {
	var n int64
	err := db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE redemptions SET next_attempt_at = ? WHERE state = 'queued' AND next_attempt_at > ?", now, now)
		if err != nil {
			return fmt.Errorf("storage: hurry queue: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
