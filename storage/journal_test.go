package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOneOpenRedemptionPerCode(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		first, second State
		wantErr       error
	}{
		{StateQueued, StateQueued, ErrOpenExists},
		{StateInFlight, StateChecking, ErrOpenExists},
		{StateConflict, StateQueued, ErrOpenExists},
		{StateRedeemed, StateQueued, nil},
		{StateRejected, StateChecking, nil},
		{StateExpired, StateQueued, nil},
		{StateResolved, StateQueued, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.first)+"_"+string(tt.second), func(t *testing.T) {
			db := openTest(t)
			if _, err := db.Insert(ctx, Redemption{Code: "100000000001", State: tt.first}); err != nil {
				t.Fatal(err)
			}
			_, err := db.Insert(ctx, Redemption{Code: "100000000001", State: tt.second})
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("second insert: got %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestEnqueueCap(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	for i, code := range []string{"1", "2", "3"} {
		_, err := db.Enqueue(ctx, Redemption{Code: code}, 2)
		if i < 2 && err != nil {
			t.Fatalf("enqueue %d: %v", i, err)
		}
		if i == 2 && !errors.Is(err, ErrQueueFull) {
			t.Fatalf("enqueue past the cap: got %v, want ErrQueueFull", err)
		}
	}
	got, err := db.List(ctx, Filter{States: PendingStates})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].Offline || got[0].State != StateQueued {
		t.Errorf("pending = %+v, want two offline queued rows", got)
	}
}

func TestTransitionRoundTripAndStale(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	in := Redemption{Code: "c1", CardID: "card", Title: "满100减20", CardType: "CASH", FaceValue: 2000,
		Source: "wedge", Cashier: "ann", Terminal: "t1", CreatedAt: 1000}
	id, err := db.Enqueue(ctx, in, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Transition(ctx, id, []State{StateQueued}, func(r *Redemption) {
		r.State, r.Attempts, r.NextAttemptAt = StateInFlight, 1, 5000
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Transition(ctx, id, []State{StateQueued}, func(r *Redemption) { r.State = StateRedeemed })
	if !errors.Is(err, ErrStale) {
		t.Fatalf("transition from a state it is not in: got %v, want ErrStale", err)
	}
	if _, err := db.Transition(ctx, 999, []State{StateQueued}, func(*Redemption) {}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("transition of a missing row: got %v, want ErrNotFound", err)
	}
	read, err := db.Redemption(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, read); diff != "" {
		t.Errorf("stored row differs from returned (-returned +stored):\n%s", diff)
	}
	want := in
	want.ID, want.State, want.Offline, want.Attempts, want.NextAttemptAt, want.UpdatedAt = id, StateInFlight, true, 1, 5000, read.UpdatedAt
	want.Owner = db.Owner()
	if diff := cmp.Diff(want, read); diff != "" {
		t.Errorf("row (-want +got):\n%s", diff)
	}
}

func TestDueOrderAndLeases(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	mk := func(code string, s State, next int64) int64 {
		id, err := db.Insert(ctx, Redemption{Code: code, State: s, NextAttemptAt: next})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a := mk("a", StateQueued, 0)
	mk("b", StateQueued, 10_000)    // backing off
	c := mk("c", StateInFlight, 50) // lease ran out
	mk("d", StateInFlight, 10_000)  // lease held
	e := mk("e", StateChecking, 99)
	mk("f", StateRedeemed, 0)
	rows, err := db.Due(ctx, 100, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, r := range rows {
		got = append(got, r.ID)
	}
	if diff := cmp.Diff([]int64{a, c, e}, got); diff != "" {
		t.Errorf("due ids (-want +got):\n%s", diff)
	}
	next, ok, err := db.NextDue(ctx)
	if err != nil || !ok || next != 0 {
		t.Errorf("NextDue = %d %v %v, want 0 true nil", next, ok, err)
	}
	counts, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[StateQueued] != 2 || counts[StateInFlight] != 2 || counts[StateRedeemed] != 1 {
		t.Errorf("counts = %v", counts)
	}
	open, err := db.OpenFor(ctx, "c")
	if err != nil || open.ID != c {
		t.Errorf("OpenFor(c) = %d, %v; want %d", open.ID, err, c)
	}
	if _, err := db.OpenFor(ctx, "f"); !errors.Is(err, ErrNotFound) {
		t.Errorf("OpenFor(redeemed code) = %v, want ErrNotFound", err)
	}
}

func TestListFilter(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	for i, s := range []State{StateRedeemed, StateRejected, StateQueued} {
		if _, err := db.Insert(ctx, Redemption{Code: string(rune('a' + i)), State: s, CreatedAt: int64(1000 * (i + 1))}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		f    Filter
		want []string
	}{
		{Filter{}, []string{"a", "b", "c"}},
		{Filter{Since: 2000}, []string{"b", "c"}},
		{Filter{Newest: true, Limit: 2}, []string{"c", "b"}},
		{Filter{States: []State{StateRedeemed, StateQueued}}, []string{"a", "c"}},
		{Filter{Code: "b"}, []string{"b"}},
	}
	for _, tt := range tests {
		rows, err := db.List(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r.Code)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("List(%+v) (-want +got):\n%s", tt.f, diff)
		}
	}
}

func TestAuditAndCatalog(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	before := time.Now().Add(-time.Second)
	if err := db.Audit(ctx, "boss", "policy.set", `{"Enabled":false}`); err != nil {
		t.Fatal(err)
	}
	log, err := db.AuditLog(ctx, before)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Actor != "boss" || log[0].Action != "policy.set" {
		t.Errorf("audit log = %+v", log)
	}
	if later, _ := db.AuditLog(ctx, time.Now().Add(time.Hour)); len(later) != 0 {
		t.Errorf("audit log since the future = %+v, want none", later)
	}

	cards := []CachedCard{
		{ID: "p2", Type: "DISCOUNT", JSON: []byte(`{"Discount":20}`)},
		{ID: "p1", Type: "CASH", JSON: []byte(`{"LeastCost":10000}`)},
	}
	if err := db.PutCards(ctx, cards, 42, true); err != nil {
		t.Fatal(err)
	}
	got, err := db.Cards(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []CachedCard{cards[1], cards[0]}
	want[0].RefreshedAt, want[1].RefreshedAt = 42, 42
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("catalog (-want +got):\n%s", diff)
	}
	if err := db.PutCards(ctx, cards[:1], 43, true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Card(ctx, "p1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("card removed by replace: got %v, want ErrNotFound", err)
	}
	c, err := db.Card(ctx, "p2")
	if err != nil || c.RefreshedAt != 43 || string(c.JSON) != `{"Discount":20}` {
		t.Errorf("Card(p2) = %+v, %v", c, err)
	}
}

func TestRowsOfAGoneProcessAreDueAtOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if a.Owner() == b.Owner() {
		t.Fatal("two opens share an owner id")
	}
	lease := time.Now().Add(time.Hour).UnixMilli()
	id, err := a.Insert(ctx, Redemption{Code: "c", State: StateInFlight, NextAttemptAt: lease})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	if due, _ := b.Due(ctx, now, 0, 10); len(due) != 0 {
		t.Fatalf("row held by a live owner is due: %+v", due)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if due, _ := b.Due(ctx, now, time.Hour, 10); len(due) != 0 {
		t.Fatalf("row of a gone owner is due before it settled: %+v", due)
	}
	due, err := b.Due(ctx, now, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].ID != id || !b.Abandoned(due[0], now, 0) {
		t.Fatalf("after its owner closed: due = %+v, want the row", due)
	}
	r, err := b.Transition(ctx, id, []State{StateInFlight}, func(r *Redemption) { r.NextAttemptAt = lease })
	if err != nil || r.Owner != b.Owner() {
		t.Errorf("taken over: owner %q, %v; want %q", r.Owner, err, b.Owner())
	}
	if b.Abandoned(r, now, 0) {
		t.Error("the new owner's own row counts as abandoned")
	}
	q, err := b.Transition(ctx, id, []State{StateInFlight}, func(r *Redemption) { r.State = StateQueued })
	if err != nil || q.Owner != "" {
		t.Errorf("queued row keeps owner %q, %v", q.Owner, err)
	}
}
