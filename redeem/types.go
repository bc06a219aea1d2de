package redeem

import (
	"time"

	"github.com/cardpos/cardpos/scanner"
	"github.com/cardpos/cardpos/wxapi"
)

// Source says where a scan came from; the values are scanner's.
type Source = scanner.Source

// The input sources, re-exported for callers that only know redeem.
const (
	SourceWedge  = scanner.SourceWedge
	SourceSerial = scanner.SourceSerial
	SourceCamera = scanner.SourceCamera
	SourceTyped  = scanner.SourceTyped
	SourceCLI    = scanner.SourceCLI
)

// Scan is one text read at the counter, with who and where.
type Scan struct {
	Text    string
	Source  Source
	At      time.Time
	Cashier string // signed-in user name, "" if none
}

// Result is the end state of one scan as the cashier sees it. The strings are the CLI's
// `"result"` values and are part of the command-line contract.
type Result string

// The results of a scan.
const (
	ResultValid    Result = "valid"    // checked only: the code can be redeemed now
	ResultRedeemed Result = "redeemed" // consumed at WeChat
	ResultQueued   Result = "queued"   // accepted offline, will sync
	ResultRejected Result = "rejected" // cannot be redeemed; Reason says why
)

// Message is a user-facing text as a translation key plus its template data; the UI and CLI turn
// it into words with i18n. Keys live in assets/translations.
type Message struct {
	Key  string
	Args map[string]any
}

// Preview is what the card panel shows after a scan and before the cashier confirms.
type Preview struct {
	Scan       Scan
	Kind       string // scanner.Kind of the text
	Code       string // plain code (after decrypt)
	MaskedCode string // e.g. "•••• •••• 5678"
	CardID     string
	Title      string
	Brand      string
	CardType   wxapi.CardType
	Value      Message // 满100减20 / 八折 / gift text / groupon detail
	ValidFrom  int64   // unix seconds, 0 unknown
	ValidTo    int64   // unix seconds, 0 unknown / permanent
	FaceValue  int64   // fen, 0 when the card has none
	Status     wxapi.CodeStatus
	CanRedeem  bool
	Offline    bool    // looked up from the local catalog because WeChat did not answer
	Reason     Message // why not, when !CanRedeem; a warning (e.g. offline risk) otherwise
	ErrCode    int     // WeChat errcode behind Reason, 0 if none
	Notice     string  // the card's usage notes
	Advice     Message // what to tell the customer, when there is something to say
	Duplicate  bool    // the same text was scanned moments ago: this is the earlier answer, no new request
}

// Outcome is the end of one scan: what happened and why, as the CLI's --json prints it.
type Outcome struct {
	Result   Result
	ID       int64 // journal row id, 0 when nothing was recorded
	Code     string
	CardID   string
	Title    string
	CardType wxapi.CardType
	ErrCode  int
	Reason   Message
	Preview  *Preview
	// Advice is what to tell the customer (Key "" when nothing).
	Advice Message
	// Offline is true when the redemption was accepted without WeChat and waits in the queue.
	Offline bool
	// ConfirmedByStatus is true when the answer to our consume was lost and code/get showed the
	// code consumed.
	ConfirmedByStatus bool
	// Duplicate is true when the same code was redeemed or queued moments ago: no new request was
	// sent and this repeats that outcome.
	Duplicate bool
}

// Policy is the offline policy a manager sets. Zero values are not the defaults: use DefaultPolicy.
type Policy struct {
	Enabled      bool
	MaxPending   int              // queued + in_flight at most
	MaxFaceValue int64            // fen per offline redemption, where the card has a face value; 0 = no cap
	MaxAge       time.Duration    // a queued redemption older than this expires
	AllowedTypes []wxapi.CardType // empty = all types
	LookupWait   time.Duration    // how long a cashier waits for WeChat before the offline path
}

// DefaultPolicy is what the user asked for: offline on, 200 pending, ¥500, 24 hours, every type.
func DefaultPolicy() Policy {
	return Policy{
		Enabled:      true,
		MaxPending:   200,
		MaxFaceValue: 500_00,
		MaxAge:       24 * time.Hour,
		LookupWait:   3 * time.Second,
	}
}

// SyncProgress is what the status bar shows about the offline queue.
type SyncProgress struct {
	Pending   int // queued, waiting
	InFlight  int
	Done      int // redeemed by this sync run
	Conflicts int // open conflicts needing a manager
	Expired   int
	Online    bool
	LastSync  time.Time // zero if never
	LastError Message
	Running   bool
}
