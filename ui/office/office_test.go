//go:build ci

package office

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"github.com/cardpos/cardpos/money"
	"image"
	"image/color"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cardpos/cardpos/auth"
	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/report"
	"github.com/cardpos/cardpos/secrets"
	"github.com/cardpos/cardpos/settings"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
)

var now = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

func ms(d time.Duration) int64 { return now.Add(d).UnixMilli() }

// fakeJournal is the redemption engine: a fixed journal and a record of what was asked.
type fakeJournal struct {
	mu       sync.Mutex
	rows     []storage.Redemption
	resolved []string
	syncs    int
}

func (f *fakeJournal) History(_ context.Context, since time.Time) ([]storage.Redemption, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []storage.Redemption
	for _, r := range f.rows {
		if r.CreatedAt >= since.UnixMilli() {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeJournal) Queue(context.Context) ([]storage.Redemption, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []storage.Redemption
	for _, r := range f.rows {
		switch r.State {
		case storage.StateQueued, storage.StateInFlight, storage.StateConflict, storage.StateExpired:
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeJournal) ResolveConflict(_ context.Context, id int64, manager, note string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.rows {
		if f.rows[i].ID == id {
			f.rows[i].State = storage.StateResolved
			f.resolved = append(f.resolved, manager+": "+note)
			return nil
		}
	}
	return storage.ErrNotFound
}

func (f *fakeJournal) Sync(context.Context) (redeem.SyncProgress, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.syncs++
	return redeem.SyncProgress{Done: 1, Pending: 0, Conflicts: 1}, nil
}

func journalRows() []storage.Redemption {
	return []storage.Redemption{
		{ID: 1, Code: "111122223333", CardID: "pCASH", Title: "满100减20", CardType: "CASH", FaceValue: 20_00,
			State: storage.StateRedeemed, Cashier: "收银员", Terminal: "POS-01", CreatedAt: ms(-2 * time.Hour), RedeemedAt: ms(-2 * time.Hour)},
		{ID: 2, Code: "444455556666", CardID: "pCASH", Title: "满100减20", CardType: "CASH", FaceValue: 20_00,
			State: storage.StateQueued, Offline: true, Cashier: "收银员", CreatedAt: ms(-time.Hour), Attempts: 2, LastError: "timeout"},
		{ID: 3, Code: "777788889999", CardID: "pGIFT", Title: "咖啡兑换券", CardType: "GIFT",
			State: storage.StateConflict, Offline: true, Cashier: "amy", CreatedAt: ms(-30 * time.Minute), Attempts: 1,
			Reason: "office.err.failed", ConflictDetail: "CONSUMED at 09:10 by another till"},
		{ID: 4, Code: "000011112222", CardID: "pCASH", Title: "满100减20", CardType: "CASH", FaceValue: 20_00,
			State: storage.StateRejected, Cashier: "amy", CreatedAt: ms(-10 * time.Minute), ErrCode: 40099},
		{ID: 5, Code: "999900001111", CardID: "pCASH", Title: "满100减20", CardType: "CASH", FaceValue: 20_00,
			State: storage.StateRedeemed, Cashier: "收银员", CreatedAt: ms(-30 * time.Hour)}, // yesterday
	}
}

type fakeCards struct {
	mu    sync.Mutex
	cards []wxapi.Card
	calls []string
}

func (f *fakeCards) Cards(_ context.Context, refresh bool) ([]wxapi.Card, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if refresh {
		f.calls = append(f.calls, "refresh")
	}
	return append([]wxapi.Card(nil), f.cards...), nil
}

func (f *fakeCards) ModifyStock(_ context.Context, id string, delta int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "stock "+id+" "+itoa(delta))
	for i := range f.cards {
		if f.cards[i].ID == id {
			f.cards[i].Base.Quantity += delta
		}
	}
	return nil
}

func (f *fakeCards) UnavailableCode(_ context.Context, cardID, code, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if code == "404" {
		return &wxapi.Error{Code: 40056, Endpoint: "/card/code/unavailable"}
	}
	f.calls = append(f.calls, "void "+cardID+" "+code+" "+reason)
	return nil
}

func (f *fakeCards) SetTestWhitelist(_ context.Context, ids, names []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "whitelist "+strings.Join(ids, "+")+" "+strings.Join(names, "+"))
	return nil
}

func (f *fakeCards) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func itoa(n int64) string {
	return strings.TrimSpace(strings.Replace(money.Fixed(n*100), ".00", "", 1))
}

type fakeCampaigns struct {
	mu   sync.Mutex
	list []storage.Campaign
}

func (f *fakeCampaigns) Campaigns(context.Context) ([]storage.Campaign, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]storage.Campaign(nil), f.list...), nil
}

func (f *fakeCampaigns) Create(_ context.Context, r CampaignRequest) (*storage.Campaign, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := storage.Campaign{ID: int64(len(f.list) + 1), Name: r.Name, CardIDs: r.CardIDs, Scene: r.Scene,
		ExpireSeconds: r.ExpireSeconds, URL: "http://weixin.qq.com/q/test", CreatedBy: r.CreatedBy, CreatedAt: now.UnixMilli()}
	f.list = append([]storage.Campaign{c}, f.list...)
	return &c, nil
}

func (f *fakeCampaigns) Preview(context.Context, int64) (image.Image, error) {
	img := image.NewRGBA(image.Rect(0, 0, 40, 60))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	img.Set(5, 5, color.Black)
	return img, nil
}

func (f *fakeCampaigns) PNG(_ context.Context, id int64, w io.Writer) error {
	_, err := io.WriteString(w, "\x89PNG campaign "+itoa(id))
	return err
}

func (f *fakeCampaigns) PDF(_ context.Context, id int64, w io.Writer) error {
	_, err := io.WriteString(w, "%PDF-1.4 campaign "+itoa(id))
	return err
}

type env struct {
	d      Deps
	db     *storage.DB
	auth   *auth.Service
	j      *fakeJournal
	cards  *fakeCards
	camps  *fakeCampaigns
	vault  *secrets.Vault
	saved  []settings.Settings
	prints []settings.Printer
	pdfs   []string
}

func newEnv(t *testing.T, lang i18n.Lang, seed bool) *env {
	t.Helper()
	test.NewTempApp(t)
	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := auth.New(db)
	a.Params = auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	a.Now = func() time.Time { return now }
	if seed {
		if err := a.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
	}
	cat := i18n.Default()
	cat.SetLang(lang)
	v := secrets.New(dir)
	v.Keyring = nil
	v.Getenv = func(string) string { return "" }
	e := &env{db: db, auth: a, j: &fakeJournal{rows: journalRows()}, vault: v,
		cards: &fakeCards{cards: []wxapi.Card{
			{ID: "pCASH", Type: wxapi.CardCash, Base: wxapi.BaseInfo{Title: "满100减20", Quantity: 90}},
			{ID: "pGIFT", Type: wxapi.CardGift, Base: wxapi.BaseInfo{Title: "咖啡兑换券", Quantity: 5}},
		}},
		camps: &fakeCampaigns{},
	}
	e.d = Deps{
		Catalog: cat, Journal: e.j, Cards: e.cards, Campaigns: e.camps, Auth: a,
		Settings: settings.NewStore(db), Secrets: v,
		Loc: time.UTC, Now: func() time.Time { return now }, Timeout: 5 * time.Second,
		TestPrint:       func(_ context.Context, p settings.Printer) error { e.prints = append(e.prints, p); return nil },
		PrintPDF:        func(_ context.Context, path string) error { e.pdfs = append(e.pdfs, path); return nil },
		OnSettingsSaved: func(s settings.Settings) { e.saved = append(e.saved, s) },
		SerialPorts:     func(context.Context) ([]string, error) { return []string{"/dev/ttyUSB0", "/dev/ttyACM0"}, nil },
	}
	e.d.Window = test.NewTempWindow(t, widget.NewLabel(""))
	e.d.Window.Resize(fyne.NewSize(1100, 760))
	return e
}

// eventually waits for cond, which the screens' background work makes true.
// settle waits for the screen's background work to apply, then checks cond.
func settle(t *testing.T, s interface{ Wait() }, what string, cond func() bool) {
	t.Helper()
	done := make(chan struct{})
	go func() { s.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
	if !cond() {
		t.Fatalf("after the work settled: not %s", what)
	}
}

func texts(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *widget.Button:
			b.WriteString("[" + w.Text + "]\n")
		case *widget.Entry:
			b.WriteString("<" + w.Text + ">\n")
		case *container.AppTabs:
			if it := w.Selected(); it != nil {
				walk(it.Content)
			}
			return
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
			return
		case *container.Split:
			walk(w.Leading)
			walk(w.Trailing)
			return
		case *container.Scroll:
			walk(w.Content)
			return
		}
	}
	walk(o)
	return b.String()
}

func show(e *env, o fyne.CanvasObject) {
	e.d.Window.SetContent(o)
}

func TestManagerPINGatesSettings(t *testing.T) {
	e := newEnv(t, i18n.ZH, true)
	m := NewManager(e.d)
	defer m.Close()
	show(e, m.CanvasObject())
	settle(t, m, "the gate to be ready", func() bool { return m.checked && !m.submit.Disabled() })
	if strings.Contains(texts(m.root), "保存设置") {
		t.Fatal("settings are visible before any PIN")
	}

	// A cashier's correct PIN is not a manager PIN.
	m.SignIn(auth.DemoCashier, auth.DemoCashierPIN)
	settle(t, m, "the cashier refusal", func() bool { return strings.Contains(m.msg.Text, "需要店长 PIN") })

	// Wrong PINs are refused, the fifth locks, and then even the right PIN is refused.
	for i := 1; i <= 4; i++ {
		m.SignIn(auth.DemoManager, "9999")
		settle(t, m, "a refusal", func() bool { return m.msg.Text == "姓名或 PIN 不正确。" && !m.submit.Disabled() })
		m.gateMsg, m.msg.Text = "", ""
		if m.Unlocked() {
			t.Fatalf("unlocked after wrong PIN #%d", i)
		}
	}
	m.SignIn(auth.DemoManager, "9999")
	settle(t, m, "the lock", func() bool { return strings.Contains(m.msg.Text, "已锁定到 10:05") })
	m.SignIn(auth.DemoManager, auth.DemoManagerPIN)
	settle(t, m, "the locked refusal", func() bool { return !m.submit.Disabled() })
	if m.Unlocked() || !strings.Contains(m.msg.Text, "已锁定") {
		t.Fatalf("the right PIN while locked: unlocked=%v msg=%q", m.Unlocked(), m.msg.Text)
	}
	if strings.Contains(texts(m.root), "保存设置") {
		t.Fatal("settings visible while locked")
	}

	// Five minutes later the right PIN opens the manager area and its settings tab.
	later := now.Add(6 * time.Minute)
	e.auth.Now = func() time.Time { return later }
	m.SignIn(auth.DemoManager, auth.DemoManagerPIN)
	settle(t, m, "the manager area", m.Unlocked)
	m.Tab(2)
	if got := texts(m.root); !strings.Contains(got, "[保存设置]") || !strings.Contains(got, "店长：店长") {
		t.Errorf("manager area after the right PIN lacks the settings tab:\n%s", got)
	}
	m.Lock()
	if m.Unlocked() || strings.Contains(texts(m.root), "保存设置") {
		t.Error("Lock left the manager area open")
	}
}

func TestFirstRunSetsTheManagerPIN(t *testing.T) {
	e := newEnv(t, i18n.ZH, false)
	m := NewManager(e.d)
	defer m.Close()
	show(e, m.CanvasObject())
	settle(t, m, "the first-run gate", func() bool { return m.checked && m.first })
	if got := texts(m.root); !strings.Contains(got, "首次使用：设置店长 PIN") || !strings.Contains(got, "这台收银台还没有店长") {
		t.Fatalf("first-run gate does not say so:\n%s", got)
	}
	m.SetFirst("王店长", "2468", "2469")
	if m.msg.Text != "两次输入的 PIN 不一致。" {
		t.Errorf("mismatch message = %q", m.msg.Text)
	}
	m.SetFirst("王店长", "12", "12")
	settle(t, m, "the weak PIN refusal", func() bool { return m.msg.Text == "PIN 须为 4–8 位数字。" })
	m.SetFirst("王店长", "2468", "2468")
	settle(t, m, "the manager area", m.Unlocked)
	if s, _ := m.Session(); s.Name != "王店长" || !s.IsManager() {
		t.Errorf("session = %+v", s)
	}
	if _, err := e.auth.SignInManager(context.Background(), "王店长", "2468"); err != nil {
		t.Errorf("the PIN set on first run does not sign in: %v", err)
	}
}

func unlocked(t *testing.T, e *env) *Manager {
	t.Helper()
	m := NewManager(e.d)
	t.Cleanup(m.Close)
	show(e, m.CanvasObject())
	settle(t, m, "the gate", func() bool { return m.checked })
	m.SignIn(auth.DemoManager, auth.DemoManagerPIN)
	settle(t, m, "the manager area", m.Unlocked)
	return m
}

func TestSettingsSaveAndCredentials(t *testing.T) {
	e := newEnv(t, i18n.ZH, true)
	m := unlocked(t, e)
	m.Tab(2)
	v := m.settings
	settle(t, v.s, "settings to load", func() bool { return v.loaded })
	if v.terminal.Text != "POS-01" || v.maxFace.Text != "500.00" || v.maxAge.Text != "24" {
		t.Errorf("defaults shown: terminal %q, max face %q, max age %q", v.terminal.Text, v.maxFace.Text, v.maxAge.Text)
	}
	if !strings.Contains(v.credState.Text, "尚未设置") {
		t.Errorf("credential state = %q, want not set", v.credState.Text)
	}

	// A bad value is refused with plain words and not saved.
	v.maxPending.SetText("很多")
	v.Save()
	if !strings.Contains(v.msg.Text, "最多待同步笔数") {
		t.Errorf("unreadable number message = %q", v.msg.Text)
	}
	v.maxPending.SetText("100")
	v.prKind.SetSelectedIndex(1) // tcp
	v.prAddr.SetText("10.0.0.9")
	v.Save()
	if !strings.Contains(v.msg.Text, "主机:端口") {
		t.Errorf("invalid printer message = %q", v.msg.Text)
	}
	v.prAddr.SetText("10.0.0.9:9100")
	v.terminal.SetText("前台2号")
	if len(v.ports) != 2 {
		t.Fatalf("serial ports offered = %q", v.ports)
	}
	v.serialPort.SetText(v.ports[1])
	v.maxFace.SetText("88.8")
	v.lang.SetSelectedIndex(1)
	v.shop.SetText("新店")
	v.Save()
	settle(t, v.s, "the unsynced refusal", func() bool { return strings.HasPrefix(v.msg.Text, "还有 1 笔核销未同步") })
	v.shop.SetText("")
	v.Save()
	settle(t, v.s, "the save", func() bool { return len(e.saved) == 1 })
	got, err := settings.Load(context.Background(), e.db)
	if err != nil {
		t.Fatal(err)
	}
	if got.Terminal != "前台2号" || got.Policy.MaxPending != 100 || got.Policy.MaxFaceValue != 88_80 ||
		got.Printer.Address != "10.0.0.9:9100" || got.Lang != i18n.EN || got.Scanner.SerialPort != "/dev/ttyACM0" {
		t.Errorf("saved settings = %+v", got)
	}
	v.TestPrint()
	settle(t, v.s, "the test print", func() bool { return len(e.prints) == 1 })
	if e.prints[0].Kind != settings.PrinterTCP {
		t.Errorf("test print went to %+v", e.prints[0])
	}

	// Credentials: refused when malformed, saved to the file store, never shown again.
	const secret = "0123456789abcdef0123456789abcdef"
	v.appIDE.SetText("wx1234567890abcdef")
	v.secretE.SetText("short")
	v.SaveCredentials(v.appIDE.Text, v.secretE.Text)
	if !strings.Contains(v.credMsg.Text, "32 位") {
		t.Errorf("bad credentials message = %q", v.credMsg.Text)
	}
	v.SaveCredentials("wx1234567890abcdef", secret)
	settle(t, v.s, "the credentials", func() bool { return strings.Contains(v.credState.Text, "加密文件") })
	v.SaveCredentials("wxfedcba0987654321", secret)
	settle(t, v.s, "the account-change refusal", func() bool { return strings.HasPrefix(v.credMsg.Text, "还有 1 笔核销未同步") })
	if c, _, _ := e.vault.Load(context.Background()); c.AppID != "wx1234567890abcdef" {
		t.Errorf("AppID changed to %s while a redemption was unsynced", c.AppID)
	}
	c, st, err := e.vault.Load(context.Background())
	if err != nil || st != secrets.StoreFile || c.AppSecret != secret {
		t.Errorf("vault after save = %v %v %v", c.AppID, st, err)
	}
	if all := texts(m.root); strings.Contains(all, secret) {
		t.Error("the secret is visible on screen after saving")
	}
}

func TestCatalogActions(t *testing.T) {
	e := newEnv(t, i18n.EN, true)
	m := unlocked(t, e)
	v := m.catalog
	settle(t, v.s, "the catalog", func() bool { return strings.Contains(v.msg.Text, "2 cards") })
	v.Stock("10", 1)
	if v.msg.Text != "Pick a card on the left first." {
		t.Errorf("stock without a card: %q", v.msg.Text)
	}
	v.list.Select(0)
	v.Stock("ten", 1)
	if !strings.Contains(v.msg.Text, "whole number") {
		t.Errorf("bad amount: %q", v.msg.Text)
	}
	v.Stock("10", -1)
	settle(t, v.s, "the stock change", func() bool {
		return v.msg.Text == "满100减20: stock changed by -10." && v.cards[0].Base.Quantity == 80
	})
	v.Void("404", "lost")
	wantErr := e.d.Catalog.T("wx.err.40056", map[string]any{"Code": 40056})
	settle(t, v.s, "the WeChat error in words", func() bool {
		return v.msg.Text == wantErr && !strings.HasPrefix(wantErr, "wx.err")
	})
	v.Void("123456789012", "")
	if v.msg.Text != "Enter the code and a reason." {
		t.Errorf("void without reason: %q", v.msg.Text)
	}
	v.Void("123456789012", "customer complaint")
	settle(t, v.s, "the void", func() bool { return strings.Contains(v.msg.Text, "is void") })
	v.Whitelist("oA, oB", "wxid_x")
	settle(t, v.s, "the whitelist", func() bool { return strings.Contains(v.msg.Text, "3 accounts") })
	want := []string{"stock pCASH -10", "void pCASH 123456789012 customer complaint", "whitelist oA+oB wxid_x"}
	if got := e.cards.log(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("card calls = %q, want %q", got, want)
	}
	acts, err := e.db.AuditLog(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range acts {
		if strings.HasPrefix(a.Action, "card.") {
			got = append(got, a.Actor+" "+a.Action)
		}
	}
	if strings.Join(got, ",") != "店长 card.stock,店长 card.void,店长 card.whitelist" {
		t.Errorf("audit of card actions = %q", got)
	}
}

func TestCampaigns(t *testing.T) {
	e := newEnv(t, i18n.EN, true)
	m := unlocked(t, e)
	m.Tab(1)
	v := m.campaigns
	v.Create()
	if v.msg.Text != "Choose a card first." {
		t.Errorf("create without card: %q", v.msg.Text)
	}
	settle(t, v.s, "the cards", func() bool { return len(v.card.Options) == 2 })
	v.card.SetSelectedIndex(1)
	v.name.SetText("Coffee week")
	v.scene.SetText("table-12")
	v.Create()
	settle(t, v.s, "the preview", func() bool { return v.preview.Image != nil })
	if len(e.camps.list) != 1 || e.camps.list[0].CardIDs[0] != "pGIFT" || e.camps.list[0].CreatedBy != "店长" {
		t.Errorf("campaigns = %+v", e.camps.list)
	}
	v.Print()
	settle(t, v.s, "the print", func() bool { return len(e.pdfs) == 1 })
}

func TestHistoryFilterSummaryAndCSV(t *testing.T) {
	e := newEnv(t, i18n.ZH, true)
	h := NewHistory(e.d)
	defer h.Close()
	show(e, h.CanvasObject())
	settle(t, h, "today's rows", func() bool { return len(h.Shown()) == 4 })
	if got := h.summary.Text; !strings.Contains(got, "满100减20\n  已同步 1 · 待同步 1 · 需处理 0 · 拒绝 1\n  面值 ¥40.00") {
		t.Errorf("summary:\n%s", got)
	}
	h.SetFilter(report.Filter{Code: "5555"})
	if len(h.Shown()) != 1 || h.Shown()[0].ID != 2 {
		t.Errorf("search 5555 shows %v", h.Shown())
	}
	h.SetFilter(report.Filter{Groups: []report.Group{report.GroupAttention}})
	if len(h.Shown()) != 1 || h.Shown()[0].ID != 3 || h.group.Selected != "需处理" {
		t.Errorf("filter 需处理 shows %v (select %q)", h.Shown(), h.group.Selected)
	}
	h.SetFilter(report.Filter{})
	var b bytes.Buffer
	if err := h.ExportCSV(&b); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || recs[1][3] != "111122223333" || recs[1][7] != "20.00" || recs[3][8] != "conflict" {
		t.Errorf("CSV = %q", recs)
	}
	h.period.SetSelectedIndex(1) // last 7 days brings yesterday in
	settle(t, h, "7 days of rows", func() bool { return len(h.Shown()) == 5 })
}

func TestQueueSyncAndResolve(t *testing.T) {
	e := newEnv(t, i18n.ZH, true)
	q := NewQueue(e.d)
	defer q.Close()
	show(e, q.CanvasObject())
	settle(t, q, "the queue", func() bool { return len(q.Rows()) == 2 })
	if q.counts.Text != "待同步 1 · 需处理 1" {
		t.Errorf("counts = %q", q.counts.Text)
	}
	q.Select(2)
	if !q.resolve.Disabled() {
		t.Error("resolve enabled for a row that only waits to sync")
	}
	q.Select(3)
	if q.resolve.Disabled() || !strings.Contains(q.detail.Text, "CONSUMED at 09:10") {
		t.Fatalf("conflict detail = %q, resolve disabled %v", q.detail.Text, q.resolve.Disabled())
	}
	q.Resolve()
	if q.resMsg.Text != "请先填写处理说明。" {
		t.Errorf("resolve without note: %q", q.resMsg.Text)
	}
	q.note.SetText("顾客改付现金")
	q.mgrName.SetText(auth.DemoCashier)
	q.mgrPIN.SetText(auth.DemoCashierPIN)
	q.Resolve()
	settle(t, q, "the cashier refusal", func() bool { return strings.Contains(q.resMsg.Text, "需要店长 PIN") })
	q.mgrName.SetText(auth.DemoManager)
	q.mgrPIN.SetText(auth.DemoManagerPIN)
	q.Resolve()
	settle(t, q, "the resolution", func() bool { return len(q.Rows()) == 1 })
	if len(e.j.resolved) != 1 || e.j.resolved[0] != "店长: 顾客改付现金" {
		t.Errorf("resolved = %q", e.j.resolved)
	}
	if q.mgrPIN.Text != "" {
		t.Error("the PIN stays in its field after use")
	}
	q.SyncNow()
	settle(t, q, "the sync", func() bool { return strings.HasPrefix(q.info.Text, "同步完成") })
	if e.j.syncs != 1 {
		t.Errorf("syncs = %d", e.j.syncs)
	}
}

func TestErrorWords(t *testing.T) {
	e := newEnv(t, i18n.EN, false)
	s := newScreen(e.d)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{auth.ErrBadPIN, "Wrong name or PIN."},
		{&auth.LockedError{Name: "x", Until: now.Add(5 * time.Minute)}, "Too many wrong PINs: locked until 10:05."},
		{context.DeadlineExceeded, "Timed out: the network may be down. Try again later."},
		{errors.New("disk on fire"), "That failed. Try again; if it keeps failing, check the log."},
	} {
		if got := s.errText("test", tc.err); got != tc.want {
			t.Errorf("errText(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestScreensRender(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		t.Run(string(lang), func(t *testing.T) {
			e := newEnv(t, lang, true)
			h := NewHistory(e.d)
			defer h.Close()
			show(e, h.CanvasObject())
			settle(t, h, "history", func() bool { return len(h.Shown()) == 4 })
			test.AssertRendersToMarkup(t, "history."+string(lang)+".xml", e.d.Window.Canvas())

			q := NewQueue(e.d)
			defer q.Close()
			show(e, q.CanvasObject())
			settle(t, q, "queue", func() bool { return len(q.Rows()) == 2 })
			test.AssertRendersToMarkup(t, "queue."+string(lang)+".xml", e.d.Window.Canvas())

			m := NewManager(e.d)
			defer m.Close()
			show(e, m.CanvasObject())
			settle(t, m, "gate", func() bool { return m.checked })
			test.AssertRendersToMarkup(t, "gate."+string(lang)+".xml", e.d.Window.Canvas())

			m.SignIn(auth.DemoManager, auth.DemoManagerPIN)
			settle(t, m, "manager", m.Unlocked)
			settle(t, m, "catalog", func() bool { return len(m.catalog.cards) == 2 })
			test.AssertRendersToMarkup(t, "catalog."+string(lang)+".xml", e.d.Window.Canvas())
			m.Tab(2)
			settle(t, m, "settings", func() bool { return m.settings.loaded })
			test.AssertRendersToMarkup(t, "settings."+string(lang)+".xml", e.d.Window.Canvas())
			m.Tab(3)
			settle(t, m, "users", func() bool { return len(m.users.users) == 2 })
			test.AssertRendersToMarkup(t, "users."+string(lang)+".xml", e.d.Window.Canvas())
		})
	}
}
