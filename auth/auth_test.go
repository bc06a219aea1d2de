package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cardpos/cardpos/storage"
)

func open(t *testing.T) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// fastService is a Service with cheap (but real argon2id) hashing and a clock the test moves.
func fastService(t *testing.T, db *storage.DB) (*Service, *time.Time) {
	s := New(db)
	s.Params = Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	return s, &now
}

func auditActions(t *testing.T, db *storage.DB) []string {
	t.Helper()
	log, err := db.AuditLog(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range log {
		out = append(out, e.Actor+" "+e.Action)
	}
	return out
}

func TestHashAndVerify(t *testing.T) {
	h, err := HashPIN("1234", DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") || strings.Contains(h, "1234") {
		t.Errorf("encoded hash %q: want argon2id with the default costs and no PIN inside", h)
	}
	h2, _ := HashPIN("1234", DefaultParams())
	if h == h2 {
		t.Error("two hashes of the same PIN are equal: the salt is not random")
	}
	for _, tc := range []struct {
		pin, hash string
		ok        bool
		err       error
	}{
		{"1234", h, true, nil},
		{"1235", h, false, nil},
		{"", h, false, nil},
		{"1234", "plain1234", false, ErrBadHash},
		{"1234", strings.Replace(h, "argon2id", "argon2i", 1), false, ErrBadHash},
		{"1234", h[:len(h)-30], false, ErrBadHash},
	} {
		ok, err := VerifyPIN(tc.pin, tc.hash)
		if ok != tc.ok || !errors.Is(err, tc.err) {
			t.Errorf("VerifyPIN(%q, %.30q…) = %v, %v; want %v, %v", tc.pin, tc.hash, ok, err, tc.ok, tc.err)
		}
	}
}

func TestFirstManagerOnlyOnce(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	s, _ := fastService(t, db)
	need, err := s.NeedsFirstManager(ctx)
	if err != nil || !need {
		t.Fatalf("NeedsFirstManager on an empty db = %v, %v; want true", need, err)
	}
	if _, err := s.SetFirstManager(ctx, "王店长", "12"); !errors.Is(err, ErrWeakPIN) {
		t.Errorf("short PIN: got %v, want ErrWeakPIN", err)
	}
	sess, err := s.SetFirstManager(ctx, "王店长", "2468")
	if err != nil || !sess.IsManager() || sess.Name != "王店长" {
		t.Fatalf("SetFirstManager = %+v, %v", sess, err)
	}
	if _, err := s.SetFirstManager(ctx, "intruder", "0000"); !errors.Is(err, ErrManagerExists) {
		t.Errorf("second SetFirstManager: got %v, want ErrManagerExists", err)
	}
	need, _ = s.NeedsFirstManager(ctx)
	if need {
		t.Error("NeedsFirstManager after setting one = true")
	}
	if _, err := s.SignInManager(ctx, "王店长", "2468"); err != nil {
		t.Errorf("SignInManager with the first PIN: %v", err)
	}
}

func TestSignInRolesAndLockout(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	s, now := fastService(t, db)
	if err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.SeedDemo(ctx); err != nil {
		t.Fatalf("SeedDemo twice: %v", err)
	}
	if _, err := s.SignInManager(ctx, DemoCashier, DemoCashierPIN); !errors.Is(err, ErrNotManager) {
		t.Errorf("cashier at the manager gate: got %v, want ErrNotManager", err)
	}
	if _, err := s.SignIn(ctx, "nobody", "1234"); !errors.Is(err, ErrBadPIN) {
		t.Errorf("unknown user: got %v, want ErrBadPIN", err)
	}
	for i := 1; i <= 4; i++ {
		if _, err := s.SignInManager(ctx, DemoManager, "9999"); !errors.Is(err, ErrBadPIN) {
			t.Fatalf("wrong PIN #%d: got %v, want ErrBadPIN", i, err)
		}
	}
	_, err := s.SignInManager(ctx, DemoManager, "9999")
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("5th wrong PIN: got %v, want *LockedError", err)
	}
	if got, want := le.Until.Sub(*now), 5*time.Minute; got != want {
		t.Errorf("first lock lasts %v, want %v", got, want)
	}
	if _, err := s.SignInManager(ctx, DemoManager, DemoManagerPIN); !errors.Is(err, ErrLocked) {
		t.Errorf("right PIN while locked: got %v, want ErrLocked", err)
	}
	*now = now.Add(5*time.Minute + time.Second)
	_, err = s.SignIn(ctx, DemoManager, "9999")
	if !errors.As(err, &le) || le.Until.Sub(*now) != 10*time.Minute {
		t.Fatalf("6th wrong PIN after the lock: got %v, want a 10 min lock", err)
	}
	*now = now.Add(11 * time.Minute)
	sess, err := s.SignInManager(ctx, DemoManager, DemoManagerPIN)
	if err != nil || !sess.IsManager() {
		t.Fatalf("right PIN after the lock: %+v, %v", sess, err)
	}
	u, _ := db.User(ctx, DemoManager)
	if u.FailedAttempts != 0 || u.LockedUntil != 0 {
		t.Errorf("after success: failures %d, locked_until %d; want 0, 0", u.FailedAttempts, u.LockedUntil)
	}
	acts := strings.Join(auditActions(t, db), "\n")
	for _, want := range []string{"nobody auth.signin_failed", "店长 auth.locked", "店长 auth.manager_signin"} {
		if !strings.Contains(acts, want) {
			t.Errorf("audit log lacks %q:\n%s", want, acts)
		}
	}
}

func TestLockGrowthIsCapped(t *testing.T) {
	s := New(nil)
	for _, tc := range []struct {
		failures int
		want     time.Duration
	}{{0, 0}, {4, 0}, {5, 5 * time.Minute}, {6, 10 * time.Minute}, {8, 40 * time.Minute}, {40, 24 * time.Hour}} {
		if got := s.lockFor(tc.failures); got != tc.want {
			t.Errorf("lockFor(%d) = %v, want %v", tc.failures, got, tc.want)
		}
	}
}

func TestManagerActions(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	s, _ := fastService(t, db)
	boss, err := s.SetFirstManager(ctx, "boss", "1111")
	if err != nil {
		t.Fatal(err)
	}
	cashier := Session{Name: "amy", Role: RoleCashier}
	if err := s.AddUser(ctx, cashier, "eve", RoleManager, "2222"); !errors.Is(err, ErrNotManager) {
		t.Errorf("cashier adds a user: got %v, want ErrNotManager", err)
	}
	if err := s.AddUser(ctx, boss, "amy", RoleCashier, "3333"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUser(ctx, boss, "amy", RoleCashier, "3333"); !errors.Is(err, ErrUserExists) {
		t.Errorf("duplicate name: got %v, want ErrUserExists", err)
	}
	if err := s.AddUser(ctx, boss, "bob", "owner", "3333"); !errors.Is(err, ErrBadRole) {
		t.Errorf("bad role: got %v, want ErrBadRole", err)
	}
	if err := s.UpdateUser(ctx, boss, "boss", RoleCashier, ""); !errors.Is(err, ErrLastManager) {
		t.Errorf("demote the last manager: got %v, want ErrLastManager", err)
	}
	if err := s.DeleteUser(ctx, boss, "boss"); !errors.Is(err, ErrLastManager) {
		t.Errorf("delete the last manager: got %v, want ErrLastManager", err)
	}
	if err := s.UpdateUser(ctx, boss, "amy", RoleCashier, "4444"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, "amy", "3333"); !errors.Is(err, ErrBadPIN) {
		t.Errorf("old PIN after change: got %v, want ErrBadPIN", err)
	}
	if _, err := s.SignIn(ctx, "amy", "4444"); err != nil {
		t.Errorf("new PIN: %v", err)
	}
	if err := s.DeleteUser(ctx, boss, "amy"); err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, boss, "card.stock", "pA +10"); err != nil {
		t.Fatal(err)
	}
	acts := auditActions(t, db)
	want := []string{"boss auth.first_manager", "boss auth.user_created", "boss auth.user_updated",
		"amy auth.signin_failed", "boss auth.user_deleted", "boss card.stock"}
	if strings.Join(acts, ",") != strings.Join(want, ",") {
		t.Errorf("audit log = %q, want %q", acts, want)
	}
}

func TestFirstManagerRace(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	s, _ := fastService(t, db)
	errs := make(chan error, 4)
	for i := range 4 {
		go func() {
			_, err := s.SetFirstManager(ctx, "m"+string(rune('a'+i)), "1357")
			errs <- err
		}()
	}
	won, lost := 0, 0
	for range 4 {
		switch err := <-errs; {
		case err == nil:
			won++
		case errors.Is(err, ErrManagerExists):
			lost++
		default:
			t.Errorf("SetFirstManager: %v", err)
		}
	}
	if won != 1 || lost != 3 {
		t.Errorf("%d first managers won, %d lost; want exactly one", won, lost)
	}
}
