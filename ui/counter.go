package ui

import (
	"context"
	"errors"
	"image/color"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/scanner"
	"github.com/cardpos/cardpos/ui/uithread"
	"github.com/cardpos/cardpos/wxapi"
)

// State is where the counter is in the life of one scan.
type State int

// The counter states.
const (
	StateReady     State = iota // waiting for a scan
	StateChecking               // a lookup is in flight
	StatePreview                // the card panel waits for Enter (redeem) or Esc (cancel)
	StateRedeeming              // a redemption is in flight
	StateResult                 // a result fills the panel
)

// Verdict is the kind of result the counter shows.
type Verdict int

// The result kinds: each has its own icon, word and colour.
const (
	VerdictNone     Verdict = iota
	VerdictRedeemed         // ✓ 核销成功, green, back to scanning by itself
	VerdictQueued           // ⏳ 已记录，待联网核销, amber: never a plain success
	VerdictRefused          // ✗ with the reason, red, stays until Enter
)

// Counter is the counter screen: always ready for a scan from the wedge scanner, the manual
// entry field or the camera; a card panel to confirm; a big result. Build it with NewCounter,
// call Close when the window goes. All its methods run on Fyne's goroutine.
type Counter struct {
	opts Options
	cat  *i18n.Catalog
	log  *slog.Logger
	win  fyne.Window
	now  func() time.Time

	// ctx owns every goroutine the counter starts (progress subscription, camera, timers);
	// Close cancels it.
	ctx    context.Context
	cancel context.CancelFunc

	wedge *scanner.Wedge

	state    State
	gen      int                // bumps with every scan; a late answer for an older one is dropped
	opCancel context.CancelFunc // cancels the lookup or redemption in flight
	scan     redeem.Scan
	preview  *redeem.Preview
	res      result
	notice   redeem.Message // a quiet line under the prompt: 重复扫码, wrong input method…
	lastText string
	lastAt   time.Time
	hold     *time.Timer

	progress redeem.SyncProgress

	// widgets
	content    *fyne.Container
	banner     *fyne.Container
	bannerText *canvas.Text
	status     *statusBar
	panel      *fyne.Container // holds exactly one of the views below
	readyView  *fyne.Container
	prompt     *canvas.Text
	promptHint *widget.Label
	noticeText *canvas.Text
	busyView   *fyne.Container
	busyText   *widget.Label
	card       *cardPanel
	resView    *resultPanel
	manual     *manualEntry
	manualBox  *fyne.Container
	manualOK   *keyButton
	manualHint *widget.Label
	side       *fyne.Container
	samples    *sampleList
	cam        *cameraView
	actions    *actionBar
	langBtn    *keyButton

	post func(func()) // hands work to Fyne's goroutine: uithread.Do, or a test's queue

	closeOnce sync.Once
}

type result struct {
	verdict Verdict
	word    string         // i18n key of the big word
	reason  redeem.Message // why, for a refusal; the note for queued
	tell    string         // i18n key of what to tell the customer, when the engine gave no advice
	advice  redeem.Message // the engine's word on what to tell the customer
	title   string
	last4   string
}

// NewCounter builds the counter screen for win and installs its keyboard handlers on win's
// canvas. It does not show the window; Run does. The counter subscribes to the redeemer's
// progress until Close.
func NewCounter(opts Options, win fyne.Window) *Counter {
	return newCounter(opts, win, hooks{})
}

// hooks are the seams tests use: post replaces uithread.Do (Fyne's test driver runs fyne.Do
// on the caller's goroutine, so tests drain a queue on their own), now replaces time.Now.
type hooks struct {
	post       func(func())
	now        func() time.Time
	waitOffice bool
}

func newCounter(opts Options, win fyne.Window, h hooks) *Counter {
	if h.post == nil {
		h.post = uithread.Do
	}
	if h.now == nil {
		h.now = time.Now
	}
	if opts.Catalog == nil {
		opts.Catalog = i18n.Default()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.CheckTimeout == 0 {
		opts.CheckTimeout = 10 * time.Second
	}
	if opts.RedeemTimeout == 0 {
		opts.RedeemTimeout = 20 * time.Second
	}
	if opts.SyncTimeout == 0 {
		opts.SyncTimeout = 60 * time.Second
	}
	if opts.SuccessHold == 0 {
		opts.SuccessHold = 2500 * time.Millisecond
	}
	if opts.RepeatWindow == 0 {
		opts.RepeatWindow = 5 * time.Second
	}
	c := &Counter{opts: opts, cat: opts.Catalog, log: opts.Logger, win: win, now: h.now, post: h.post}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	wcfg := opts.Wedge
	wcfg.Typed = func(text string) { c.post(func() { c.typedOnWindow(text) }) }
	c.wedge = scanner.NewWedge(wcfg, func(ev scanner.Event) { c.post(func() { c.HandleScan(ev) }) })
	c.build()
	c.installKeys()
	if opts.Serial != nil {
		c.runSerial(*opts.Serial)
	}
	if opts.Redeemer != nil {
		c.progress = opts.Redeemer.Progress()
		c.watchProgress()
	}
	c.render()
	return c
}

// CanvasObject is the counter screen with its status bar, for the shell to mount.
func (c *Counter) CanvasObject() fyne.CanvasObject { return c.content }

// State reports where the counter is.
func (c *Counter) State() State { return c.state }

// Verdict reports the result shown, VerdictNone when no result is shown.
func (c *Counter) Verdict() Verdict {
	if c.state != StateResult {
		return VerdictNone
	}
	return c.res.verdict
}

// Close stops the counter's goroutines (progress subscription, camera, timers) and the wedge.
func (c *Counter) Close() {
	c.closeOnce.Do(func() {
		c.cancel()
		if c.opCancel != nil {
			c.opCancel()
		}
		if c.hold != nil {
			c.hold.Stop()
		}
		if c.wedge != nil {
			c.wedge.Close()
		}
	})
}

// Unsynced reports how many redemptions wait to reach WeChat (queued and in flight).
func (c *Counter) Unsynced() int { return c.progress.Pending + c.progress.InFlight }

func (c *Counter) t(key string, args ...any) string { return c.cat.T(key, args...) }

func (c *Counter) msg(m redeem.Message) string {
	if m.Key == "" {
		return ""
	}
	if m.Args == nil {
		return c.cat.T(m.Key)
	}
	return c.cat.T(m.Key, m.Args)
}

// build makes the widgets once; render fills their words from the state.
func (c *Counter) build() {
	c.bannerText = canvas.NewText("", ColorOnStrong)
	c.bannerText.TextStyle.Bold = true
	c.bannerText.TextSize = SizeBody
	c.bannerText.Alignment = fyne.TextAlignCenter
	c.banner = container.NewStack(canvas.NewRectangle(ColorTraining), container.NewPadded(c.bannerText))
	if !c.opts.Demo {
		c.banner.Hide()
	}
	c.langBtn = newKeyButton(c, nil, c.toggleLang)
	c.status = newStatusBar(c)

	c.prompt = canvas.NewText("", ColorText)
	c.prompt.TextSize = SizePrompt
	c.prompt.TextStyle.Bold = true
	c.prompt.Alignment = fyne.TextAlignCenter
	c.promptHint = widget.NewLabel("")
	c.promptHint.Alignment = fyne.TextAlignCenter
	c.promptHint.Wrapping = fyne.TextWrapWord
	c.noticeText = canvas.NewText("", ColorWarnText)
	c.noticeText.TextSize = 22
	c.noticeText.TextStyle.Bold = true
	c.noticeText.Alignment = fyne.TextAlignCenter

	c.manual = newManualEntry(c)
	c.manualOK = newKeyButton(c, theme.ConfirmIcon(), func() { c.manual.submit() })
	c.manualHint = widget.NewLabel("")
	c.manualBox = container.NewVBox(c.manualHint, container.NewBorder(nil, nil, nil, c.manualOK, c.manual))
	c.manualBox.Hide()

	scanIcon := widget.NewIcon(theme.SearchIcon())
	c.readyView = container.NewVBox(
		layoutSpacer(40),
		container.NewCenter(container.NewGridWrap(fyne.NewSize(96, 96), scanIcon)),
		c.prompt, c.promptHint,
		container.NewCenter(container.NewGridWrap(fyne.NewSize(560, 130), c.manualBox)),
	)

	c.busyText = widget.NewLabel("")
	c.busyText.Alignment = fyne.TextAlignCenter
	bar := widget.NewProgressBarInfinite()
	c.busyView = container.NewVBox(layoutSpacer(80), c.busyText, container.NewCenter(container.NewGridWrap(fyne.NewSize(420, 40), bar)))

	c.card = newCardPanel(c)
	c.resView = newResultPanel(c)
	c.panel = container.NewStack(c.readyView)

	c.samples = newSampleList(c)
	c.cam = newCameraView(c)
	width := canvas.NewRectangle(color.Transparent)
	width.SetMinSize(fyne.NewSize(360, 1))
	c.side = container.NewStack(width, container.NewBorder(c.cam.content, nil, nil, nil, c.samples.content))
	if !c.opts.Demo || len(c.opts.Samples) == 0 {
		c.samples.content.Hide()
		if c.opts.Camera == nil {
			c.side.Hide()
		}
	}

	c.actions = newActionBar(c)

	top := container.NewVBox(c.banner, c.status.content)
	center := container.NewBorder(nil, c.noticeText, nil, c.side, container.NewPadded(c.panel))
	c.content = container.NewBorder(top, c.actions.content, nil, nil, center)
}

func layoutSpacer(h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(1, h))
	return r
}

// installKeys routes the window's keys: with no widget focused every rune and key goes to the
// wedge detector first, and a key it did not consume for a scan is a shortcut.
func (c *Counter) installKeys() {
	cv := c.win.Canvas()
	cv.SetOnTypedRune(func(r rune) { c.wedge.Rune(r, c.now()) })
	cv.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if c.wedgeKey(ev.Name) {
			return
		}
		c.Shortcut(ev.Name)
	})
}

// wedgeKey feeds a key to the wedge and reports whether it was used: the key of a printable
// character (its rune follows and is what counts), or the Enter that ended a scan.
func (c *Counter) wedgeKey(name fyne.KeyName) bool {
	if printable(name) {
		// The GLFW driver sends a key event before the rune of every printable key; feeding
		// it to the wedge too would end every burst after one rune.
		return true
	}
	return c.wedge.Key(string(name), c.now())
}

// printable reports whether a key also arrives as a rune: the single-character key names
// ("1", "A", "/") and Space.
func printable(name fyne.KeyName) bool {
	return name == fyne.KeySpace || utf8.RuneCountInString(string(name)) == 1
}

// typedOnWindow takes what the wedge judged a person typing on the bare window: when the
// counter is ready it opens the manual field with that text, so typing a code just works.
func (c *Counter) typedOnWindow(text string) {
	f := c.win.Canvas().Focused()
	if _, onButton := f.(*keyButton); onButton {
		f = nil
	}
	if c.state != StateReady || (f != nil && f != fyne.Focusable(c.manual)) {
		return
	}
	if sh := c.status.shell; sh != nil && !sh.onCounter() {
		return
	}
	if !c.manualBox.Visible() {
		c.ShowManual()
		// Keys go to the field from now on: hand back what the wedge still holds first, so
		// that the characters stay in order.
		c.wedge.Key("", c.now())
	}
	c.manual.human = true
	for _, r := range text {
		if r >= ' ' {
			c.manual.TypedRune(r)
		}
	}
}

// Shortcut runs the action of a counter key: Enter 核销/确认, Esc 取消, F1 手动输入, F2 摄像头,
// F4 核销记录, F5 立即同步, F9 交班/锁屏, F12 中文/English. It reports whether the key meant
// anything here.
func (c *Counter) Shortcut(name fyne.KeyName) bool {
	if sh := c.status.shell; sh != nil && !sh.onCounter() {
		switch name {
		case fyne.KeyEscape:
			sh.showCounter()
			return true
		case fyne.KeyReturn, fyne.KeyEnter:
			return false // the back-office screen's own
		}
	}
	switch name {
	case fyne.KeyReturn, fyne.KeyEnter:
		c.Confirm()
	case fyne.KeyEscape:
		c.Cancel()
	case fyne.KeyF1:
		c.ShowManual()
	case fyne.KeyF2:
		c.ToggleCamera()
	case fyne.KeyF5:
		c.SyncNow()
	case fyne.KeyF9:
		c.SignOut()
	case fyne.KeyF12:
		c.toggleLang()
	default:
		if c.status.shell != nil {
			return c.status.shell.openKey(name)
		}
		return false
	}
	return true
}

// HandleScan starts the life of one scan: a quiet 重复扫码 for the same text again within the
// repeat window, nothing while another scan is in flight or a refusal waits for Enter, else a
// lookup off Fyne's goroutine that ends on the card panel.
func (c *Counter) HandleScan(ev scanner.Event) {
	text := strings.TrimSpace(ev.Text)
	if text == "" {
		return
	}
	if sh := c.status.shell; sh != nil {
		sh.showCounter()
	}
	at := ev.At
	if at.IsZero() {
		at = c.now()
	}
	switch c.state {
	case StateChecking, StateRedeeming:
		c.setNotice(redeem.Message{Key: "ui.notice.busy"})
		return
	case StateResult:
		if c.res.verdict == VerdictRefused {
			c.setNotice(redeem.Message{Key: "ui.notice.ack_first"})
			return
		}
	}
	if text == c.lastText && at.Sub(c.lastAt) < c.opts.RepeatWindow && at.Sub(c.lastAt) >= 0 {
		c.lastAt = at
		c.setNotice(redeem.Message{Key: "ui.notice.repeat"})
		return
	}
	c.lastText, c.lastAt = text, at
	c.stopHold()
	c.gen++
	gen := c.gen
	c.scan = redeem.Scan{Text: text, Source: ev.Source, At: at}
	if c.opts.Cashier != nil {
		c.scan.Cashier = c.opts.Cashier()
	}
	c.preview = nil
	c.notice = redeem.Message{}
	c.state = StateChecking
	c.render()
	if c.opts.Redeemer == nil {
		c.showError(errNoRedeemer)
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.opts.CheckTimeout)
	c.opCancel = cancel
	scan := c.scan
	goThen(ctx, c.post, func(ctx context.Context) (*redeem.Preview, error) {
		p, err := c.opts.Redeemer.Check(ctx, scan)
		if err == nil && p != nil && !p.CanRedeem {
			// A refusal is a decision too: the engine journals it (nothing is consumed).
			if _, jerr := c.opts.Redeemer.Redeem(ctx, p); jerr != nil {
				c.log.Error("counter: journal refusal", "err", jerr)
			}
		}
		return p, err
	}, func(p *redeem.Preview, err error) {
		cancel()
		if gen != c.gen || c.state != StateChecking {
			return
		}
		c.opCancel = nil
		if err != nil {
			c.log.Error("counter: check", "err", err)
			c.showError(err)
			return
		}
		c.showPreview(p)
	})
}

// goThen runs work on a goroutine owned by ctx and hands its result to apply through post,
// like uithread.Go: apply is skipped when ctx was cancelled (the cashier moved on), and runs
// with the error when ctx timed out.
func goThen[T any](ctx context.Context, post func(func()), work func(context.Context) (T, error), apply func(T, error)) {
	go func() {
		v, err := work(ctx)
		if ctx.Err() != nil && err == nil {
			err = ctx.Err()
		}
		if ctx.Err() != nil && context.Cause(ctx) == context.Canceled {
			return
		}
		post(func() { apply(v, err) })
	}()
}

var errNoRedeemer = errors.New("ui: no redeemer configured")

func (c *Counter) showPreview(p *redeem.Preview) {
	if p == nil {
		c.showError(errors.New("ui: empty preview"))
		return
	}
	c.preview = p
	if !p.CanRedeem {
		r := refusal(p.Status, p.ErrCode, p.Kind, p.Reason, p.Title, p.Code)
		r.advice = p.Advice
		c.showResult(r)
		return
	}
	c.state = StatePreview
	c.render()
}

// Confirm is Enter: redeem the previewed card, acknowledge a result, or nothing when ready.
func (c *Counter) Confirm() {
	switch c.state {
	case StatePreview:
		c.redeem()
	case StateResult:
		c.backToReady()
	}
}

// Cancel is Esc: drop the previewed card or the lookup in flight. A refusal is not dismissed by
// Esc: it needs Enter, so the cashier has read it. A redemption in flight cannot be cancelled.
func (c *Counter) Cancel() {
	switch c.state {
	case StateChecking, StatePreview:
		if c.opCancel != nil {
			c.opCancel()
			c.opCancel = nil
		}
		c.gen++
		c.lastText = "" // the cashier may scan the same code again at once
		c.backToReady()
	case StateResult:
		if c.res.verdict != VerdictRefused {
			c.backToReady()
		}
	default:
		if c.manualBox.Visible() {
			c.HideManual()
		}
	}
}

func (c *Counter) redeem() {
	p := c.preview
	c.gen++
	gen := c.gen
	c.state = StateRedeeming
	c.render()
	ctx, cancel := context.WithTimeout(c.ctx, c.opts.RedeemTimeout)
	c.opCancel = nil // a redemption runs to its end: the engine journals it first
	goThen(ctx, c.post, func(ctx context.Context) (*redeem.Outcome, error) {
		return c.opts.Redeemer.Redeem(ctx, p)
	}, func(o *redeem.Outcome, err error) {
		cancel()
		if gen != c.gen {
			return
		}
		if err != nil {
			c.log.Error("counter: redeem", "err", err)
			c.showError(err)
			return
		}
		c.showOutcome(o)
	})
}

func (c *Counter) showOutcome(o *redeem.Outcome) {
	p := c.preview
	if o.Preview != nil {
		p = o.Preview
	}
	title, code := o.Title, o.Code
	if p != nil {
		if title == "" {
			title = p.Title
		}
		if code == "" {
			code = p.Code
		}
	}
	switch o.Result {
	case redeem.ResultRedeemed:
		c.showResult(result{verdict: VerdictRedeemed, word: "ui.result.redeemed", title: title, last4: redeem.Last4(code)})
	case redeem.ResultQueued:
		c.showResult(result{verdict: VerdictQueued, word: "ui.result.queued", reason: o.Reason, tell: "ui.tell.queued", advice: o.Advice, title: title, last4: redeem.Last4(code)})
	default:
		var status wxapi.CodeStatus
		kind := ""
		if p != nil {
			status, kind = p.Status, p.Kind
		}
		r := refusal(status, o.ErrCode, kind, o.Reason, title, code)
		r.advice = o.Advice
		if r.advice.Key == "" && p != nil {
			r.advice = p.Advice
		}
		c.showResult(r)
	}
}

// showError shows a failure of the lookup or redemption itself as a refusal: the cashier must
// not think the coupon was used.
func (c *Counter) showError(err error) {
	key := "ui.result.failed"
	reason := redeem.Message{Key: "ui.reason.error"}
	if errors.Is(err, context.DeadlineExceeded) {
		reason = redeem.Message{Key: "ui.reason.timeout"}
	}
	if errors.Is(err, errNoRedeemer) {
		reason = redeem.Message{Key: "ui.reason.no_engine"}
	}
	r := result{verdict: VerdictRefused, word: key, reason: reason, tell: "ui.tell.retry"}
	if c.preview != nil {
		r.title, r.last4 = c.preview.Title, redeem.Last4(c.preview.Code)
	} else {
		r.last4 = redeem.Last4(c.scan.Text)
	}
	c.showResult(r)
}

func (c *Counter) showResult(r result) {
	c.state = StateResult
	c.res = r
	c.stopHold()
	if r.verdict == VerdictRedeemed {
		gen := c.gen
		// The timer goroutine belongs to the counter: stopHold (a new scan, Close) stops it, and
		// the gen check drops it if the counter moved on.
		c.hold = time.AfterFunc(c.opts.SuccessHold, func() {
			if c.ctx.Err() != nil {
				return
			}
			c.post(func() {
				if gen == c.gen && c.state == StateResult {
					c.backToReady()
				}
			})
		})
	}
	c.resView.pulse()
	c.render()
}

func (c *Counter) stopHold() {
	if c.hold != nil {
		c.hold.Stop()
		c.hold = nil
	}
}

func (c *Counter) backToReady() {
	c.stopHold()
	c.notice = redeem.Message{}
	c.state = StateReady
	c.preview = nil
	c.res = result{}
	c.render()
	c.focusNothing()
}

func (c *Counter) setNotice(m redeem.Message) {
	c.notice = m
	c.render()
}

// focusNothing gives the keyboard back to the window, so that the next scan reaches the wedge.
// It does nothing while a back-office tab shows: a success that returns to scanning in the
// background must not take the cursor out of a manager's PIN field.
func (c *Counter) focusNothing() {
	if sh := c.status.shell; sh != nil && !sh.onCounter() {
		return
	}
	c.unfocus()
}

// unfocus takes focus from whatever widget of the window has it.
func (c *Counter) unfocus() {
	if cv := c.win.Canvas(); cv.Focused() != nil {
		cv.Unfocus()
	}
}

// ShowManual is F1: the manual entry field, focused.
func (c *Counter) ShowManual() {
	if c.state != StateReady && !(c.state == StateResult && c.res.verdict != VerdictRefused) {
		return
	}
	if c.state == StateResult {
		c.backToReady()
	}
	c.manualBox.Show()
	c.win.Canvas().Focus(c.manual)
}

// HideManual closes the manual entry field and lets go of focus.
func (c *Counter) HideManual() {
	c.manual.SetText("")
	c.manual.runes, c.manual.human = 0, false
	c.manualBox.Hide()
	c.focusNothing()
}

// SyncNow is F5: send the offline queue now, off Fyne's goroutine.
func (c *Counter) SyncNow() {
	if c.opts.Redeemer == nil {
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.opts.SyncTimeout)
	c.progress.Running = true
	c.status.render()
	goThen(ctx, c.post, func(ctx context.Context) (redeem.SyncProgress, error) {
		return c.opts.Redeemer.Sync(ctx)
	}, func(p redeem.SyncProgress, err error) {
		cancel()
		if err != nil {
			c.log.Warn("counter: sync", "err", err)
			p = c.opts.Redeemer.Progress()
			if p.LastError.Key == "" {
				p.LastError = redeem.Message{Key: "ui.reason.sync_failed"}
			}
		}
		c.setProgress(p)
	})
}

// SignOut is F9: hand over the shift, refused while redemptions are unsynced.
func (c *Counter) SignOut() bool {
	if n := c.Unsynced(); n > 0 {
		c.refuseUnsynced(n)
		return false
	}
	if c.opts.SignOut == nil {
		return false
	}
	c.opts.SignOut()
	return true
}

func (c *Counter) refuseUnsynced(n int) {
	if c.state == StateReady || (c.state == StateResult && c.res.verdict != VerdictRefused) {
		c.backToReady()
	}
	c.setNotice(redeem.Message{Key: "ui.notice.unsynced", Args: map[string]any{"N": n}})
}

// watchProgress follows the redeemer's progress on a goroutine owned by the counter: it ends
// when Close cancels c.ctx (or the redeemer closes the channel), and stops the subscription.
func (c *Counter) watchProgress() {
	ch, stop := c.opts.Redeemer.Subscribe()
	go func() {
		defer stop()
		for {
			select {
			case <-c.ctx.Done():
				return
			case p, ok := <-ch:
				if !ok {
					return
				}
				c.post(func() { c.setProgress(p) })
			}
		}
	}()
}

func (c *Counter) setProgress(p redeem.SyncProgress) {
	c.progress = p
	c.status.render()
}

// SetLang switches the language and re-renders every word on the counter.
func (c *Counter) SetLang(l i18n.Lang) {
	c.cat.SetLang(l)
	c.render()
	if c.status.shell != nil {
		c.status.shell.renderTexts(true)
	}
}

func (c *Counter) toggleLang() {
	if c.cat.Lang() == i18n.ZH {
		c.SetLang(i18n.EN)
	} else {
		c.SetLang(i18n.ZH)
	}
	c.focusNothing()
}

// render fills every word and picks the view from the state.
func (c *Counter) render() {
	c.bannerText.Text = c.t("app.training_banner")
	c.bannerText.Refresh()
	c.prompt.Text = c.t("ui.ready.prompt")
	c.prompt.Refresh()
	if c.opts.Camera != nil {
		c.promptHint.SetText(c.t("ui.ready.hint"))
	} else {
		c.promptHint.SetText(c.t("ui.ready.hint_no_camera"))
	}
	c.noticeText.Text = c.msg(c.notice)
	c.noticeText.Refresh()
	c.manual.SetPlaceHolder(c.t("ui.manual.placeholder"))
	c.manualHint.SetText(c.t("ui.manual.hint"))
	c.manualOK.SetText(c.t("ui.manual.submit"))
	c.langBtn.SetText(c.t("ui.lang.switch"))
	c.status.render()
	c.samples.render()
	c.cam.render()
	c.actions.render()

	var view fyne.CanvasObject
	switch c.state {
	case StateReady:
		view = c.readyView
	case StateChecking:
		c.busyText.SetText(c.t("ui.busy.checking", map[string]any{"Code": maskTail(c.scan.Text)}))
		view = c.busyView
	case StatePreview, StateRedeeming:
		c.card.render(c, c.preview, c.state == StateRedeeming)
		view = c.card.content
	case StateResult:
		c.resView.render(c, c.res)
		view = c.resView.content
	}
	if len(c.panel.Objects) != 1 || c.panel.Objects[0] != view {
		c.panel.Objects = []fyne.CanvasObject{view}
		c.panel.Refresh()
	}
}

// refusal turns a status, errcode or kind into the red result's word and what to tell the
// customer (used when the engine sends no Advice).
func refusal(status wxapi.CodeStatus, errCode int, kind string, reason redeem.Message, title, code string) result {
	r := result{verdict: VerdictRefused, word: "ui.result.refused", reason: reason, tell: "ui.tell.generic", title: title, last4: redeem.Last4(code)}
	switch {
	case status == wxapi.StatusConsumed || errCode == 40099:
		r.word, r.tell = "ui.result.consumed", "ui.tell.consumed"
	case status == wxapi.StatusExpire || errCode == 40079:
		r.word, r.tell = "ui.result.expired", "ui.tell.expired"
	case status == wxapi.StatusGifting:
		r.word, r.tell = "ui.result.gifting", "ui.tell.gifting"
	case status == wxapi.StatusDelete:
		r.word, r.tell = "ui.result.deleted", "ui.tell.deleted"
	case status == wxapi.StatusUnavailable || status == wxapi.StatusGiftTimeout:
		r.word, r.tell = "ui.result.voided", "ui.tell.voided"
	case errCode == 40056 || errCode == 40075:
		r.word, r.tell = "ui.result.invalid", "ui.tell.invalid"
	case kind != "" && !scanner.Classification{Kind: scanner.Kind(kind)}.Redeemable():
		r.word, r.tell = "ui.result.not_coupon", "ui.tell.not_coupon"
		if scanner.Kind(kind) == scanner.KindBadChars {
			r.word, r.tell = "ui.result.bad_input", "ui.tell.bad_input"
		}
		r.last4 = ""
	}
	return r
}

// maskTail shows a scanned text with all but its last four characters hidden.
func maskTail(s string) string {
	n := utf8.RuneCountInString(s)
	if n <= 4 {
		return s
	}
	if n > 24 {
		return "…" + redeem.Last4(s)
	}
	return strings.Repeat("•", n-4) + redeem.Last4(s)
}

// splitMasked splits a masked code into the part shown small and the last four shown large.
func splitMasked(masked, code string) (head, tail string) {
	if masked == "" {
		masked = maskTail(code)
	}
	if code != "" {
		tail = redeem.Last4(code)
	} else {
		tail = redeem.Last4(masked)
	}
	head = strings.TrimRight(strings.TrimSuffix(masked, tail), " ")
	return head, tail
}

// runSerial reads the serial scanner on a goroutine owned by the counter: it ends when Close
// cancels c.ctx. Codes take the same path as a wedge scan; state changes reach the status bar.
func (c *Counter) runSerial(cfg scanner.SerialConfig) {
	sr := scanner.NewSerial(cfg,
		func(ev scanner.Event) { c.post(func() { c.HandleScan(ev) }) },
		func(st scanner.SerialStatus) { c.post(func() { c.status.setSerial(st.State) }) })
	go func() { _ = sr.Run(c.ctx) }()
}
