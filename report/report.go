// Package report turns journal rows into what a shift reconciles (对账) with: the state groups
// the history screen filters by, a per-card shift summary in fen, and a CSV export the history
// screen and the CLI share. It imports no Fyne.
package report

import (
	"encoding/csv"
	"fmt"
	"github.com/cardpos/cardpos/money"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cardpos/cardpos/storage"
)

// Group is how the history screen sorts journal states for a cashier.
type Group string

// The groups: 已同步, 待同步, 需处理, and refused scans.
const (
	GroupSynced    Group = "synced"    // redeemed at WeChat (or resolved by a manager)
	GroupPending   Group = "pending"   // accepted offline or still checking: will sync
	GroupAttention Group = "attention" // conflict or expired: a manager must look
	GroupRejected  Group = "rejected"  // refused at the counter; nothing was redeemed
)

// Groups lists the groups in the order the screen shows them.
var Groups = []Group{GroupSynced, GroupPending, GroupAttention, GroupRejected}

// GroupOf maps a journal state to its group.
func GroupOf(s storage.State) Group {
	switch s {
	case storage.StateRedeemed, storage.StateResolved:
		return GroupSynced
	case storage.StateQueued, storage.StateInFlight, storage.StateChecking:
		return GroupPending
	case storage.StateConflict, storage.StateExpired:
		return GroupAttention
	default:
		return GroupRejected
	}
}

// Key is the message key of the group's name (office.*.json).
func (g Group) Key() string { return "report.group." + string(g) }

// Filter selects journal rows: a code fragment (matched anywhere in the code, spaces in the
// query ignored) and the groups to keep (none = all).
type Filter struct {
	Code   string
	Groups []Group
}

// Match reports whether r passes f.
func (f Filter) Match(r storage.Redemption) bool {
	if q := strings.ReplaceAll(strings.TrimSpace(f.Code), " ", ""); q != "" && !strings.Contains(r.Code, q) {
		return false
	}
	if len(f.Groups) == 0 {
		return true
	}
	g := GroupOf(r.State)
	for _, x := range f.Groups {
		if x == g {
			return true
		}
	}
	return false
}

// Apply returns the rows of rs that pass f, in order.
func (f Filter) Apply(rs []storage.Redemption) []storage.Redemption {
	var out []storage.Redemption
	for _, r := range rs {
		if f.Match(r) {
			out = append(out, r)
		}
	}
	return out
}

// CardTotal is one card's line of the shift summary.
type CardTotal struct {
	CardID    string
	Title     string
	Synced    int
	Pending   int
	Attention int
	Rejected  int
	FaceValue int64 // fen of the synced and pending redemptions
}

// Accepted is how many redemptions of this card the till accepted (synced + pending).
func (c CardTotal) Accepted() int { return c.Synced + c.Pending }

// Summary is the shift summary: per card, and totals.
type Summary struct {
	Cards    []CardTotal // by accepted count, most first, then title
	Total    CardTotal   // the sum of Cards (CardID and Title empty)
	Cashiers []string    // who redeemed, sorted
	First    int64       // earliest CreatedAt, unix ms; 0 when empty
	Last     int64       // latest CreatedAt, unix ms
}

// Summarize adds up rows per card.
func Summarize(rows []storage.Redemption) Summary {
	var s Summary
	by := map[string]*CardTotal{}
	cashiers := map[string]bool{}
	for _, r := range rows {
		c := by[r.CardID]
		if c == nil {
			c = &CardTotal{CardID: r.CardID, Title: r.Title}
			by[r.CardID] = c
		}
		if c.Title == "" {
			c.Title = r.Title
		}
		switch GroupOf(r.State) {
		case GroupSynced:
			c.Synced++
			c.FaceValue += r.FaceValue
		case GroupPending:
			c.Pending++
			c.FaceValue += r.FaceValue
		case GroupAttention:
			c.Attention++
		case GroupRejected:
			c.Rejected++
		}
		if r.Cashier != "" {
			cashiers[r.Cashier] = true
		}
		if s.First == 0 || r.CreatedAt < s.First {
			s.First = r.CreatedAt
		}
		if r.CreatedAt > s.Last {
			s.Last = r.CreatedAt
		}
	}
	for _, c := range by {
		s.Cards = append(s.Cards, *c)
		s.Total.Synced += c.Synced
		s.Total.Pending += c.Pending
		s.Total.Attention += c.Attention
		s.Total.Rejected += c.Rejected
		s.Total.FaceValue += c.FaceValue
	}
	sort.Slice(s.Cards, func(i, j int) bool {
		a, b := s.Cards[i], s.Cards[j]
		if a.Accepted() != b.Accepted() {
			return a.Accepted() > b.Accepted()
		}
		if a.Title != b.Title {
			return a.Title < b.Title
		}
		return a.CardID < b.CardID
	})
	for n := range cashiers {
		s.Cashiers = append(s.Cashiers, n)
	}
	sort.Strings(s.Cashiers)
	return s
}

// CSVHeader is the export's first row. The column names are a data format for spreadsheets and
// scripts, not display text, so they are fixed English identifiers in every language.
var CSVHeader = []string{"id", "created_at", "redeemed_at", "code", "card_id", "title", "card_type",
	"face_value_yuan", "state", "group", "offline", "cashier", "terminal", "attempts", "err_code",
	"last_error", "reason", "resolved_by", "resolved_note"}

// CSVOptions shape the export.
type CSVOptions struct {
	// Loc is the zone times are written in (RFC 3339 with offset); UTC if nil.
	Loc *time.Location
	// BOM starts the file with a UTF-8 byte-order mark, which Excel needs to read Chinese.
	BOM bool
}

// WriteCSV writes rows as CSV: CSVHeader, then one line per row. Full codes are written: the
// export is for reconciliation against WeChat's records. A cell that a spreadsheet would run as a
// formula (starting with = + - @) gets a leading apostrophe.
func WriteCSV(w io.Writer, rows []storage.Redemption, opt CSVOptions) error {
	loc := opt.Loc
	if loc == nil {
		loc = time.UTC
	}
	if opt.BOM {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return fmt.Errorf("report: write csv: %w", err)
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	ts := func(ms int64) string {
		if ms == 0 {
			return ""
		}
		return time.UnixMilli(ms).In(loc).Format(time.RFC3339)
	}
	for _, r := range rows {
		rec := []string{
			strconv.FormatInt(r.ID, 10), ts(r.CreatedAt), ts(r.RedeemedAt), safe(r.Code), safe(r.CardID),
			safe(r.Title), r.CardType, money.Fixed(r.FaceValue), string(r.State), string(GroupOf(r.State)),
			strconv.FormatBool(r.Offline), safe(r.Cashier), safe(r.Terminal), strconv.Itoa(r.Attempts),
			strconv.Itoa(r.ErrCode), safe(r.LastError), r.Reason, safe(r.ResolvedBy), safe(r.ResolvedNote),
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("report: write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	return nil
}

func safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// StartOfDay is local midnight of t's day in loc, the History screen's default "since".
func StartOfDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}
