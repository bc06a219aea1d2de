package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cardpos/cardpos/scanner"
)

// Link is the connection state the status bar shows.
type Link int

// The connection states, each with its own icon, word and colour.
const (
	LinkOnline     Link = iota // 在线: WeChat answered recently
	LinkSyncing                // 同步中
	LinkOffline                // 离线
	LinkSyncFailed             // 同步失败
)

// statusBar is the strip always on screen: connection state, 待同步 N, conflicts, last sync,
// sync progress, who is signed in, terminal, language.
type statusBar struct {
	c         *Counter
	shell     *shell
	content   *fyne.Container
	icon      *widget.Icon
	word      *canvas.Text
	pending   *keyButton
	conflicts *canvas.Text
	lastSync  *canvas.Text
	bar       *widget.ProgressBar
	who       *canvas.Text
	terminal  *canvas.Text
	serial    *canvas.Text // the serial scanner's state; hidden when none is set up
	serialSt  scanner.SerialState
}

func newStatusBar(c *Counter) *statusBar {
	s := &statusBar{
		c:         c,
		icon:      widget.NewIcon(theme.ConfirmIcon()),
		word:      newText(SizeBody, true, ColorOK),
		conflicts: newText(SizeBody, true, ColorRefused),
		lastSync:  newText(SizeBody, false, ColorSubtle),
		bar:       widget.NewProgressBar(),
		who:       newText(SizeBody, false, ColorText),
		terminal:  newText(SizeBody, false, ColorSubtle),
		serial:    newText(SizeBody, false, ColorSubtle),
	}
	s.serial.Hide()
	s.pending = newKeyButton(c, theme.HistoryIcon(), func() {
		if s.shell != nil && s.shell.openQueue() {
			return
		}
		c.SyncNow()
		c.focusNothing()
	})
	s.pending.Importance = widget.WarningImportance
	s.bar.Hide()
	barBox := container.NewGridWrap(fyne.NewSize(160, 28), s.bar)
	bg := canvas.NewRectangle(color.NRGBA{R: 0xf2, G: 0xf2, B: 0xf2, A: 0xff})
	row := container.NewHBox(s.icon, s.word, s.pending, s.conflicts, s.lastSync, container.NewCenter(barBox),
		layout.NewSpacer(), s.serial, s.who, s.terminal, c.langBtn)
	s.content = container.NewStack(bg, container.NewPadded(row))
	return s
}

// link decides the connection state from the progress.
func (s *statusBar) link() Link {
	p := s.c.progress
	switch {
	case p.Running:
		return LinkSyncing
	case !p.Online:
		return LinkOffline
	case p.LastError.Key != "":
		return LinkSyncFailed
	}
	return LinkOnline
}

func (s *statusBar) render() {
	c, p := s.c, s.c.progress
	var icon fyne.Resource
	var name fyne.ThemeColorName
	var word string
	var col color.Color
	switch s.link() {
	case LinkSyncing:
		icon, name, word, col = theme.ViewRefreshIcon(), colorNameWarn, c.t("ui.status.syncing"), ColorWarnText
	case LinkOffline:
		icon, name, word, col = theme.WarningIcon(), colorNameRefused, c.t("ui.status.offline"), ColorRefused
	case LinkSyncFailed:
		icon, name, word, col = theme.ErrorIcon(), colorNameRefused, c.t("ui.status.sync_failed"), ColorRefused
	default:
		icon, name, word, col = theme.ConfirmIcon(), colorNameOK, c.t("ui.status.online"), ColorOK
	}
	s.icon.SetResource(theme.NewColoredResource(icon, name))
	s.word.Color = col
	s.word.Text = word
	s.word.Refresh()
	if n := p.Pending + p.InFlight; n > 0 {
		s.pending.SetText(c.t("ui.status.pending", map[string]any{"N": n}))
		s.pending.Show()
	} else {
		s.pending.Hide()
	}
	if p.Conflicts > 0 {
		setText(s.conflicts, c.t("ui.status.conflicts", map[string]any{"N": p.Conflicts}))
		s.conflicts.Show()
	} else {
		s.conflicts.Hide()
	}
	last := c.t("ui.status.never_synced")
	if !p.LastSync.IsZero() {
		last = c.t("ui.status.last_sync", map[string]any{"Time": p.LastSync.Local().Format("15:04:05")})
	}
	if p.LastError.Key != "" && !p.Running {
		last += " · " + c.msg(p.LastError)
	}
	setText(s.lastSync, last)
	if p.Running {
		total := p.Done + p.Pending + p.InFlight
		if total > 0 {
			s.bar.SetValue(float64(p.Done) / float64(total))
		} else {
			s.bar.SetValue(0)
		}
		s.bar.Show()
	} else {
		s.bar.Hide()
	}
	who := ""
	if c.opts.Cashier != nil {
		who = c.opts.Cashier()
	}
	if who == "" {
		setText(s.who, c.t("ui.status.nobody"))
	} else {
		setText(s.who, c.t("ui.status.cashier", map[string]any{"Name": who}))
	}
	if c.opts.Terminal != "" {
		setText(s.terminal, c.t("ui.status.terminal", map[string]any{"Name": c.opts.Terminal}))
	} else {
		setText(s.terminal, "")
	}
	s.renderSerial()
}

// setSerial shows the serial scanner's state: 扫码枪已连接 (subtle) or 扫码枪未连接 (red).
func (s *statusBar) setSerial(st scanner.SerialState) {
	s.serialSt = st
	s.renderSerial()
}

func (s *statusBar) renderSerial() {
	if s.serialSt == "" {
		s.serial.Hide()
		return
	}
	s.serial.Color = ColorSubtle
	if s.serialSt != scanner.SerialOpen {
		s.serial.Color = ColorRefused
	}
	setText(s.serial, s.c.t("ui.serial."+string(s.serialSt)))
	s.serial.Show()
}
