// Package auth signs people in at the till: cashier and manager roles, PINs hashed with argon2id,
// constant-time verification, a lockout that grows with repeated failures, and audit entries for
// failed sign-ins and manager actions. It keeps users through a Store (storage.DB in the app) and
// imports no Fyne.
package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/cardpos/cardpos/storage"
)

// Role is what a signed-in person may do.
type Role string

// The two roles. A manager can do everything a cashier can, plus the back office.
const (
	RoleCashier Role = "cashier"
	RoleManager Role = "manager"
)

// Valid reports whether r is one of the two roles.
func (r Role) Valid() bool { return r == RoleCashier || r == RoleManager }

// The errors callers branch on. Check them with errors.Is; ErrLocked comes as a *LockedError.
var (
	ErrBadPIN        = errors.New("auth: wrong name or PIN")
	ErrLocked        = errors.New("auth: locked after repeated failures")
	ErrNotManager    = errors.New("auth: a manager PIN is needed")
	ErrWeakPIN       = errors.New("auth: a PIN is 4 to 8 digits")
	ErrBadName       = errors.New("auth: a name is 1 to 32 characters")
	ErrBadRole       = errors.New("auth: unknown role")
	ErrManagerExists = errors.New("auth: a manager already exists")
	ErrLastManager   = errors.New("auth: the last manager cannot be removed or demoted")
	ErrUserExists    = errors.New("auth: that name is taken")
)

// LockedError says a user is locked until Until. It matches ErrLocked with errors.Is.
type LockedError struct {
	Name  string
	Until time.Time
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("auth: %s is locked until %s", e.Name, e.Until.UTC().Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Store keeps users and audit entries. storage.DB implements it; every method is one transaction.
type Store interface {
	// User returns one user, or an error matching storage.ErrNotFound.
	User(ctx context.Context, name string) (storage.User, error)
	// Users lists every user by name.
	Users(ctx context.Context) ([]storage.User, error)
	// CreateUser adds u and the audit entry; storage.ErrUserExists if the name is taken.
	CreateUser(ctx context.Context, u storage.User, audit storage.AuditEntry) error
	// CreateFirstManager adds u only if no manager exists yet; storage.ErrManagerExists otherwise.
	CreateFirstManager(ctx context.Context, u storage.User, audit storage.AuditEntry) error
	// UpdateUser changes role and PIN hash (an empty hash keeps the old one) and clears failures.
	// It returns storage.ErrLastManager if that would leave no manager.
	UpdateUser(ctx context.Context, name, role, pinHash string, audit storage.AuditEntry) error
	// DeleteUser removes a user; storage.ErrLastManager if it is the last manager.
	DeleteUser(ctx context.Context, name string, audit storage.AuditEntry) error
	// SignInFailed counts one failure, sets LockedUntil from lockUntil(failures) and writes audit,
	// all in one transaction, and returns the updated user.
	SignInFailed(ctx context.Context, name string, lockUntil func(failures int) int64, audit storage.AuditEntry) (storage.User, error)
	// SignInSucceeded clears the failure count and lock.
	SignInSucceeded(ctx context.Context, name string) error
	// AppendAudit writes one audit entry.
	AppendAudit(ctx context.Context, e storage.AuditEntry) error
}

// Session is a person signed in at the till.
type Session struct {
	Name string
	Role Role
	At   time.Time
}

// IsManager reports whether the session may use the back office.
func (s Session) IsManager() bool { return s.Role == RoleManager }

// The audit actions this package writes.
const (
	ActionSignInFailed = "auth.signin_failed"
	ActionLocked       = "auth.locked"
	ActionUserCreated  = "auth.user_created"
	ActionUserUpdated  = "auth.user_updated"
	ActionUserDeleted  = "auth.user_deleted"
	ActionFirstManager = "auth.first_manager"
	ActionManagerGate  = "auth.manager_signin"
)

// Service signs people in. It is safe for concurrent use. Change the exported fields only
// before first use.
type Service struct {
	store Store
	// Params are the KDF costs for new hashes.
	Params Params
	// MaxFailures is how many wrong PINs in a row lock a user.
	MaxFailures int
	// BaseLock is the first lock; each further failure doubles it, up to MaxLock.
	BaseLock time.Duration
	// MaxLock caps the lock.
	MaxLock time.Duration
	// Now is the clock, time.Now unless a test sets it.
	Now func() time.Time

	dummyOnce sync.Once
	dummy     string
}

// New returns a Service on store with the defaults: argon2id 64 MiB × 3, 5 failures lock for
// 5 minutes, doubling per further failure up to 24 hours.
func New(store Store) *Service {
	return &Service{
		store:       store,
		Params:      DefaultParams(),
		MaxFailures: 5,
		BaseLock:    5 * time.Minute,
		MaxLock:     24 * time.Hour,
		Now:         time.Now,
	}
}

// Lockout says how many wrong PINs in a row lock a user, and for how long the first time.
func (s *Service) Lockout() (failures int, lock time.Duration) { return s.MaxFailures, s.BaseLock }

// lockFor is how long a user with this many failures in a row stays locked.
func (s *Service) lockFor(failures int) time.Duration {
	if failures < s.MaxFailures {
		return 0
	}
	d := s.BaseLock
	for i := s.MaxFailures; i < failures && d < s.MaxLock; i++ {
		d *= 2
	}
	return min(d, s.MaxLock)
}

// CheckPIN validates the shape of a new PIN: 4 to 8 ASCII digits.
func CheckPIN(pin string) error {
	if len(pin) < 4 || len(pin) > 8 {
		return ErrWeakPIN
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return ErrWeakPIN
		}
	}
	return nil
}

// CheckName validates a user name: 1 to 32 characters, no control characters.
func CheckName(name string) error {
	n := strings.TrimSpace(name)
	if n == "" || n != name || len([]rune(n)) > 32 {
		return ErrBadName
	}
	for _, r := range n {
		if unicode.IsControl(r) {
			return ErrBadName
		}
	}
	return nil
}

// NeedsFirstManager reports whether no manager exists yet: a first run, where the first manager
// PIN is set on first use of the back office.
func (s *Service) NeedsFirstManager(ctx context.Context) (bool, error) {
	users, err := s.store.Users(ctx)
	if err != nil {
		return false, fmt.Errorf("auth: list users: %w", err)
	}
	for _, u := range users {
		if Role(u.Role) == RoleManager {
			return false, nil
		}
	}
	return true, nil
}

// SetFirstManager creates the first manager and signs them in. It fails with ErrManagerExists
// once any manager exists, so it cannot be used to take over a configured till.
func (s *Service) SetFirstManager(ctx context.Context, name, pin string) (Session, error) {
	if err := CheckName(name); err != nil {
		return Session{}, err
	}
	if err := CheckPIN(pin); err != nil {
		return Session{}, err
	}
	hash, err := HashPIN(pin, s.Params)
	if err != nil {
		return Session{}, err
	}
	now := s.Now()
	u := storage.User{Name: name, Role: string(RoleManager), PINHash: hash, CreatedAt: now.UnixMilli()}
	err = s.store.CreateFirstManager(ctx, u, s.entry(name, ActionFirstManager, name))
	switch {
	case errors.Is(err, storage.ErrManagerExists):
		return Session{}, ErrManagerExists
	case err != nil:
		return Session{}, fmt.Errorf("auth: first manager: %w", err)
	}
	return Session{Name: name, Role: RoleManager, At: now}, nil
}

// SignIn checks name and PIN. A wrong PIN counts a failure (and may lock the user); a locked
// user is refused with a *LockedError without the PIN being checked. An unknown name costs the
// same KDF time as a known one and returns ErrBadPIN.
func (s *Service) SignIn(ctx context.Context, name, pin string) (Session, error) {
	u, err := s.store.User(ctx, name)
	if errors.Is(err, storage.ErrNotFound) {
		s.dummyVerify(pin)
		if aerr := s.store.AppendAudit(ctx, s.entry(name, ActionSignInFailed, "unknown user")); aerr != nil {
			return Session{}, fmt.Errorf("auth: audit: %w", aerr)
		}
		return Session{}, ErrBadPIN
	}
	if err != nil {
		return Session{}, fmt.Errorf("auth: user %q: %w", name, err)
	}
	now := s.Now()
	if u.LockedUntil > now.UnixMilli() {
		return Session{}, &LockedError{Name: name, Until: time.UnixMilli(u.LockedUntil)}
	}
	ok, err := VerifyPIN(pin, u.PINHash)
	if err != nil {
		return Session{}, fmt.Errorf("auth: user %q: %w", name, err)
	}
	if !ok {
		lockUntil := func(failures int) int64 {
			if d := s.lockFor(failures); d > 0 {
				return now.Add(d).UnixMilli()
			}
			return 0
		}
		nu, err := s.store.SignInFailed(ctx, name, lockUntil, s.entry(name, ActionSignInFailed, "wrong PIN"))
		if err != nil {
			return Session{}, fmt.Errorf("auth: record failure: %w", err)
		}
		if nu.LockedUntil > now.UnixMilli() {
			until := time.UnixMilli(nu.LockedUntil)
			detail := fmt.Sprintf("%d failures, until %s", nu.FailedAttempts, until.UTC().Format(time.RFC3339))
			if err := s.store.AppendAudit(ctx, s.entry(name, ActionLocked, detail)); err != nil {
				return Session{}, fmt.Errorf("auth: audit: %w", err)
			}
			return Session{}, &LockedError{Name: name, Until: until}
		}
		return Session{}, ErrBadPIN
	}
	if u.FailedAttempts > 0 || u.LockedUntil != 0 {
		if err := s.store.SignInSucceeded(ctx, name); err != nil {
			return Session{}, fmt.Errorf("auth: clear failures: %w", err)
		}
	}
	return Session{Name: u.Name, Role: Role(u.Role), At: now}, nil
}

// SignInManager is SignIn that also requires the manager role; it writes an audit entry for
// every successful entry to the back office. A cashier's correct PIN gives ErrNotManager.
func (s *Service) SignInManager(ctx context.Context, name, pin string) (Session, error) {
	sess, err := s.SignIn(ctx, name, pin)
	if err != nil {
		return Session{}, err
	}
	if !sess.IsManager() {
		return Session{}, ErrNotManager
	}
	if err := s.store.AppendAudit(ctx, s.entry(name, ActionManagerGate, "")); err != nil {
		return Session{}, fmt.Errorf("auth: audit: %w", err)
	}
	return sess, nil
}

// Users lists the users (with hashes; callers show names and roles only).
func (s *Service) Users(ctx context.Context) ([]storage.User, error) {
	us, err := s.store.Users(ctx)
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	return us, nil
}

// AddUser lets a manager create a user.
func (s *Service) AddUser(ctx context.Context, by Session, name string, role Role, pin string) error {
	if !by.IsManager() {
		return ErrNotManager
	}
	if err := CheckName(name); err != nil {
		return err
	}
	if !role.Valid() {
		return ErrBadRole
	}
	if err := CheckPIN(pin); err != nil {
		return err
	}
	hash, err := HashPIN(pin, s.Params)
	if err != nil {
		return err
	}
	u := storage.User{Name: name, Role: string(role), PINHash: hash, CreatedAt: s.Now().UnixMilli()}
	err = s.store.CreateUser(ctx, u, s.entry(by.Name, ActionUserCreated, name+" "+string(role)))
	if errors.Is(err, storage.ErrUserExists) {
		return ErrUserExists
	}
	if err != nil {
		return fmt.Errorf("auth: add user: %w", err)
	}
	return nil
}

// UpdateUser lets a manager change a user's role and, when pin is not empty, PIN; it also
// unlocks the user.
func (s *Service) UpdateUser(ctx context.Context, by Session, name string, role Role, pin string) error {
	if !by.IsManager() {
		return ErrNotManager
	}
	if !role.Valid() {
		return ErrBadRole
	}
	hash := ""
	if pin != "" {
		if err := CheckPIN(pin); err != nil {
			return err
		}
		h, err := HashPIN(pin, s.Params)
		if err != nil {
			return err
		}
		hash = h
	}
	detail := name + " " + string(role)
	if pin != "" {
		detail += " new PIN"
	}
	err := s.store.UpdateUser(ctx, name, string(role), hash, s.entry(by.Name, ActionUserUpdated, detail))
	switch {
	case errors.Is(err, storage.ErrLastManager):
		return ErrLastManager
	case err != nil:
		return fmt.Errorf("auth: update user: %w", err)
	}
	return nil
}

// DeleteUser lets a manager remove a user other than the last manager.
func (s *Service) DeleteUser(ctx context.Context, by Session, name string) error {
	if !by.IsManager() {
		return ErrNotManager
	}
	err := s.store.DeleteUser(ctx, name, s.entry(by.Name, ActionUserDeleted, name))
	switch {
	case errors.Is(err, storage.ErrLastManager):
		return ErrLastManager
	case err != nil:
		return fmt.Errorf("auth: delete user: %w", err)
	}
	return nil
}

// Audit records a manager action done elsewhere (stock change, void, settings) under by's name.
func (s *Service) Audit(ctx context.Context, by Session, action, detail string) error {
	if !by.IsManager() {
		return ErrNotManager
	}
	if err := s.store.AppendAudit(ctx, s.entry(by.Name, action, detail)); err != nil {
		return fmt.Errorf("auth: audit: %w", err)
	}
	return nil
}

// The demo users the lead seeds in --demo mode.
const (
	DemoManager    = "店长"
	DemoManagerPIN = "1234"
	DemoCashier    = "收银员"
	DemoCashierPIN = "0000"
)

// SeedDemo creates the demo manager 店长 (PIN 1234) and cashier 收银员 (PIN 0000) if they do not
// exist. It is for --demo and training databases only.
func (s *Service) SeedDemo(ctx context.Context) error {
	for _, d := range []struct {
		name, pin string
		role      Role
	}{{DemoManager, DemoManagerPIN, RoleManager}, {DemoCashier, DemoCashierPIN, RoleCashier}} {
		hash, err := HashPIN(d.pin, s.Params)
		if err != nil {
			return err
		}
		u := storage.User{Name: d.name, Role: string(d.role), PINHash: hash, CreatedAt: s.Now().UnixMilli()}
		err = s.store.CreateUser(ctx, u, s.entry("demo", ActionUserCreated, d.name+" "+string(d.role)))
		if err != nil && !errors.Is(err, storage.ErrUserExists) {
			return fmt.Errorf("auth: seed %s: %w", d.name, err)
		}
	}
	return nil
}

func (s *Service) entry(actor, action, detail string) storage.AuditEntry {
	return storage.AuditEntry{At: s.Now().UnixMilli(), Actor: actor, Action: action, Detail: detail}
}

// dummyVerify spends one KDF run so an unknown name takes as long as a wrong PIN.
func (s *Service) dummyVerify(pin string) {
	s.dummyOnce.Do(func() {
		h, err := HashPIN("dummy-pin", s.Params)
		if err == nil {
			s.dummy = h
		}
	})
	if s.dummy != "" {
		_, _ = VerifyPIN(pin, s.dummy)
	}
}
