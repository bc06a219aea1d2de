//go:build ci

package office

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cardpos/cardpos/auth"
	"github.com/cardpos/cardpos/campaign"
	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/settings"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
)

type qrAPI struct{ card wxapi.Card }

func (q qrAPI) CreateQRCode(_ context.Context, r wxapi.QRCodeRequest) (*wxapi.QRCode, error) {
	return &wxapi.QRCode{Ticket: "tk1", ExpireSeconds: r.ExpireSeconds, URL: "http://weixin.qq.com/q/02test"}, nil
}

func (q qrAPI) GetCard(_ context.Context, id string) (*wxapi.Card, error) {
	if id != q.card.ID {
		return nil, &wxapi.Error{Code: 40073}
	}
	c := q.card
	return &c, nil
}

func TestCampaignServiceAdapter(t *testing.T) {
	ctx := context.Background()
	db, err := storage.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	card := wxapi.Card{ID: "pGIFT", Type: wxapi.CardGift, Gift: "一杯美式",
		Base: wxapi.BaseInfo{Title: "咖啡兑换券", BrandName: "星星咖啡", Color: "Color010",
			DateInfo: wxapi.DateInfo{Type: "DATE_TYPE_PERMANENT"}}}
	svc, err := campaign.New(qrAPI{card}, db, campaign.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := CampaignService{Service: svc, Size: campaign.SizeA6, DPI: 30}
	c, err := a.Create(ctx, CampaignRequest{Name: "咖啡周", CardIDs: []string{"pGIFT"}, Scene: "table-12", CreatedBy: "店长"})
	if err != nil {
		t.Fatal(err)
	}
	if c.URL != "http://weixin.qq.com/q/02test" || c.Scene != "table-12" || c.ID == 0 {
		t.Errorf("created %+v", c)
	}
	list, err := a.Campaigns(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("Campaigns = %v, %v", list, err)
	}
	img, err := a.Preview(ctx, c.ID)
	if err != nil || img.Bounds().Dx() < 50 {
		t.Fatalf("Preview = %v, %v", img, err)
	}
	var pdf bytes.Buffer
	if err := a.PDF(ctx, c.ID, &pdf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Errorf("PDF starts %q", pdf.Bytes()[:min(8, pdf.Len())])
	}
	var png bytes.Buffer
	if err := a.PNG(ctx, c.ID, &png); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png.Bytes(), []byte("\x89PNG")) {
		t.Errorf("PNG starts %q", png.Bytes()[:min(8, png.Len())])
	}
	if _, err := a.Preview(ctx, 999); err == nil {
		t.Error("Preview of a missing campaign succeeded")
	}
}

func TestTestPrinterWritesAnESCPOSJob(t *testing.T) {
	path := filepath.Join(t.TempDir(), "slips.bin")
	tp := TestPrinter(i18n.Default(), func() i18n.Lang { return i18n.ZH }, time.UTC)
	if err := tp(context.Background(), settings.Printer{Kind: settings.PrinterNone}); err != ErrNoPrinter {
		t.Errorf("no printer: %v, want ErrNoPrinter", err)
	}
	if err := tp(context.Background(), settings.Printer{Kind: settings.PrinterFile, Address: path, PaperWidth: 80}); err != nil {
		t.Fatal(err)
	}
	job, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(job, []byte{0x1b, 0x40}) || !bytes.Contains(job, []byte{0x1d, 0x56}) {
		t.Errorf("test page is not an ESC/POS job with init and cut: % x…", job[:min(16, len(job))])
	}
}

// fakePolicy is the engine's policy in force.
type fakePolicy struct {
	p   redeem.Policy
	set []string
}

func (f *fakePolicy) Policy() redeem.Policy { return f.p }
func (f *fakePolicy) SetPolicy(_ context.Context, actor string, p redeem.Policy) error {
	f.p = p
	f.set = append(f.set, actor)
	return nil
}

func TestSettingsShowAndApplyTheEnginePolicy(t *testing.T) {
	e := newEnv(t, i18n.EN, true)
	fp := &fakePolicy{p: redeem.DefaultPolicy()}
	fp.p.MaxPending = 42
	e.d.Policy = fp
	m := unlocked(t, e)
	m.Tab(2)
	v := m.settings
	settle(t, v.s, "settings to load", func() bool { return v.loaded })
	if v.maxPending.Text != "42" {
		t.Errorf("max pending shows %q, want the engine's 42", v.maxPending.Text)
	}
	v.Save()
	settle(t, v.s, "an unchanged save", func() bool { return len(e.saved) == 1 })
	if len(fp.set) != 0 {
		t.Errorf("unchanged policy was set again by %v", fp.set)
	}
	v.maxPending.SetText("7")
	v.types.SetSelected([]string{v.types.Options[1]}) // cash only
	v.Save()
	settle(t, v.s, "the save", func() bool { return len(e.saved) == 2 })
	if fp.p.MaxPending != 7 || len(fp.p.AllowedTypes) != 1 || fp.p.AllowedTypes[0] != wxapi.CardCash || len(fp.set) != 1 || fp.set[0] != auth.DemoManager {
		t.Errorf("engine policy = %+v set by %v", fp.p, fp.set)
	}
}

func TestKeyboardOnlyGate(t *testing.T) {
	e := newEnv(t, i18n.ZH, true)
	m := NewManager(e.d)
	defer m.Close()
	show(e, m.CanvasObject())
	settle(t, m, "the gate", func() bool { return m.checked })
	c := e.d.Window.Canvas()
	c.Focus(m.name)
	if m.name.Text != auth.DemoManager { // the shop's only manager is filled in: no IME needed
		t.Errorf("name field: got %q, want the only manager %q prefilled", m.name.Text, auth.DemoManager)
	}
	m.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter moves to the PIN
	if c.Focused() != m.pin {
		t.Fatalf("Enter in the name field focused %T, want the PIN field", c.Focused())
	}
	test.Type(m.pin, auth.DemoManagerPIN)
	m.pin.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settle(t, m, "the manager area after Enter", m.Unlocked)
	c.FocusNext()
	if c.Focused() == nil {
		t.Error("Tab reaches nothing in the manager area")
	}
}

func TestLanguageSwitchRerenders(t *testing.T) {
	e := newEnv(t, i18n.ZH, true)
	q := NewQueue(e.d)
	defer q.Close()
	show(e, q.CanvasObject())
	settle(t, q, "the queue", func() bool { return len(q.Rows()) == 2 })
	if !strings.Contains(texts(q.root), "[F5 立即同步]") {
		t.Fatalf("zh screen:\n%s", texts(q.root))
	}
	e.d.Catalog.SetLang(i18n.EN)
	q.Refresh()
	settle(t, q, "the English queue", func() bool { return strings.Contains(texts(q.root), "[F5 Sync now]") })
	if strings.Contains(texts(q.root), "立即同步") {
		t.Error("Chinese words left after switching to English")
	}
}

func TestUsersTab(t *testing.T) {
	e := newEnv(t, i18n.EN, true)
	m := unlocked(t, e)
	m.Tab(3)
	v := m.users
	settle(t, v.s, "the users", func() bool { return len(v.users) == 2 })
	v.Add("amy", auth.RoleCashier, "12")
	settle(t, v.s, "the weak PIN refusal", func() bool { return v.msg.Text == "A PIN is 4 to 8 digits." })
	v.Add("amy", auth.RoleCashier, "4321")
	settle(t, v.s, "amy added", func() bool { return len(v.users) == 3 && v.msg.Text == "Added amy." })
	if _, err := e.auth.SignIn(context.Background(), "amy", "4321"); err != nil {
		t.Errorf("amy cannot sign in: %v", err)
	}
	v.Delete(auth.DemoManager)
	settle(t, v.s, "the last-manager refusal", func() bool { return v.msg.Text == "The last manager cannot be removed or demoted." })
	v.Update("amy", auth.RoleManager, "")
	settle(t, v.s, "amy promoted", func() bool { return v.msg.Text == "Changed amy." })
	if _, err := e.auth.SignInManager(context.Background(), "amy", "4321"); err != nil {
		t.Errorf("amy is not a manager after promotion: %v", err)
	}
	v.Delete("amy")
	settle(t, v.s, "amy removed", func() bool { return len(v.users) == 2 })
	if strings.Contains(texts(m.root), "$argon2id$") {
		t.Error("a PIN hash is on screen")
	}
}

func TestManagerLocksWhenIdle(t *testing.T) {
	e := newEnv(t, i18n.EN, true)
	e.d.ManagerIdle = 800 * time.Millisecond
	m := unlocked(t, e)
	time.Sleep(450 * time.Millisecond)
	if !m.Unlocked() {
		t.Fatal("locked 450 ms after sign-in with an 800 ms idle limit")
	}
	m.catalog.load(false, "") // an action restarts the idle clock
	settle(t, m, "the reload", func() bool { return true })
	time.Sleep(500 * time.Millisecond)
	if !m.Unlocked() {
		t.Fatal("locked although an action came 500 ms ago")
	}
	deadline := time.Now().Add(3 * time.Second)
	for m.Unlocked() || !strings.Contains(texts(m.root), "Manager sign-in") {
		if time.Now().After(deadline) {
			t.Fatal("still unlocked long after the idle limit")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if strings.Contains(texts(m.root), "[Save settings]") {
		t.Error("settings still on screen after the idle lock")
	}
}

func TestVoidAsksFirst(t *testing.T) {
	e := newEnv(t, i18n.EN, true)
	m := unlocked(t, e)
	v := m.catalog
	settle(t, v.s, "the catalog", func() bool { return len(v.cards) == 2 })
	v.code.SetText("123456789012")
	v.reason.SetText("fraud")
	test.Tap(v.void)
	if got := e.cards.log(); len(got) != 0 {
		t.Fatalf("voided before confirming: %q", got)
	}
	overlay := e.d.Window.Canvas().Overlays().Top()
	var yes *widget.Button
	var words strings.Builder
	walkAll(overlay, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			words.WriteString(w.Text + "\n")
		case *widget.Button:
			if w.Text == "Yes" {
				yes = w
			}
		}
	})
	if !strings.Contains(words.String(), "Void code 123456789012?") || yes == nil {
		t.Fatalf("the confirmation does not name the code or has no Yes: %q", words.String())
	}
	test.Tap(yes)
	settle(t, v.s, "the void", func() bool { return len(e.cards.log()) == 1 })
}

// walkAll visits o and everything inside it, through containers and widget renderers.
func walkAll(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	fn(o)
	switch w := o.(type) {
	case *fyne.Container:
		for _, c := range w.Objects {
			walkAll(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(w).Objects() {
			walkAll(c, fn)
		}
	}
}
