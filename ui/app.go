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
			a.Quit()
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
}

// NewShell builds the counter and the tabs into win and installs the close guard. It is what
// Run shows and what tests drive.
func NewShell(opts Options, win fyne.Window) *Shell {
	return newShell(opts, win, hooks{})
}

func newShell(opts Options, win fyne.Window, h hooks) *Shell {
	c := newCounter(opts, win, h)
	s := &shell{c: c, win: win, screens: opts.Screens}
	c.status.shell = s
	if len(opts.Screens) == 0 {
		win.SetContent(c.CanvasObject())
	} else {
		s.counterTab = container.NewTabItem("", c.CanvasObject())
		s.tabs = container.NewAppTabs(s.counterTab)
		for _, sc := range opts.Screens {
			it := container.NewTabItem("", sc.Content)
			s.items = append(s.items, it)
			s.tabs.Append(it)
			if sc.Key == fyne.KeyF4 {
				c.actions.history.Show()
			}
		}
		s.tabs.OnSelected = func(*container.TabItem) { c.focusNothing() }
		win.SetContent(s.tabs)
	}
	s.renderTexts()
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

// Close stops the counter's goroutines.
func (sh *Shell) Close() { sh.Counter.Close() }

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

func (s *shell) renderTexts() {
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
		if sc.Refresh != nil {
			sc.Refresh()
		}
	}
	s.tabs.Refresh()
}
