package ui

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/cardpos/cardpos/assets"
	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/scanner"
	"github.com/cardpos/cardpos/wxapi"
)

// fakeRedeemer answers Check from a table of previews and Redeem with a fixed outcome kind.
type fakeRedeemer struct {
	mu       sync.Mutex
	previews map[string]*redeem.Preview
	outcome  redeem.Result // what Redeem answers for a redeemable code
	reason   redeem.Message
	checkErr error
	hang     bool // Check blocks until ctx ends
	checks   []redeem.Scan
	redeems  []string
	refusals []string // codes whose refusal was journaled
	progress redeem.SyncProgress
	subs     []chan redeem.SyncProgress
	syncs    int
}

func newFakeRedeemer() *fakeRedeemer {
	now := time.Unix(testNow, 0)
	return &fakeRedeemer{
		outcome: redeem.ResultRedeemed,
		previews: map[string]*redeem.Preview{
			"100000000001": {
				Code: "100000000001", MaskedCode: "•••• •••• 0001", CardID: "pCASH", Title: "满100减20代金券",
				Brand: "示例咖啡", CardType: wxapi.CardCash,
				Value:     redeem.Message{Key: "ui.test.value", Args: map[string]any{"Least": "100", "Reduce": "20"}},
				ValidFrom: now.Add(-24 * time.Hour).Unix(), ValidTo: now.Add(30 * 24 * time.Hour).Unix(),
				FaceValue: 2000, Status: wxapi.StatusNormal, CanRedeem: true, Notice: "每桌限用一张",
			},
			"100000000002": {
				Code: "100000000002", MaskedCode: "•••• •••• 0002", CardID: "pCASH", Title: "满100减20代金券",
				CardType: wxapi.CardCash, Status: wxapi.StatusConsumed, CanRedeem: false, ErrCode: 40099,
				Reason: redeem.Message{Key: "ui.test.reason_consumed"}, Advice: redeem.Message{Key: "ui.test.advice_used"},
			},
		},
		progress: redeem.SyncProgress{Online: true},
	}
}

func (f *fakeRedeemer) Check(ctx context.Context, scan redeem.Scan) (*redeem.Preview, error) {
	f.mu.Lock()
	f.checks = append(f.checks, scan)
	p, err, hang := f.previews[scan.Text], f.checkErr, f.hang
	f.mu.Unlock()
	if hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	if p == nil {
		return &redeem.Preview{Scan: scan, Code: scan.Text, Kind: string(scanner.KindCode), CanRedeem: false, ErrCode: 40056,
			Reason: redeem.Message{Key: "ui.test.reason_invalid"}}, nil
	}
	cp := *p
	cp.Scan = scan
	return &cp, nil
}

func (f *fakeRedeemer) Redeem(ctx context.Context, p *redeem.Preview) (*redeem.Outcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !p.CanRedeem {
		// Like the engine: a refusal is journaled and nothing is consumed.
		f.refusals = append(f.refusals, p.Code)
		return &redeem.Outcome{Result: redeem.ResultRejected, Code: p.Code, ErrCode: p.ErrCode, Reason: p.Reason, Preview: p}, nil
	}
	f.redeems = append(f.redeems, p.Code)
	o := &redeem.Outcome{Result: f.outcome, Code: p.Code, CardID: p.CardID, Title: p.Title, CardType: p.CardType, Reason: f.reason, Preview: p}
	if f.outcome == redeem.ResultRejected {
		o.ErrCode = 40099
	}
	if f.outcome == redeem.ResultQueued {
		// No publish here: Fyne's test driver runs fyne.Do on the calling goroutine, so a
		// progress render racing this answer's render would be a test-only data race.
		f.progress.Pending++
	}
	return o, nil
}

func (f *fakeRedeemer) Sync(ctx context.Context) (redeem.SyncProgress, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.syncs++
	f.progress.Done += f.progress.Pending
	f.progress.Pending = 0
	f.progress.LastSync = time.Unix(1_800_000_000, 0)
	return f.progress, nil
}

func (f *fakeRedeemer) Progress() redeem.SyncProgress {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.progress
}

func (f *fakeRedeemer) Subscribe() (<-chan redeem.SyncProgress, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan redeem.SyncProgress, 16)
	f.subs = append(f.subs, ch)
	return ch, func() {}
}

// publish sends the progress to subscribers; f.mu is held.
func (f *fakeRedeemer) publish() {
	for _, ch := range f.subs {
		select {
		case ch <- f.progress:
		default:
		}
	}
}

func (f *fakeRedeemer) setProgress(p redeem.SyncProgress) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.progress = p
	f.publish()
}

func (f *fakeRedeemer) counts() (checks, redeems int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.checks), len(f.redeems)
}

// clock is a settable time for the wedge and the manual field.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testNow is the tests' clock: 2027-01-15 08:00:00 UTC.
const testNow = 1_800_000_000

// rig is one window with the shell, a fake redeemer and a channel of rendered states.
type rig struct {
	t     testing.TB
	win   fyne.Window
	sh    *Shell
	c     *Counter
	red   *fakeRedeemer
	clk   *clock
	queue chan func() // what the counter posts to "Fyne's goroutine": run by the test's
}

// testCatalog is the shipped catalog plus the words the redeem engine would supply for the
// fake's messages.
func testCatalog(t testing.TB) *i18n.Catalog {
	t.Helper()
	fsys := fstest.MapFS{}
	entries, err := fs.ReadDir(assets.Translations, assets.TranslationsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(assets.Translations, assets.TranslationsDir+"/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		fsys["tr/"+e.Name()] = &fstest.MapFile{Data: b}
	}
	fsys["tr/fake.zh-CN.json"] = &fstest.MapFile{Data: []byte(`{"ui.test.value":"满{{.Least}}减{{.Reduce}}","ui.test.reason_consumed":"该券已于昨天核销","ui.test.reason_invalid":"不是本店的券","ui.test.offline":"微信未应答","ui.test.advice_used":"请顾客出示其他券"}`)}
	fsys["tr/fake.en.json"] = &fstest.MapFile{Data: []byte(`{"ui.test.value":"{{.Reduce}} off {{.Least}}","ui.test.reason_consumed":"Used yesterday","ui.test.reason_invalid":"Not one of our coupons","ui.test.offline":"WeChat did not answer","ui.test.advice_used":"Ask for another coupon"}`)}
	cat, err := i18n.Load(fsys, "tr")
	if err != nil {
		t.Fatal(err)
	}
	cat.SetLang(i18n.ZH)
	return cat
}

func newRig(t testing.TB, mod func(*Options)) *rig {
	t.Helper()
	a := test.NewApp()
	a.Settings().SetTheme(NewTheme())
	t.Cleanup(a.Quit)
	red := newFakeRedeemer()
	opts := Options{
		Redeemer: red,
		Catalog:  testCatalog(t),
		Terminal: "一号台",
		Cashier:  func() string { return "收银员" },
		// The rig's clock is fake but the wedge's timers are real: long timers keep a slow,
		// loaded machine from ending a burst between two runes the clock says are 16.7 ms apart.
		Wedge: scanner.WedgeConfig{Hold: 5 * time.Second, IdleTimeout: 5 * time.Second},
	}
	if mod != nil {
		mod(&opts)
	}
	win := test.NewWindow(nil)
	win.Resize(fyne.NewSize(1280, 800))
	r := &rig{t: t, win: win, red: red, clk: &clock{t: time.Unix(testNow, 0)}, queue: make(chan func(), 256)}
	r.sh = newShell(opts, win, hooks{post: func(f func()) { r.queue <- f }, now: r.clk.Now, waitOffice: true})
	r.c = r.sh.Counter
	t.Cleanup(r.sh.Close)
	return r
}

// wait runs posted work on the test goroutine until the counter is in state want.
func (r *rig) wait(want State) {
	r.t.Helper()
	r.until(fmt.Sprintf("state %v", want), func() bool { return r.c.state == want })
}

// until runs posted work on the test goroutine until cond holds; it fails after two seconds.
func (r *rig) until(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.After(2 * time.Second)
	for !cond() {
		select {
		case f := <-r.queue:
			f()
		case <-deadline:
			r.t.Fatalf("no %s within 2 s", what)
		}
	}
}

// pump runs the work already posted.
func (r *rig) pump() {
	for {
		select {
		case f := <-r.queue:
			f()
		default:
			return
		}
	}
}

// scan types text on the window canvas as a scanner does: runes in 16.7 ms batches of three,
// then Return.
func (r *rig) scan(text string) {
	r.typeOnCanvas(text, func(i int) time.Duration {
		if i%3 == 2 {
			return 16700 * time.Microsecond
		}
		return 0
	})
	r.key(fyne.KeyReturn)
	r.pump()
}

// typeOnCanvas types text on the window canvas as Fyne's GLFW driver delivers it: for each
// character a key event named after the key ("1", "A", "Space") and then the rune.
func (r *rig) typeOnCanvas(text string, gap func(i int) time.Duration) {
	onRune, onKey := r.win.Canvas().OnTypedRune(), r.win.Canvas().OnTypedKey()
	for i, ch := range text {
		name := fyne.KeyName(strings.ToUpper(string(ch)))
		if ch == ' ' {
			name = fyne.KeySpace
		}
		onKey(&fyne.KeyEvent{Name: name})
		onRune(ch)
		r.clk.Advance(gap(i))
	}
}

func (r *rig) key(name fyne.KeyName) {
	r.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: name})
}
