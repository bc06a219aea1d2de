package storage

import "errors"

// ErrNotFound is returned when a row asked for by key does not exist.
var ErrNotFound = errors.New("storage: not found")

// State is where one redemption stands in the journal.
type State string

// The journal's states. Online: checking → redeemed | rejected. Offline:
// queued → in_flight → redeemed | conflict | expired (and queued again after a transient failure).
// A manager moves a conflict to resolved.
const (
	StateChecking State = "checking"
	StateRedeemed State = "redeemed"
	StateRejected State = "rejected"
	StateQueued   State = "queued"
	StateInFlight State = "in_flight"
	StateConflict State = "conflict"
	StateExpired  State = "expired"
	StateResolved State = "resolved"
)

// Redemption is one journal row: a scan that reached a decision. Times are unix milliseconds UTC.
type Redemption struct {
	ID                int64
	Code              string
	CardID            string
	Title             string
	CardType          string
	FaceValue         int64 // fen, 0 when the card has none
	Source            string
	Cashier           string
	Terminal          string
	State             State
	Offline           bool // accepted while WeChat could not be reached
	Attempts          int  // consume requests sent so far
	LastError         string
	ErrCode           int
	NextAttemptAt     int64
	CreatedAt         int64
	UpdatedAt         int64
	RedeemedAt        int64  // when WeChat confirmed, 0 if not (yet)
	ConfirmedByStatus bool   // redeemed because code/get showed CONSUMED after our own lost attempt
	Reason            string // message key of the rejection / conflict reason
	ConflictDetail    string // what WeChat said (status, openid, times) for the manager
	ResolvedBy        string
	ResolvedNote      string
	Owner             string // the storage.DB (process) holding a checking / in_flight row; set by storage
}

// Campaign is one dispatch QR code a manager made, kept so it can be listed and reprinted.
type Campaign struct {
	ID            int64
	Name          string
	CardIDs       []string
	Scene         string // outer_str
	Ticket        string
	URL           string // what the QR encodes
	ExpireSeconds int    // 0 = permanent
	Unique        bool
	CreatedBy     string
	CreatedAt     int64 // unix ms
}

// User is a person who signs in at the till.
type User struct {
	Name           string
	Role           string // "cashier" or "manager"
	PINHash        string // encoded slow-KDF hash, never the PIN
	FailedAttempts int
	LockedUntil    int64 // unix ms, 0 = not locked
	CreatedAt      int64
}

// AuditEntry records one manager action.
type AuditEntry struct {
	ID     int64
	At     int64 // unix ms
	Actor  string
	Action string
	Detail string
}
