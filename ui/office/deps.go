// Package office is CardPOS's back office: the redemption history (F4) with its shift summary
// and CSV export, the offline queue with conflict resolution, and the manager area behind a PIN
// (card catalog, campaigns, settings). Each screen is built on narrow interfaces declared here;
// main wires the real services and tests pass fakes. The shell in package ui mounts what the
// constructors return. Every action is reachable from the keyboard (Tab to move, Space or Enter
// to press, the keys printed on the buttons).
package office

import (
	"context"
	"errors"
	"image"
	"io"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cardpos/cardpos/auth"
	"github.com/cardpos/cardpos/campaign"
	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/printer"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/secrets"
	"github.com/cardpos/cardpos/settings"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/ui/uithread"
	"github.com/cardpos/cardpos/wxapi"
)

// Journal is what the history and queue screens need from the redemption engine
// (*redeem.Service).
type Journal interface {
	// History lists the journal rows created at or after since, newest first.
	History(ctx context.Context, since time.Time) ([]storage.Redemption, error)
	// Queue lists what waits to sync (queued, in_flight) and what needs a manager (conflict,
	// expired), oldest first.
	Queue(ctx context.Context) ([]storage.Redemption, error)
	// ResolveConflict closes a conflict or expired row with the manager's note.
	ResolveConflict(ctx context.Context, id int64, manager, note string) error
	// Sync sends the queue now and reports how far it got.
	Sync(ctx context.Context) (redeem.SyncProgress, error)
}

// CardAdmin is the card catalog and its management calls (the catalog cache plus wxapi.Client).
type CardAdmin interface {
	// Cards lists the catalog; refresh fetches it from WeChat first.
	Cards(ctx context.Context, refresh bool) ([]wxapi.Card, error)
	// ModifyStock adds delta (negative: removes) to a card's stock.
	ModifyStock(ctx context.Context, cardID string, delta int64) error
	// UnavailableCode voids one code for a reason; cardID may be "".
	UnavailableCode(ctx context.Context, cardID, code, reason string) error
	// SetTestWhitelist sets the WeChat accounts that may claim cards still in review.
	SetTestWhitelist(ctx context.Context, openIDs, usernames []string) error
}

// CampaignRequest asks for one dispatch QR code (campaign.CreateRequest's fields).
type CampaignRequest struct {
	Name          string
	CardIDs       []string // one → QR_CARD, 2–5 → QR_MULTIPLE_CARD
	Scene         string   // outer_str
	ExpireSeconds int      // 0 = permanent, else 60–1800
	Unique        bool
	CreatedBy     string
}

// CampaignMaker makes dispatch QR codes and their posters (package campaign's Service, through
// CampaignService).
type CampaignMaker interface {
	// Campaigns lists the campaigns made so far.
	Campaigns(ctx context.Context) ([]storage.Campaign, error)
	// Create asks WeChat for a dispatch QR code and keeps it.
	Create(ctx context.Context, req CampaignRequest) (*storage.Campaign, error)
	// Preview renders a saved campaign's poster for the screen.
	Preview(ctx context.Context, id int64) (image.Image, error)
	// PDF writes a saved campaign's poster as PDF.
	PDF(ctx context.Context, id int64, w io.Writer) error
	// PNG writes a saved campaign's poster as PNG at print resolution.
	PNG(ctx context.Context, id int64, w io.Writer) error
}

// Authenticator is the manager gate (*auth.Service).
type Authenticator interface {
	NeedsFirstManager(ctx context.Context) (bool, error)
	SetFirstManager(ctx context.Context, name, pin string) (auth.Session, error)
	SignInManager(ctx context.Context, name, pin string) (auth.Session, error)
	Audit(ctx context.Context, by auth.Session, action, detail string) error
}

// SettingsStore loads and saves the till settings (*settings.Store).
type SettingsStore interface {
	Load(ctx context.Context) (settings.Settings, error)
	Save(ctx context.Context, actor string, s settings.Settings) error
}

// PolicyEngine is the redemption engine's offline policy in force (*redeem.Service). When
// wired, it is the policy the settings screen shows, and saving settings applies the policy to
// it as well as to the settings table.
type PolicyEngine interface {
	Policy() redeem.Policy
	SetPolicy(ctx context.Context, actor string, p redeem.Policy) error
}

// SecretStore keeps the WeChat credentials (*secrets.Vault).
type SecretStore interface {
	Load(ctx context.Context) (secrets.Credentials, secrets.Store, error)
	Save(ctx context.Context, c secrets.Credentials) (secrets.Store, error)
}

// Deps is what the back-office screens are built on. Catalog, Journal, Auth and Window are
// needed; a nil Cards, Campaigns, Settings, Secrets, TestPrint or PrintPDF shows that part as unavailable.
type Deps struct {
	Catalog   *i18n.Catalog
	Journal   Journal
	Cards     CardAdmin
	Campaigns CampaignMaker
	Auth      Authenticator
	Settings  SettingsStore
	Policy    PolicyEngine
	Secrets   SecretStore
	Window    fyne.Window

	// TestPrint sends a test slip to the printer p describes (printer.TestPage over
	// printer.ParseTarget); nil hides the button.
	TestPrint func(ctx context.Context, p settings.Printer) error
	// PrintPDF prints the PDF at path (printer.Spooler.PrintPDF); nil hides the print button.
	PrintPDF func(ctx context.Context, path string) error

	// Loc is the zone times are shown and "today" is counted in; time.Local if nil.
	Loc *time.Location
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// Timeout bounds one user action's I/O; 20 s if zero. Sync gets three times as long.
	Timeout time.Duration
	// SerialPorts lists the serial ports a scanner may be on (go.bug.st/serial's GetPortsList);
	// Cameras lists camera names. Either may be nil; the fields then take free text only.
	SerialPorts func(ctx context.Context) ([]string, error)
	Cameras     func(ctx context.Context) ([]string, error)
	// ManagerIdle locks the manager area after this long without a manager action; 5 minutes
	// if zero, never if negative.
	ManagerIdle time.Duration
	// OnSettingsSaved is called on Fyne's goroutine after settings are saved (the shell applies
	// the language and terminal name); may be nil.
	OnSettingsSaved func(settings.Settings)
	// Logger logs failures once; slog.Default() if nil.
	Logger *slog.Logger
}

// Screen title keys and the keys that open them, for the shell's tabs.
const (
	TitleHistory = "office.history.title"
	TitleQueue   = "office.queue.title"
	TitleManager = "office.manager.title"
)

// screen is what every back-office screen shares: its deps, its lifetime and its root.
type screen struct {
	d      Deps
	ctx    context.Context
	cancel context.CancelFunc
	root   *fyne.Container
	busy   *sync.WaitGroup // actions in flight, for Wait
	touch  func()          // called on every action (the manager's idle clock); may be nil
}

func newScreen(d Deps) screen {
	if d.Catalog == nil {
		d.Catalog = i18n.Default()
	}
	if d.Loc == nil {
		d.Loc = time.Local
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Timeout <= 0 {
		d.Timeout = 20 * time.Second
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return screen{d: d, ctx: ctx, cancel: cancel, root: container.NewStack(), busy: &sync.WaitGroup{}}
}

func (s *screen) t(key string, args ...any) string { return s.d.Catalog.T(key, args...) }

// set replaces the screen's content.
func (s *screen) set(o fyne.CanvasObject) {
	s.root.Objects = []fyne.CanvasObject{o}
	s.root.Refresh()
}

// run does work off Fyne's goroutine with the screen's timeout and hands the result to apply
// on Fyne's goroutine through uithread.Do. The goroutine belongs to the screen: Close cancels
// its ctx (and apply is then skipped); the timeout ends it otherwise.
func run[T any](s *screen, timeout time.Duration, work func(context.Context) (T, error), apply func(T, error)) {
	if s.touch != nil {
		s.touch()
	}
	ctx, cancel := context.WithTimeout(s.ctx, timeout)
	s.busy.Add(1)
	go func() {
		v, err := work(ctx)
		if s.ctx.Err() != nil {
			cancel()
			s.busy.Done()
			return
		}
		uithread.Do(func() {
			defer s.busy.Done()
			cancel()
			apply(v, err)
		})
	}()
}

// Wait blocks until every action the screen started (and any it started from their results)
// has applied its result. Tests use it; the UI never needs to.
func (s *screen) Wait() { s.busy.Wait() }

// errText turns err into plain words in the current language and logs it once.
func (s *screen) errText(op string, err error) string {
	var le *auth.LockedError
	var we *wxapi.Error
	var ue *UnsyncedError
	var key string
	var args map[string]any
	switch {
	case errors.As(err, &ue):
		key, args = "office.settings.unsynced", map[string]any{"N": ue.N}
	case errors.As(err, &le):
		key, args = "office.err.locked", map[string]any{"Until": le.Until.In(s.d.Loc).Format("15:04")}
	case errors.Is(err, auth.ErrBadPIN):
		key = "office.err.bad_pin"
	case errors.Is(err, auth.ErrNotManager):
		key = "office.err.not_manager"
	case errors.Is(err, auth.ErrWeakPIN):
		key = "office.err.weak_pin"
	case errors.Is(err, auth.ErrBadName):
		key = "office.err.bad_name"
	case errors.Is(err, auth.ErrLastManager):
		key = "office.err.last_manager"
	case errors.Is(err, auth.ErrUserExists):
		key = "office.err.user_exists"
	case errors.Is(err, storage.ErrNotFound):
		key = "office.err.not_found"
	case errors.Is(err, auth.ErrManagerExists):
		key = "office.err.manager_exists"
	case errors.Is(err, secrets.ErrIncomplete):
		key = "office.err.credentials"
	case errors.Is(err, storage.ErrStale):
		key = "office.err.stale"
	case errors.Is(err, settings.ErrInvalid):
		key = "office.settings.err.invalid"
	case campaign.ErrorKey(err) != "":
		key = campaign.ErrorKey(err)
	case printer.ErrorKey(err) != "":
		key = printer.ErrorKey(err)
	case errors.As(err, &we):
		info := we.Info()
		key, args = info.Key, map[string]any{"Code": we.Code}
	case errors.Is(err, context.DeadlineExceeded):
		key = "office.err.timeout"
	default:
		key = "office.err.failed"
	}
	if !errors.Is(err, auth.ErrBadPIN) && !errors.As(err, &le) && !errors.As(err, &ue) {
		s.d.Logger.Warn("office: "+op, "err", err)
	}
	return s.t(key, args)
}

// Close stops the screen's background work.
func (s *screen) Close() { s.cancel() }

// CanvasObject is the screen's content, for the shell to mount.
func (s *screen) CanvasObject() fyne.CanvasObject { return s.root }

// cell is one list cell: a label that ends in … rather than spilling into the next column.
func cell() *widget.Label {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}
