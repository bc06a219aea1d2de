package office

import (
	"context"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cardpos/cardpos/auth"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/ui/uithread"
)

// Manager is the manager area: a PIN gate, then tabs for the card catalog, campaigns and
// settings. On a first run, when no manager exists, the gate sets the first manager's PIN
// instead and says so. A users tab follows when Auth is also a UserAdmin. Lock returns to the
// gate.
type Manager struct {
	screen
	session *auth.Session
	first   bool // no manager exists yet
	checked bool // NeedsFirstManager has answered
	gateMsg string
	tab     int

	name, pin, repeat *widget.Entry
	onlyManager       string // prefilled in the gate when the shop has exactly one manager
	submit            *widget.Button
	msg               *widget.Label
	tabs              *container.AppTabs

	catalog   *catalogView
	campaigns *campaignView
	settings  *settingsView
	users     *usersView // nil when Auth cannot manage users

	idleMu sync.Mutex
	idle   *time.Timer // locks the area after Deps.ManagerIdle without an action
}

// NewManager builds the manager area, showing the gate.
func NewManager(d Deps) *Manager {
	m := &Manager{screen: newScreen(d)}
	m.screen.touch = func() {
		if m.session != nil {
			m.Touch()
		}
	}
	m.build()
	m.checkFirst()
	return m
}

// Refresh re-renders the words in the current language.
func (m *Manager) Refresh() { m.build() }

// Session returns the signed-in manager, if any.
func (m *Manager) Session() (auth.Session, bool) {
	if m.session == nil {
		return auth.Session{}, false
	}
	return *m.session, true
}

// Lock signs the manager out and shows the gate again.
func (m *Manager) Lock() {
	m.stopIdle()
	m.catalog, m.campaigns, m.settings, m.users = nil, nil, nil, nil
	m.session = nil
	m.gateMsg = ""
	m.build()
}

// Unlocked reports whether the manager tabs are showing.
func (m *Manager) Unlocked() bool { return m.session != nil }

// lockoutRules is what an Authenticator may also tell (*auth.Service does): when wrong PINs lock.
type lockoutRules interface {
	Lockout() (failures int, lock time.Duration)
}

// lockoutArgs fills the gate's hint with the authenticator's own lockout rules (5 and 5 minutes
// when it does not say).
func (m *Manager) lockoutArgs() map[string]any {
	n, d := 5, 5*time.Minute
	if lr, ok := m.d.Auth.(lockoutRules); ok {
		n, d = lr.Lockout()
	}
	return map[string]any{"N": n, "Minutes": int(d.Round(time.Minute) / time.Minute)}
}

// userLister is what an Authenticator may also offer (*auth.Service does): the people who sign in.
type userLister interface {
	Users(ctx context.Context) ([]storage.User, error)
}

// gateInfo is what the gate needs to know before it is drawn.
type gateInfo struct {
	first bool   // no manager yet: the gate sets the first one
	only  string // the one manager's name when there is exactly one, "" otherwise
}

func (m *Manager) checkFirst() {
	run(&m.screen, m.d.Timeout, func(ctx context.Context) (gateInfo, error) {
		var g gateInfo
		first, err := m.d.Auth.NeedsFirstManager(ctx)
		if err != nil {
			return g, err
		}
		g.first = first
		if ul, ok := m.d.Auth.(userLister); ok && !first {
			if users, err := ul.Users(ctx); err == nil {
				var managers []string
				for _, u := range users {
					if u.Role == string(auth.RoleManager) {
						managers = append(managers, u.Name)
					}
				}
				if len(managers) == 1 {
					g.only = managers[0]
				}
			}
		}
		return g, nil
	}, func(g gateInfo, err error) {
		if err != nil {
			m.gateMsg = m.errText("gate", err)
		} else {
			m.first, m.onlyManager, m.checked = g.first, g.only, true
		}
		if m.session == nil {
			m.build()
		}
	})
}

func (m *Manager) build() {
	if m.session != nil {
		m.buildTabs()
		return
	}
	m.name = widget.NewEntry()
	m.name.SetPlaceHolder(m.t("office.gate.name"))
	if !m.first && m.onlyManager != "" {
		// A shop with one manager: the name is filled in, so only the PIN is typed (no IME).
		m.name.SetText(m.onlyManager)
	}
	m.pin = widget.NewPasswordEntry()
	m.pin.SetPlaceHolder(m.t("office.gate.pin"))
	m.repeat = widget.NewPasswordEntry()
	m.repeat.SetPlaceHolder(m.t("office.gate.repeat"))
	m.msg = widget.NewLabel(m.gateMsg)
	m.msg.Wrapping = fyne.TextWrapWord
	m.name.OnSubmitted = func(string) { m.focus(m.pin) }
	var title, hint string
	var fields []fyne.CanvasObject
	if m.first {
		title, hint = m.t("office.gate.first_title"), m.t("office.gate.first_hint")
		m.submit = widget.NewButton(m.t("office.gate.set_first"), func() { m.SetFirst(m.name.Text, m.pin.Text, m.repeat.Text) })
		m.pin.OnSubmitted = func(string) { m.focus(m.repeat) }
		m.repeat.OnSubmitted = func(string) { m.SetFirst(m.name.Text, m.pin.Text, m.repeat.Text) }
		fields = []fyne.CanvasObject{m.name, m.pin, m.repeat}
	} else {
		title, hint = m.t("office.gate.title"), m.t("office.gate.hint", m.lockoutArgs())
		m.submit = widget.NewButton(m.t("office.gate.enter"), func() { m.SignIn(m.name.Text, m.pin.Text) })
		m.pin.OnSubmitted = func(string) { m.SignIn(m.name.Text, m.pin.Text) }
		fields = []fyne.CanvasObject{m.name, m.pin}
	}
	if !m.checked {
		m.submit.Disable()
	}
	m.submit.Importance = widget.HighImportance
	box := container.NewVBox(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabel(hint))
	box.Objects = append(box.Objects, fields...)
	box.Objects = append(box.Objects, m.submit, m.msg)
	m.set(container.NewCenter(container.NewGridWrap(fyne.NewSize(420, box.MinSize().Height), box)))
}

// Shown puts the cursor in the gate's first field when the manager tab opens, so a manager
// signs in without the mouse.
func (m *Manager) Shown() {
	// Queued, not direct: the tab shows its content after OnSelected returns, and Fyne ignores
	// focus on a widget that is still hidden.
	uithread.Do(func() {
		switch {
		case m.session != nil || m.name == nil:
		case m.name.Text != "" && !m.first:
			m.focus(m.pin)
		default:
			m.focus(m.name)
		}
	})
}

func (m *Manager) focus(o fyne.Focusable) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(m.root); c != nil {
		c.Focus(o)
	}
}

// SignIn checks a manager's name and PIN, as the gate's button does.
func (m *Manager) SignIn(name, pin string) {
	name = strings.TrimSpace(name)
	if m.pin != nil {
		m.pin.SetText("")
	}
	m.submit.Disable()
	run(&m.screen, m.d.Timeout, func(ctx context.Context) (auth.Session, error) {
		return m.d.Auth.SignInManager(ctx, name, pin)
	}, m.entered)
}

// SetFirst creates the first manager (first run only), as the gate's button does.
func (m *Manager) SetFirst(name, pin, repeat string) {
	name = strings.TrimSpace(name)
	if pin != repeat {
		m.gateMsg = m.t("office.gate.mismatch")
		m.msg.SetText(m.gateMsg)
		return
	}
	m.submit.Disable()
	run(&m.screen, m.d.Timeout, func(ctx context.Context) (auth.Session, error) {
		return m.d.Auth.SetFirstManager(ctx, name, pin)
	}, m.entered)
}

func (m *Manager) entered(sess auth.Session, err error) {
	if err != nil {
		m.gateMsg = m.errText("gate", err)
		m.submit.Enable()
		m.msg.SetText(m.gateMsg)
		return
	}
	m.session = &sess
	m.gateMsg = ""
	m.first = false
	m.build()
	m.Touch()
}

// Touch restarts the idle clock; the manager tabs call it on every action. After
// Deps.ManagerIdle (5 minutes if zero) without one, the area locks itself. The timer belongs to
// the Manager: Lock and Close stop it, and it hands the lock to Fyne's goroutine.
func (m *Manager) Touch() {
	d := m.d.ManagerIdle
	if d == 0 {
		d = 5 * time.Minute
	}
	if d < 0 {
		return
	}
	m.idleMu.Lock()
	defer m.idleMu.Unlock()
	if m.idle != nil {
		m.idle.Stop()
	}
	m.idle = time.AfterFunc(d, func() {
		if m.ctx.Err() == nil {
			uithread.Do(func() {
				if m.session != nil {
					m.Lock()
				}
			})
		}
	})
}

func (m *Manager) stopIdle() {
	m.idleMu.Lock()
	defer m.idleMu.Unlock()
	if m.idle != nil {
		m.idle.Stop()
		m.idle = nil
	}
}

// Close stops the manager area's background work and its idle clock.
func (m *Manager) Close() {
	m.stopIdle()
	m.screen.Close()
}

// Tab selects tab i (0 catalog, 1 campaigns, 2 settings, 3 users) when unlocked.
func (m *Manager) Tab(i int) {
	if m.tabs != nil && i >= 0 && i < len(m.tabs.Items) {
		m.tabs.SelectIndex(i)
	}
}

func (m *Manager) buildTabs() {
	sess := *m.session
	fresh := m.catalog == nil
	if fresh {
		m.catalog = newCatalogView(&m.screen, sess)
		m.campaigns = newCampaignView(&m.screen, sess)
		m.settings = newSettingsView(&m.screen, sess)
		if ua, ok := m.d.Auth.(UserAdmin); ok {
			m.users = newUsersView(&m.screen, ua, sess)
		}
	}
	m.tabs = container.NewAppTabs(
		container.NewTabItem(m.t("office.catalog.title"), m.catalog.build()),
		container.NewTabItem(m.t("office.campaign.title"), m.campaigns.build()),
		container.NewTabItem(m.t("office.settings.title"), m.settings.build()),
	)
	if m.users != nil {
		m.tabs.Append(container.NewTabItem(m.t("office.users.title"), m.users.build()))
	}
	m.tabs.SelectIndex(m.tab)
	m.tabs.OnSelected = func(*container.TabItem) { m.tab = m.tabs.SelectedIndex() }
	lock := widget.NewButton(m.t("office.manager.lock"), m.Lock)
	top := container.NewBorder(nil, nil,
		widget.NewLabelWithStyle(m.t("office.manager.signed_in", map[string]any{"Name": sess.Name}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		lock)
	m.set(container.NewBorder(top, nil, nil, nil, m.tabs))
	if fresh {
		m.catalog.start()
		m.campaigns.start()
		m.settings.start()
		if m.users != nil {
			m.users.start()
		}
	}
}
