package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/scanner"
	"github.com/cardpos/cardpos/wxapi"
)

// scannerPace is the average time per character under which a burst typed into the manual
// entry field is taken as a scanner's (a person types at 80–150 ms per character).
const scannerPace = 30 * time.Millisecond

// manualEntry is the F1 field. It submits on Enter with the same flow as a scan, recognises a
// scanner burst typed into it by its pace, and lets go of focus after submitting.
type manualEntry struct {
	widget.Entry
	c     *Counter
	first time.Time
	last  time.Time
	runes int
	human bool // the text came from a person typing on the bare window
}

func newManualEntry(c *Counter) *manualEntry {
	e := &manualEntry{c: c}
	e.ExtendBaseWidget(e)
	return e
}

// TypedRune records the pace of the typing and hands the rune to the field.
func (e *manualEntry) TypedRune(r rune) {
	now := e.c.now()
	if e.runes == 0 || e.Text == "" {
		e.first, e.runes = now, 0
	}
	e.last = now
	e.runes++
	e.Entry.TypedRune(r)
}

// TypedKey submits on Enter, closes the field on Esc, runs the function keys, and gives every
// other key to the field.
func (e *manualEntry) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		e.submit()
	case fyne.KeyEscape:
		e.c.HideManual()
	case fyne.KeyF1, fyne.KeyF2, fyne.KeyF3, fyne.KeyF4, fyne.KeyF5, fyne.KeyF6, fyne.KeyF7, fyne.KeyF8,
		fyne.KeyF9, fyne.KeyF10, fyne.KeyF11, fyne.KeyF12:
		e.c.HideManual()
		e.c.Shortcut(ev.Name)
	default:
		e.Entry.TypedKey(ev)
	}
}

// source says whether the text in the field was typed by a person or by a scanner.
func (e *manualEntry) source() scanner.Source {
	if e.human {
		return scanner.SourceTyped
	}
	if e.runes >= 3 && len([]rune(e.Text)) == e.runes {
		if e.last.Sub(e.first)/time.Duration(e.runes-1) < scannerPace {
			return scanner.SourceWedge
		}
	}
	return scanner.SourceTyped
}

func (e *manualEntry) submit() {
	text, src := e.Text, e.source()
	e.runes, e.human = 0, false
	e.c.HideManual()
	if text == "" {
		return
	}
	e.c.HandleScan(scanner.Event{Text: text, Source: src, At: e.c.now()})
}

// actionBar is the row of buttons along the bottom, each with its key printed on it.
type actionBar struct {
	c       *Counter
	content *fyne.Container
	manual  *keyButton
	camera  *keyButton
	history *keyButton
	sync    *keyButton
	signOut *keyButton
}

func newActionBar(c *Counter) *actionBar {
	a := &actionBar{c: c}
	tap := func(f func()) func() { return func() { f(); c.focusNothing() } }
	a.manual = newKeyButton(c, nil, func() { c.ShowManual() })
	a.camera = newKeyButton(c, nil, tap(c.ToggleCamera))
	a.history = newKeyButton(c, nil, tap(func() { c.Shortcut(fyne.KeyF4) }))
	a.sync = newKeyButton(c, nil, tap(c.SyncNow))
	a.signOut = newKeyButton(c, nil, tap(func() { c.SignOut() }))
	if c.opts.Camera == nil {
		a.camera.Hide()
	}
	a.history.Hide() // shown by the shell when a screen answers F4
	if c.opts.SignOut == nil {
		a.signOut.Hide()
	}
	a.content = container.NewPadded(container.NewGridWithRows(1, a.manual, a.camera, a.history, a.sync, a.signOut))
	return a
}

func (a *actionBar) render() {
	c := a.c
	a.manual.SetText(c.t("ui.key.manual"))
	if c.cam.running() {
		a.camera.SetText(c.t("ui.key.camera_off"))
	} else {
		a.camera.SetText(c.t("ui.key.camera"))
	}
	a.history.SetText(c.t("ui.key.history"))
	a.sync.SetText(c.t("ui.key.sync"))
	a.signOut.SetText(c.t("ui.key.sign_out"))
}

// sampleList shows the emulator's sample codes in training mode; a tap tries one.
type sampleList struct {
	c       *Counter
	content *fyne.Container
	header  *widget.Label
	rows    []*sampleRow
}

type sampleRow struct {
	s      Sample
	button *keyButton
	note   *widget.Label
}

func newSampleList(c *Counter) *sampleList {
	l := &sampleList{c: c, header: widget.NewLabel("")}
	l.header.TextStyle.Bold = true
	box := container.NewVBox(l.header)
	for _, s := range c.opts.Samples {
		s := s
		r := &sampleRow{s: s, note: widget.NewLabel("")}
		r.note.Wrapping = fyne.TextWrapWord
		r.button = newKeyButton(c, nil, func() {
			c.focusNothing()
			c.HandleScan(scanner.Event{Text: s.Code, Source: scanner.SourceTyped, At: c.now()})
		})
		r.button.Alignment = widget.ButtonAlignLeading
		l.rows = append(l.rows, r)
		box.Add(r.button)
		box.Add(r.note)
	}
	l.content = container.NewStack(container.NewVScroll(box))
	return l
}

func (l *sampleList) render() {
	c := l.c
	l.header.SetText(c.t("ui.samples.header"))
	for _, r := range l.rows {
		r.button.SetText(c.t("ui.samples.row", map[string]any{
			"Code": r.s.Code, "Title": r.s.Title,
			"Type": c.msg(redeem.CardTypeMessage(wxapi.CardType(r.s.CardType))), "Status": c.msg(redeem.StatusMessage(wxapi.CodeStatus(r.s.Status))),
		}))
		r.note.SetText(c.t(r.s.Note)) // a translation key from the emulator; plain text passes through
		if r.s.Note == "" {
			r.note.Hide()
		}
	}
}

// keyButton is a button that keeps the counter ready to scan while it has keyboard focus (after
// Tab, which Fyne shows with the focus colour): runes and keys go the same way as on the bare
// window, so a scanner burst still reaches the wedge; Space, or an Enter that did not end a
// scan, taps the button.
type keyButton struct {
	widget.Button
	c *Counter
}

func newKeyButton(c *Counter, icon fyne.Resource, tapped func()) *keyButton {
	b := &keyButton{c: c}
	b.Icon = icon
	b.OnTapped = tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedRune hands the rune to the wedge, as the bare window does.
func (b *keyButton) TypedRune(r rune) { b.c.wedge.Rune(r, b.c.now()) }

// TypedKey taps the button on Space or on an Enter that did not end a scan, runs the counter's
// other keys, and lets Tab move on.
func (b *keyButton) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeySpace:
		b.Button.TypedKey(ev)
		return
	case fyne.KeyReturn, fyne.KeyEnter:
		if !b.c.wedgeKey(ev.Name) && !b.Disabled() && b.OnTapped != nil {
			b.OnTapped()
		}
		return
	}
	if b.c.wedgeKey(ev.Name) {
		return
	}
	b.c.Shortcut(ev.Name)
}
