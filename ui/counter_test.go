package ui

import (
	"bytes"
	"context"
	"errors"
	"github.com/cardpos/cardpos/money"
	"image"
	"image/color"
	_ "image/png"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/cardpos/cardpos/assets"
	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/scanner"
	"github.com/cardpos/cardpos/wxapi"
)

func TestMain(m *testing.M) {
	time.Local = time.UTC // golden markup shows dates and times
	os.Exit(m.Run())
}

func TestStartsWithNothingFocused(t *testing.T) {
	r := newRig(t, nil)
	if f := r.win.Canvas().Focused(); f != nil {
		t.Fatalf("focused at start: got %T, want nothing (a wedge scan must reach the canvas)", f)
	}
	if got, want := r.c.State(), StateReady; got != want {
		t.Fatalf("state: got %v, want %v", got, want)
	}
}

func TestWedgeScanOnCanvasShowsCardPanelAndEnterRedeems(t *testing.T) {
	r := newRig(t, nil)
	r.scan("100000000001")
	r.wait(StatePreview)
	checks, _ := r.red.counts()
	if checks != 1 {
		t.Fatalf("checks: got %d, want 1", checks)
	}
	if got := r.red.checks[0].Source; got != scanner.SourceWedge {
		t.Errorf("source: got %q, want %q", got, scanner.SourceWedge)
	}
	if got, want := r.red.checks[0].Cashier, "收银员"; got != want {
		t.Errorf("cashier: got %q, want %q", got, want)
	}
	if got, want := r.c.card.title.Text, "满100减20代金券"; got != want {
		t.Errorf("title: got %q, want %q", got, want)
	}
	if got, want := r.c.card.value.Text, "代金券 · 满100减20"; got != want {
		t.Errorf("type and value: got %q, want %q", got, want)
	}
	if got, want := r.c.card.codeTail.Text, "0001"; got != want {
		t.Errorf("code ending: got %q, want %q", got, want)
	}
	if got, want := r.c.card.face.Text, "面值 ¥20.00"; got != want {
		t.Errorf("face: got %q, want %q", got, want)
	}
	r.key(fyne.KeyReturn)
	r.wait(StateResult)
	if got, want := r.c.Verdict(), VerdictRedeemed; got != want {
		t.Fatalf("verdict: got %v, want %v", got, want)
	}
	if _, redeems := r.red.counts(); redeems != 1 {
		t.Fatalf("redeems: got %d, want 1", redeems)
	}
	if got, want := r.c.resView.word.Text, "核销成功"; got != want {
		t.Errorf("result word: got %q, want %q", got, want)
	}
	if f := r.win.Canvas().Focused(); f != nil {
		t.Errorf("focused after redeem: %T", f)
	}
}

func TestHumanTypingOnCanvasIsNotAScan(t *testing.T) {
	r := newRig(t, nil)
	r.typeOnCanvas("1000", func(int) time.Duration { return 120 * time.Millisecond })
	r.until("typing handed to the manual field", func() bool { return r.c.manual.Text == "1000" })
	if checks, _ := r.red.counts(); checks != 0 {
		t.Fatalf("checks: got %d, want 0 for a person typing on the bare window", checks)
	}
	if got := r.win.Canvas().Focused(); got != r.c.manual {
		t.Fatalf("focus: got %T, want the manual field", got)
	}
	if got := r.c.State(); got != StateReady {
		t.Fatalf("state: got %v, want ready", got)
	}
}

func TestResults(t *testing.T) {
	tests := []struct {
		name     string
		code     string
		outcome  redeem.Result
		checkErr error
		wantV    Verdict
		wantWord string
		wantTell string
	}{
		{name: "redeemed", code: "100000000001", outcome: redeem.ResultRedeemed, wantV: VerdictRedeemed, wantWord: "核销成功"},
		{name: "queued offline", code: "100000000001", outcome: redeem.ResultQueued, wantV: VerdictQueued, wantWord: "已记录，待联网核销", wantTell: "可以给顾客优惠：网络恢复后自动提交到微信"},
		{name: "rejected at consume", code: "100000000001", outcome: redeem.ResultRejected, wantV: VerdictRefused, wantWord: "已核销过", wantTell: "请告诉顾客：这张券已经用过了"},
		{name: "consumed at lookup, engine's advice", code: "100000000002", wantV: VerdictRefused, wantWord: "已核销过", wantTell: "请顾客出示其他券"},
		{name: "unknown code", code: "999999999999", wantV: VerdictRefused, wantWord: "券码无效", wantTell: "请让顾客刷新券码后重新出示"},
		{name: "lookup failed", code: "100000000001", checkErr: errors.New("boom"), wantV: VerdictRefused, wantWord: "未能核销", wantTell: "请重新扫码；若仍失败请联系店长"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			r.red.outcome, r.red.checkErr = tt.outcome, tt.checkErr
			r.scan(tt.code)
			if tt.outcome != "" && tt.checkErr == nil {
				r.wait(StatePreview)
				r.key(fyne.KeyReturn)
			}
			r.wait(StateResult)
			if got := r.c.Verdict(); got != tt.wantV {
				t.Fatalf("verdict: got %v, want %v", got, tt.wantV)
			}
			if got := r.c.resView.word.Text; got != tt.wantWord {
				t.Errorf("word: got %q, want %q", got, tt.wantWord)
			}
			if got := r.c.resView.tell.Text; got != tt.wantTell {
				t.Errorf("tell: got %q, want %q", got, tt.wantTell)
			}
			if lookupRefusal := tt.outcome == "" && tt.checkErr == nil; lookupRefusal {
				r.red.mu.Lock()
				got := r.red.refusals
				r.red.mu.Unlock()
				if len(got) != 1 || got[0] != tt.code {
					t.Errorf("journaled refusals: got %v, want [%s]", got, tt.code)
				}
			}
			if tt.wantV == VerdictQueued && r.c.resView.bg.FillColor != ColorQueued {
				t.Errorf("queued colour: got %v, want amber", r.c.resView.bg.FillColor)
			}
			if tt.wantV == VerdictRefused {
				r.key(fyne.KeyEscape)
				if got := r.c.State(); got != StateResult {
					t.Errorf("Esc dismissed a refusal: state %v", got)
				}
				r.key(fyne.KeyReturn)
				if got := r.c.State(); got != StateReady {
					t.Errorf("after Enter: got %v, want ready", got)
				}
			}
		})
	}
}

func TestSuccessReturnsToScanningByItself(t *testing.T) {
	r := newRig(t, func(o *Options) { o.SuccessHold = 30 * time.Millisecond })
	r.scan("100000000001")
	r.wait(StatePreview)
	r.key(fyne.KeyReturn)
	r.wait(StateResult)
	r.wait(StateReady)
}

func TestRepeatScanIsQuiet(t *testing.T) {
	r := newRig(t, nil)
	r.scan("100000000001")
	r.wait(StatePreview)
	r.key(fyne.KeyReturn)
	r.wait(StateResult)
	r.clk.Advance(time.Second)
	r.scan("100000000001")
	if checks, _ := r.red.counts(); checks != 1 {
		t.Fatalf("checks: got %d, want 1 (a repeat within 5 s sends nothing)", checks)
	}
	if got, want := r.c.noticeText.Text, "重复扫码"; got != want {
		t.Fatalf("notice: got %q, want %q", got, want)
	}
	r.clk.Advance(6 * time.Second)
	r.scan("100000000001")
	r.wait(StatePreview)
	if checks, _ := r.red.counts(); checks != 2 {
		t.Fatalf("checks after the window: got %d, want 2", checks)
	}
}

func TestEscCancelsPreviewAndHangingLookup(t *testing.T) {
	r := newRig(t, nil)
	r.scan("100000000001")
	r.wait(StatePreview)
	r.key(fyne.KeyEscape)
	if got := r.c.State(); got != StateReady {
		t.Fatalf("after Esc on preview: got %v, want ready", got)
	}
	r.red.mu.Lock()
	r.red.hang = true
	r.red.mu.Unlock()
	r.scan("100000000001") // the same code again right after a cancel is a fresh scan
	if got := r.c.State(); got != StateChecking {
		t.Fatalf("hanging lookup: got %v, want checking (progress shown)", got)
	}
	if !strings.Contains(r.c.busyText.Text, "0001") {
		t.Errorf("busy text %q does not name the code ending", r.c.busyText.Text)
	}
	r.key(fyne.KeyEscape)
	if got := r.c.State(); got != StateReady {
		t.Fatalf("after Esc on lookup: got %v, want ready", got)
	}
}

func TestLookupTimeoutShowsRefusal(t *testing.T) {
	r := newRig(t, func(o *Options) { o.CheckTimeout = 20 * time.Millisecond })
	r.red.hang = true
	r.scan("100000000001")
	r.wait(StateResult)
	if got, want := r.c.resView.reason.Text, "等待超时，本次未核销"; got != want {
		t.Fatalf("reason: got %q, want %q", got, want)
	}
}

func TestManualEntry(t *testing.T) {
	tests := []struct {
		name string
		gap  time.Duration
		want scanner.Source
	}{
		{name: "typed by hand", gap: 110 * time.Millisecond, want: scanner.SourceTyped},
		{name: "scanner burst into the field", gap: 8 * time.Millisecond, want: scanner.SourceWedge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			r.key(fyne.KeyF1)
			if got := r.win.Canvas().Focused(); got != r.c.manual {
				t.Fatalf("F1: focused %T, want the manual field", got)
			}
			for _, ch := range "100000000001" {
				r.c.manual.TypedRune(ch)
				r.clk.Advance(tt.gap)
			}
			r.c.manual.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			r.wait(StatePreview)
			if got := r.red.checks[0].Source; got != tt.want {
				t.Errorf("source: got %q, want %q", got, tt.want)
			}
			if got := r.win.Canvas().Focused(); got != nil {
				t.Errorf("focus after submit: got %T, want nothing", got)
			}
			if r.c.manualBox.Visible() {
				t.Error("manual field still shown after submit")
			}
		})
	}
}

func TestLanguageSwitchRerenders(t *testing.T) {
	r := newRig(t, nil)
	if got, want := r.c.prompt.Text, "请扫码"; got != want {
		t.Fatalf("zh prompt: got %q, want %q", got, want)
	}
	r.scan("100000000001")
	r.wait(StatePreview)
	r.c.SetLang(i18n.EN)
	t.Cleanup(func() { r.c.cat.SetLang(i18n.ZH) })
	for _, c := range []struct{ got, want string }{
		{r.c.prompt.Text, "Ready to scan"},
		{r.c.card.value.Text, "Cash coupon · 20 off 100"},
		{r.c.card.redeem.Text, "Enter Redeem"},
		{r.c.status.word.Text, "Online"},
		{r.c.actions.manual.Text, "F1 Type a code"},
	} {
		if c.got != c.want {
			t.Errorf("after switch: got %q, want %q", c.got, c.want)
		}
	}
	r.key(fyne.KeyF12)
	if got, want := r.c.card.redeem.Text, "Enter 核销"; got != want {
		t.Errorf("back to zh: got %q, want %q", got, want)
	}
}

func TestStatusBar(t *testing.T) {
	tests := []struct {
		name        string
		p           redeem.SyncProgress
		word        string
		wantPending string
		wantLink    Link
	}{
		{name: "online", p: redeem.SyncProgress{Online: true}, word: "在线", wantLink: LinkOnline},
		{name: "offline with queue", p: redeem.SyncProgress{Online: false, Pending: 3}, word: "离线", wantPending: "待同步 3", wantLink: LinkOffline},
		{name: "syncing", p: redeem.SyncProgress{Online: true, Running: true, Pending: 1, Done: 1}, word: "同步中", wantPending: "待同步 1", wantLink: LinkSyncing},
		{name: "sync failed", p: redeem.SyncProgress{Online: true, Pending: 2, LastError: redeem.Message{Key: "ui.test.offline"}}, word: "同步失败", wantPending: "待同步 2", wantLink: LinkSyncFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			r.red.setProgress(tt.p)
			r.until("status "+tt.word, func() bool { return r.c.status.word.Text == tt.word })
			if got := r.c.status.link(); got != tt.wantLink {
				t.Errorf("link: got %v, want %v", got, tt.wantLink)
			}
			if tt.wantPending == "" {
				if r.c.status.pending.Visible() {
					t.Error("pending badge shown with nothing pending")
				}
			} else if got := r.c.status.pending.Text; got != tt.wantPending || !r.c.status.pending.Visible() {
				t.Errorf("pending badge: got %q (visible %v), want %q", got, r.c.status.pending.Visible(), tt.wantPending)
			}
			if tt.p.Running != r.c.status.bar.Visible() {
				t.Errorf("progress bar visible: got %v, want %v", r.c.status.bar.Visible(), tt.p.Running)
			}
			if got, want := r.c.status.who.Text, "收银员：收银员"; got != want {
				t.Errorf("who: got %q, want %q", got, want)
			}
			if got, want := r.c.status.terminal.Text, "终端：一号台"; got != want {
				t.Errorf("terminal: got %q, want %q", got, want)
			}
		})
	}
}

func TestSyncNowF5(t *testing.T) {
	r := newRig(t, nil)
	r.red.setProgress(redeem.SyncProgress{Online: true, Pending: 2})
	r.until("unsynced 2", func() bool { return r.c.Unsynced() == 2 })
	r.key(fyne.KeyF5)
	r.until("nothing unsynced after F5", func() bool { return r.c.Unsynced() == 0 && !r.c.progress.Running })
	if got, want := r.c.status.lastSync.Text, "上次同步 08:00:00"; got != want {
		t.Errorf("last sync: got %q, want %q", got, want)
	}
}

func TestExitAndSignOutRefusedWhileUnsynced(t *testing.T) {
	signedOut := 0
	r := newRig(t, func(o *Options) { o.SignOut = func() { signedOut++ } })
	r.red.setProgress(redeem.SyncProgress{Online: false, Pending: 2})
	r.until("unsynced 2", func() bool { return r.c.Unsynced() == 2 })
	r.key(fyne.KeyF9)
	if signedOut != 0 {
		t.Fatal("signed out with 2 unsynced redemptions")
	}
	if got, want := r.c.noticeText.Text, "还有 2 笔核销未同步，请先联网同步（F5）"; got != want {
		t.Errorf("notice: got %q, want %q", got, want)
	}
	r.win.Close() // the test window runs the close intercept
	if r.c.ctx.Err() != nil {
		t.Fatal("window closed with unsynced redemptions")
	}
	r.red.setProgress(redeem.SyncProgress{Online: true})
	r.until("unsynced 0", func() bool { return r.c.Unsynced() == 0 })
	r.key(fyne.KeyF9)
	if signedOut != 1 {
		t.Fatalf("sign-outs: got %d, want 1 once synced", signedOut)
	}
}

func TestCameraPreviewAndScan(t *testing.T) {
	png, err := qrcode.Encode("100000000001", qrcode.Medium, 320)
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, func(o *Options) {
		o.Camera = func() (scanner.FrameSource, error) { return scanner.NewStillSource(img, 30), nil }
	})
	r.key(fyne.KeyF2)
	r.wait(StatePreview)
	if !r.c.cam.content.Visible() {
		t.Error("preview hidden while the camera is on")
	}
	if r.c.cam.img.ScaleMode != 2 { // canvas.ImageScaleFastest
		t.Errorf("scale mode: got %v, want fastest", r.c.cam.img.ScaleMode)
	}
	if got := r.red.checks[0].Source; got != scanner.SourceCamera {
		t.Errorf("source: got %q, want camera", got)
	}
	r.until("a preview frame on the image", func() bool { return r.c.cam.frames.Load() > 0 })
	if r.c.cam.img.Image == nil || r.c.cam.img.Image.Bounds().Dx() == 0 {
		t.Error("preview image empty")
	}
	r.key(fyne.KeyF2)
	if r.c.cam.running() || r.c.cam.content.Visible() {
		t.Error("F2 did not close the camera")
	}
}

func TestCameraOpenFailureSaysSo(t *testing.T) {
	r := newRig(t, func(o *Options) {
		o.Camera = func() (scanner.FrameSource, error) { return nil, scanner.ErrNoCamera }
	})
	r.key(fyne.KeyF2)
	if got, want := r.c.noticeText.Text, "摄像头无法打开"; got != want {
		t.Fatalf("notice: got %q, want %q", got, want)
	}
}

func TestDemoSamplesAndBanner(t *testing.T) {
	r := newRig(t, func(o *Options) {
		o.Demo = true
		o.Samples = []Sample{{Code: "100000000001", Title: "满100减20代金券", CardType: "CASH", Status: "NORMAL", Note: "可以核销"}}
	})
	if !r.c.banner.Visible() {
		t.Fatal("training banner hidden in demo mode")
	}
	if got, want := r.c.bannerText.Text, "培训模式：演示数据，不会真实核销"; got != want {
		t.Errorf("banner: got %q, want %q", got, want)
	}
	b := r.c.samples.rows[0].button
	if got, want := b.Text, "100000000001 · 满100减20代金券 · 代金券 · 可核销"; got != want {
		t.Errorf("sample: got %q, want %q", got, want)
	}
	test.Tap(b)
	r.wait(StatePreview)
}

func TestScreensMountAsTabs(t *testing.T) {
	history := canvasLabel("history")
	queue := canvasLabel("queue")
	r := newRig(t, func(o *Options) {
		o.Screens = []Screen{
			{TitleKey: "ui.key.history", Key: fyne.KeyF4, Content: history},
			{TitleKey: "ui.status.never_synced", Content: queue, Queue: true},
		}
	})
	tabs := r.sh.Tabs()
	if tabs == nil || len(tabs.Items) != 3 {
		t.Fatalf("tabs: got %v, want counter + 2", tabs)
	}
	r.key(fyne.KeyF4)
	if got := tabs.Selected().Content; got != history {
		t.Fatalf("F4: selected %v, want history", got)
	}
	r.key(fyne.KeyEscape)
	if got := tabs.SelectedIndex(); got != 0 {
		t.Fatalf("Esc: selected %d, want the counter", got)
	}
	r.red.setProgress(redeem.SyncProgress{Online: true, Pending: 1})
	r.until("unsynced 1", func() bool { return r.c.Unsynced() == 1 })
	test.Tap(r.c.status.pending)
	if got := tabs.Selected().Content; got != queue {
		t.Fatalf("badge: selected %v, want the queue", got)
	}
	r.key(fyne.KeyF4)
	r.scan("100000000001") // a scan on another tab brings the counter back
	if got := tabs.SelectedIndex(); got != 0 {
		t.Fatalf("scan on a back-office tab: selected %d, want the counter", got)
	}
	r.wait(StatePreview)
}

func canvasLabel(s string) fyne.CanvasObject {
	return &fyne.Container{Objects: []fyne.CanvasObject{}}
}

func TestValidityWarning(t *testing.T) {
	r := newRig(t, nil)
	now := time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		to   time.Time
		want string
	}{
		{time.Date(2027, 1, 15, 23, 59, 0, 0, time.UTC), "今天到期"},
		{time.Date(2027, 1, 17, 12, 0, 0, 0, time.UTC), "还剩 2 天到期"},
		{time.Date(2027, 1, 18, 12, 0, 0, 0, time.UTC), "还剩 3 天到期"},
		{time.Date(2027, 1, 19, 12, 0, 0, 0, time.UTC), ""},
		{time.Date(2027, 1, 14, 12, 0, 0, 0, time.UTC), "已过有效期"},
	}
	for _, tt := range tests {
		if got := validityWarning(r.c, tt.to.Unix(), now); got != tt.want {
			t.Errorf("ends %v: got %q, want %q", tt.to, got, tt.want)
		}
	}
	if got := validityWarning(r.c, 0, now); got != "" {
		t.Errorf("permanent: got %q, want none", got)
	}
}

func TestSplitMaskedAndYuan(t *testing.T) {
	for _, tt := range []struct{ masked, code, head, tail string }{
		{"•••• •••• 5678", "123412345678", "•••• ••••", "5678"},
		{"", "123412345678", "••••••••", "5678"},
		{"", "abc", "", "abc"},
	} {
		h, tl := splitMasked(tt.masked, tt.code)
		if h != tt.head || tl != tt.tail {
			t.Errorf("splitMasked(%q, %q): got %q %q, want %q %q", tt.masked, tt.code, h, tl, tt.head, tt.tail)
		}
	}
	for fen, want := range map[int64]string{0: "0.00", 5: "0.05", 2000: "20.00", 12345: "123.45", -150: "-1.50"} {
		if got := money.Fixed(fen); got != want {
			t.Errorf("money.Fixed(%d): got %q, want %q", fen, got, want)
		}
	}
}

func TestTranslationsLoadIntoFyne(t *testing.T) {
	if err := lang.AddTranslationsFS(assets.Translations, assets.TranslationsDir); err != nil {
		t.Fatalf("lang.AddTranslationsFS: %v", err)
	}
	cat := i18n.Default()
	for _, l := range i18n.Langs {
		for _, k := range cat.Keys(i18n.ZH) {
			if strings.HasPrefix(k, "ui.") && !cat.Has(l, k) {
				t.Errorf("%s misses %s", l, k)
			}
		}
	}
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		r, g, bl, _ := c.RGBA()
		ch := func(v uint32) float64 {
			s := float64(v) / 0xffff
			if s <= 0.03928 {
				return s / 12.92
			}
			return math.Pow((s+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(bl)
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func TestContrast(t *testing.T) {
	for _, p := range []struct {
		name   string
		fg, bg color.Color
	}{
		{"redeemed", ColorOnStrong, ColorOK},
		{"refused", ColorOnStrong, ColorRefused},
		{"queued", ColorOnQueued, ColorQueued},
		{"training banner", ColorOnStrong, ColorTraining},
		{"text", ColorText, ColorPanel},
		{"subtle", ColorSubtle, ColorPanel},
		{"warning", ColorWarnText, ColorPanel},
		{"status ok", ColorOK, color.NRGBA{0xf2, 0xf2, 0xf2, 0xff}},
		{"status red", ColorRefused, color.NRGBA{0xf2, 0xf2, 0xf2, 0xff}},
		{"status amber", ColorWarnText, color.NRGBA{0xf2, 0xf2, 0xf2, 0xff}},
	} {
		if got := contrast(p.fg, p.bg); got < 4.5 {
			t.Errorf("%s: contrast %.2f:1, want ≥ 4.5:1", p.name, got)
		}
	}
}

func TestThemeSizes(t *testing.T) {
	th := NewTheme()
	if got := th.Size("text"); got < 18 {
		t.Errorf("body: got %v, want ≥ 18", got)
	}
	if SizeResultWord < 48 || SizeCardTitle < 28 || SizeCodeEnd < 32 {
		t.Errorf("sizes below counter-ux §12: result %v, title %v, code %v", SizeResultWord, SizeCardTitle, SizeCodeEnd)
	}
	if got := th.Font(fyne.TextStyle{}); got.Name() != "wqy-microhei.ttf" {
		t.Errorf("regular font: got %s, want the bundled CJK font", got.Name())
	}
	if got := th.Font(fyne.TextStyle{Monospace: true}); got.Name() == "wqy-microhei.ttf" {
		t.Error("monospace uses the proportional CJK font")
	}
	r := newRig(t, nil)
	r.scan("100000000001")
	r.wait(StatePreview)
	if h := r.c.card.redeem.MinSize().Height; h < SizeButtonMin {
		t.Errorf("redeem button height: got %v, want ≥ %v", h, SizeButtonMin)
	}
}

var _ = wxapi.CardCash

func TestRunShowsTheCounter(t *testing.T) {
	// Under -tags ci, app.NewWithID is Fyne's test app and ShowAndRun returns at once.
	red := newFakeRedeemer()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := Run(ctx, Options{Redeemer: red, Catalog: testCatalog(t), Terminal: "一号台"}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	wins := fyne.CurrentApp().Driver().AllWindows()
	if len(wins) != 1 {
		t.Fatalf("windows: got %d, want 1", len(wins))
	}
	if got, want := wins[0].Title(), "卡券核销台"; got != want {
		t.Errorf("title: got %q, want %q", got, want)
	}
	if f := wins[0].Canvas().Focused(); f != nil {
		t.Errorf("focused at start: %T", f)
	}
}

func TestScanWhileAButtonHasFocus(t *testing.T) {
	r := newRig(t, nil)
	cv := r.win.Canvas()
	cv.Focus(r.c.actions.sync) // Tab moved focus onto a button
	f := cv.Focused()
	for i, ch := range "100000000001" {
		f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyName(string(ch))})
		f.TypedRune(ch)
		if i%3 == 2 {
			r.clk.Advance(16700 * time.Microsecond)
		}
	}
	f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	r.wait(StatePreview)
	if got := r.red.checks[0].Source; got != scanner.SourceWedge {
		t.Errorf("source: got %q, want wedge", got)
	}
	// Enter on a focused Cancel button cancels; it does not redeem.
	cv.Focus(r.c.card.cancel)
	cv.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if got := r.c.State(); got != StateReady {
		t.Fatalf("Enter on focused cancel: got %v, want ready", got)
	}
	if _, redeems := r.red.counts(); redeems != 0 {
		t.Fatalf("redeems: got %d, want 0", redeems)
	}
}
