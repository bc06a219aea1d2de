// Package ui is CardPOS's desktop window (Fyne): the shell with the counter screen as home,
// the status bar, and the back-office screens of ui/office mounted as tabs. It talks to the
// redemption engine through the narrow Redeemer interface, takes scanner input through Wedge and
// Camera, shows words from package i18n, and touches widgets from other goroutines only through
// ui/uithread.
package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"github.com/cardpos/cardpos/assets"
	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/settings"
	"github.com/cardpos/cardpos/ui/office"
	"github.com/cardpos/cardpos/ui/uithread"
)

// AppID is the application id Fyne keeps preferences under.
const AppID = "cn.cardpos.app"

// Run opens the CardPOS window with the counter as home and blocks until the window is closed
// or ctx ends. Closing is refused while redemptions are unsynced.
func Run(ctx context.Context, opts Options) error {
	if err := lang.AddTranslationsFS(assets.Translations, assets.TranslationsDir); err != nil {
		return fmt.Errorf("ui: load translations into fyne: %w", err)
	}
	if opts.Catalog == nil {
		opts.Catalog = i18n.Default()
	}
	a := app.NewWithID(AppID)
	a.Settings().SetTheme(NewTheme())
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	win := a.NewWindow(opts.Catalog.T("app.name"))
	sh := NewShell(opts, win)
	defer sh.Close()
	win.Resize(fyne.NewSize(1280, 800))
	win.SetMaster()

	// This goroutine belongs to Run: it quits the app when ctx ends and returns when Run does.
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			// On Fyne's goroutine: quitting from here raced the event loop, which could still
			// deliver a mouse move to the destroyed window (a crash on SIGTERM).
			uithread.Do(a.Quit)
		case <-done:
		}
	}()
	win.ShowAndRun()
	return ctx.Err()
}

// Shell is the window's content: the counter (home) and the back-office tabs, with the close
// guard that refuses to exit while redemptions are unsynced.
type Shell struct {
	Counter *Counter
	s       *shell
}

type shell struct {
	c          *Counter
	win        fyne.Window
	screens    []Screen
	tabs       *container.AppTabs
	counterTab *container.TabItem
	items      []*container.TabItem
	settle     bool // tests: wait for the screens' background work after each action
}

// NewShell builds the counter and the tabs into win and installs the close guard. It is what
// Run shows and what tests drive.
func NewShell(opts Options, win fyne.Window) *Shell {
	return newShell(opts, win, hooks{})
}

func newShell(opts Options, win fyne.Window, h hooks) *Shell {
	c := newCounter(opts, win, h)
	s := &shell{c: c, win: win, settle: h.waitOffice}
	if opts.Office != nil {
		s.screens = officeScreens(c, *opts.Office, win, h.waitOffice)
	}
	s.screens = append(s.screens, opts.Screens...)
	c.status.shell = s
	if len(s.screens) == 0 {
		win.SetContent(c.CanvasObject())
	} else {
		s.counterTab = container.NewTabItem("", c.CanvasObject())
		s.tabs = container.NewAppTabs(s.counterTab)
		for _, sc := range s.screens {
			it := container.NewTabItem("", sc.Content)
			s.items = append(s.items, it)
			s.tabs.Append(it)
			if sc.Key == fyne.KeyF4 {
				c.actions.history.Show()
			}
		}
		current := -1 // the screen showing; -1 is the counter
		s.tabs.OnSelected = func(it *container.TabItem) {
			c.unfocus()
			if current >= 0 && s.items[current] != it && s.screens[current].Left != nil {
				s.screens[current].Left()
			}
			current = -1
			for i, x := range s.items {
				if x == it {
					current = i
					if s.screens[i].Shown != nil {
						s.screens[i].Shown()
						s.wait(i)
					}
				}
			}
		}
		win.SetContent(s.tabs)
	}
	s.renderTexts(false)
	win.SetCloseIntercept(func() {
		if n := c.Unsynced(); n > 0 {
			s.showCounter()
			c.refuseUnsynced(n)
			d := dialog.NewInformation(c.t("ui.exit.refused_title"), c.t("ui.notice.unsynced", map[string]any{"N": n}), win)
			d.SetOnClosed(c.focusNothing)
			d.Show()
			return
		}
		c.Close()
		win.Close()
	})
	c.focusNothing()
	return &Shell{Counter: c, s: s}
}

// Close stops the counter's goroutines and the back-office screens' work.
func (sh *Shell) Close() {
	sh.Counter.Close()
	for _, sc := range sh.s.screens {
		if sc.Close != nil {
			sc.Close()
		}
	}
}

// officeScreens builds the back-office screens of ui/office on d for win. With wait (tests
// only: Fyne's test driver applies results on the worker goroutine) it lets each screen's first
// load finish before building the next.
func officeScreens(c *Counter, d office.Deps, win fyne.Window, wait bool) []Screen {
	d.Window, d.Catalog = win, c.cat
	if d.Logger == nil {
		d.Logger = c.log
	}
	saved := d.OnSettingsSaved
	d.OnSettingsSaved = func(st settings.Settings) {
		if st.Terminal != "" {
			c.opts.Terminal = st.Terminal
		}
		if st.Lang != "" && st.Lang != c.cat.Lang() {
			c.SetLang(st.Lang)
		} else {
			c.render()
		}
		if saved != nil {
			saved(st)
		}
	}
	h := office.NewHistory(d)
	if wait {
		h.Wait()
	}
	q := office.NewQueue(d)
	if wait {
		q.Wait()
	}
	m := office.NewManager(d)
	if wait {
		m.Wait()
	}
	return []Screen{
		{TitleKey: office.TitleHistory, Key: fyne.KeyF4, Content: h.CanvasObject(), Refresh: h.Refresh, Shown: h.Reload, Close: h.Close, wait: h.Wait},
		{TitleKey: office.TitleQueue, Key: fyne.KeyF6, Content: q.CanvasObject(), Refresh: q.Refresh, Shown: q.Reload, Close: q.Close, Queue: true, wait: q.Wait},
		{TitleKey: office.TitleManager, Key: fyne.KeyF8, Content: m.CanvasObject(), Refresh: m.Refresh, Shown: m.Shown, Left: m.Lock, Close: m.Close, wait: m.Wait},
	}
}

// Tabs is the tab container, nil when no back-office screen is mounted.
func (sh *Shell) Tabs() *container.AppTabs { return sh.s.tabs }

func (s *shell) showCounter() {
	if s.tabs != nil && s.tabs.Selected() != s.counterTab {
		s.tabs.Select(s.counterTab)
	}
}

func (s *shell) onCounter() bool { return s.tabs == nil || s.tabs.Selected() == s.counterTab }

// openKey selects the screen whose key is name; Esc on a back-office screen goes home.
func (s *shell) openKey(name fyne.KeyName) bool {
	for i, sc := range s.screens {
		if sc.Key != "" && sc.Key == name {
			s.tabs.Select(s.items[i])
			return true
		}
	}
	return false
}

func (s *shell) openQueue() bool {
	for i, sc := range s.screens {
		if sc.Queue {
			s.tabs.Select(s.items[i])
			return true
		}
	}
	return false
}

func (s *shell) wait(i int) {
	if s.settle && s.screens[i].wait != nil {
		s.screens[i].wait()
	}
}

// renderTexts puts the words of the current language on the window and the tabs; refresh also
// re-renders the screens (after a language switch).
func (s *shell) renderTexts(refresh bool) {
	s.win.SetTitle(s.c.t("app.name"))
	if s.tabs == nil {
		return
	}
	s.counterTab.Text = s.c.t("ui.tab.counter")
	for i, sc := range s.screens {
		s.items[i].Text = s.c.t(sc.TitleKey)
		if sc.Key != "" {
			s.items[i].Text = string(sc.Key) + " " + s.items[i].Text
		}
		if sc.Refresh != nil && refresh {
			sc.Refresh()
			s.wait(i)
		}
	}
	s.tabs.Refresh()
}
