package ui

import (
	"context"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"

	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/scanner"
	"github.com/cardpos/cardpos/ui/office"
)

// Redeemer is what the counter needs from the redemption engine; *redeem.Service satisfies it.
type Redeemer interface {
	// Check looks a scan up and says what the card panel shows.
	Check(ctx context.Context, scan redeem.Scan) (*redeem.Preview, error)
	// Redeem consumes the previewed code, or queues it when WeChat does not answer.
	Redeem(ctx context.Context, p *redeem.Preview) (*redeem.Outcome, error)
	// Sync sends the offline queue now.
	Sync(ctx context.Context) (redeem.SyncProgress, error)
	// Progress reports the queue and connection state now.
	Progress() redeem.SyncProgress
	// Subscribe delivers every change of Progress until the returned stop is called.
	Subscribe() (<-chan redeem.SyncProgress, func())
}

// Sample is one sample code of the training emulator, listed on the counter in demo mode so
// that a trainee can try it.
type Sample struct {
	Code     string
	CardID   string
	Title    string
	CardType string
	Status   string
	Note     string // an i18n key (re-rendered on a language switch), or plain text
}

// Screen is one back-office screen the shell mounts as a tab beside the counter.
type Screen struct {
	TitleKey string            // i18n key of the tab title
	Key      fyne.KeyName      // function key that opens it, e.g. fyne.KeyF4; "" for none
	Content  fyne.CanvasObject // the screen, e.g. office.NewHistory(deps).CanvasObject()
	Queue    bool              // the screen the "待同步 N" badge opens
	// Refresh re-renders the screen's words after a language switch; nil if it needs none.
	Refresh func()
	// Shown is called when the tab is selected (e.g. reload today's list, focus the first
	// field); may be nil.
	Shown func()
	// Left is called when another tab is selected (e.g. the manager area locks); may be nil.
	Left func()
	// Close stops the screen's background work when the shell closes; may be nil.
	Close func()

	wait func() // tests: blocks until the screen's background work has applied
}

// Options is everything the shell and the counter need; main.go fills it.
type Options struct {
	Redeemer Redeemer
	Catalog  *i18n.Catalog // nil: i18n.Default()
	Demo     bool          // training mode: a banner and the sample codes
	Samples  []Sample
	Terminal string

	// Cashier names who is signed in now; nil or "" shows nobody.
	Cashier func() string
	// SignOut ends the shift (F9) after the counter has checked that nothing is unsynced;
	// nil hides the F9 action.
	SignOut func()

	// Wedge tunes the keyboard-wedge detector (prefix, minimum length; settings has them).
	// Its Typed field is the counter's own and is overwritten.
	Wedge scanner.WedgeConfig
	// Serial, when set, reads a scanner in serial (USB-COM) mode on that port for as long as
	// the counter is open, reopening it after an unplug; the status bar shows its state.
	Serial *scanner.SerialConfig
	// Camera opens the frame source when the cashier presses F2 (scanner.OpenCamera, or
	// scanner.OpenFileSource for --camera FILE); nil = no camera. The counter closes it.
	Camera func() (scanner.FrameSource, error)
	// CameraConfig tunes the decode pipeline (scanner.NewCamera) the frames go through.
	CameraConfig scanner.CameraConfig

	// Office, when set, mounts the back-office screens of package ui/office as tabs after the
	// counter: 核销记录 (F4), the sync queue (F6, and the 待同步 badge), the manager area (F8).
	// The shell fills in Window and Catalog, and applies a saved language and terminal name.
	Office *office.Deps
	// Screens are further screens mounted as tabs after the office ones.
	Screens []Screen

	Logger *slog.Logger // nil: slog.Default()

	// CheckTimeout bounds a lookup, RedeemTimeout a redemption and SyncTimeout a manual sync;
	// zero picks 10 s, 20 s and 60 s. The engine falls back to offline well within these.
	CheckTimeout, RedeemTimeout, SyncTimeout time.Duration
	// SuccessHold is how long ✓ 核销成功 stays before the counter is ready again; zero = 2.5 s.
	SuccessHold time.Duration
	// RepeatWindow is how long a second scan of the same text is a quiet 重复扫码; zero = 5 s.
	RepeatWindow time.Duration
}
