package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/cardpos/cardpos/auth"
	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/ui/office"
)

type fakeJournal struct{}

func (fakeJournal) History(context.Context, time.Time) ([]storage.Redemption, error) { return nil, nil }
func (fakeJournal) Queue(context.Context) ([]storage.Redemption, error)              { return nil, nil }
func (fakeJournal) ResolveConflict(context.Context, int64, string, string) error     { return nil }
func (fakeJournal) Sync(context.Context) (redeem.SyncProgress, error) {
	return redeem.SyncProgress{Online: true}, nil
}

type fakeAuth struct{}

func (fakeAuth) NeedsFirstManager(context.Context) (bool, error) { return false, nil }
func (fakeAuth) SetFirstManager(context.Context, string, string) (auth.Session, error) {
	return auth.Session{}, auth.ErrManagerExists
}
func (fakeAuth) SignInManager(context.Context, string, string) (auth.Session, error) {
	return auth.Session{}, auth.ErrBadPIN
}
func (fakeAuth) Audit(context.Context, auth.Session, string, string) error { return nil }

func TestOfficeScreensMount(t *testing.T) {
	r := newRig(t, func(o *Options) {
		o.Office = &office.Deps{Journal: fakeJournal{}, Auth: fakeAuth{}}
	})
	tabs := r.sh.Tabs()
	if tabs == nil || len(tabs.Items) != 4 {
		t.Fatalf("tabs: got %v, want counter + history + queue + manager", tabs)
	}
	wantTitles := []string{"收银台", "F4 核销记录", "F6 待同步队列", "F8 店长管理"}
	for i, it := range tabs.Items {
		if it.Text != wantTitles[i] {
			t.Errorf("tab %d: got %q, want %q", i, it.Text, wantTitles[i])
		}
	}
	if !r.c.actions.history.Visible() {
		t.Error("F4 button hidden with a history screen mounted")
	}
	for _, k := range []struct {
		key  fyne.KeyName
		want int
	}{{fyne.KeyF4, 1}, {fyne.KeyEscape, 0}, {fyne.KeyF6, 2}, {fyne.KeyF8, 3}, {fyne.KeyEscape, 0}} {
		r.key(k.key)
		if got := tabs.SelectedIndex(); got != k.want {
			t.Errorf("%s: selected %d, want %d", k.key, got, k.want)
		}
	}
	r.c.SetLang(i18n.EN)
	t.Cleanup(func() { r.c.cat.SetLang(i18n.ZH) })
	if got, want := tabs.Items[1].Text, "F4 Redemption history"; got != want {
		t.Errorf("after switch: got %q, want %q", got, want)
	}
	if got, want := tabs.Items[0].Text, "Counter"; got != want {
		t.Errorf("after switch: got %q, want %q", got, want)
	}
}

// The manager tab puts the cursor in the gate's name field (no mouse needed); back on the
// counter nothing holds focus, so scans land on the window again.
func TestManagerTabFocusesTheGate(t *testing.T) {
	r := newRig(t, func(o *Options) {
		o.Office = &office.Deps{Journal: fakeJournal{}, Auth: fakeAuth{}}
	})
	r.key(fyne.KeyF8)
	f := r.win.Canvas().Focused()
	e, ok := f.(*widget.Entry)
	if !ok || e.PlaceHolder != r.c.t("office.gate.name") {
		t.Fatalf("focused after F8: %T, want the gate's name entry", f)
	}
	r.c.backToReady() // a success hold ending in the background
	if got := r.win.Canvas().Focused(); got != f {
		t.Errorf("the counter took focus from the manager tab: now %T", got)
	}
	r.key(fyne.KeyEscape)
	if f := r.win.Canvas().Focused(); f != nil {
		t.Errorf("focused on the counter: %T, want nothing (scans land on the window)", f)
	}
}
