package ui

import (
	"github.com/cardpos/cardpos/money"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cardpos/cardpos/redeem"
)

// Theme colour names for icons drawn on the strong result colours.
const (
	colorNameOnStrong fyne.ThemeColorName = "cardpos.onStrong"
	colorNameOnQueued fyne.ThemeColorName = "cardpos.onQueued"
	colorNameOK       fyne.ThemeColorName = "cardpos.ok"
	colorNameWarn     fyne.ThemeColorName = "cardpos.warn"
	colorNameRefused  fyne.ThemeColorName = "cardpos.refused"
)

func newText(size float32, bold bool, c color.Color) *canvas.Text {
	t := canvas.NewText("", c)
	t.TextSize = size
	t.TextStyle.Bold = bold
	return t
}

// setWarning shows s in bold warning colour, wrapped to the panel's width; "" hides it.
func setWarning(rt *widget.RichText, s string) {
	if s == "" {
		rt.Segments = nil
		rt.Hide()
		return
	}
	if len(rt.Segments) == 1 {
		if seg, ok := rt.Segments[0].(*widget.TextSegment); ok && seg.Text == s && rt.Visible() {
			return
		}
	}
	rt.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: s, Style: widget.RichTextStyle{
		ColorName: colorNameWarn, TextStyle: fyne.TextStyle{Bold: true}, Inline: true, SizeName: theme.SizeNameText,
	}}}
	rt.Show()
	rt.Refresh()
}

func setText(t *canvas.Text, s string) {
	if t.Text != s {
		t.Text = s
		t.Refresh()
	}
}

// cardPanel is the large card shown after a lookup: title, type and value, validity, masked
// code with the last four large, status, notes, and the Enter/Esc buttons.
type cardPanel struct {
	content  *fyne.Container
	title    *canvas.Text
	brand    *canvas.Text
	value    *canvas.Text
	face     *canvas.Text
	validity *canvas.Text
	warn     *canvas.Text
	codeHead *canvas.Text
	codeTail *canvas.Text
	status   *canvas.Text
	offline  *widget.RichText // wraps: the offline warning is a sentence, not a word
	notice   *widget.Label
	redeem   *keyButton
	cancel   *keyButton
	busy     *widget.ProgressBarInfinite
}

func newCardPanel(c *Counter) *cardPanel {
	p := &cardPanel{
		title:    newText(SizeCardTitle, true, ColorText),
		brand:    newText(SizeBody, false, ColorSubtle),
		value:    newText(26, true, ColorText),
		face:     newText(SizeBody, false, ColorText),
		validity: newText(SizeBody, false, ColorText),
		warn:     newText(SizeBody, true, ColorWarnText),
		codeHead: newText(24, false, ColorSubtle),
		codeTail: newText(SizeCodeEnd, true, ColorText),
		status:   newText(SizeBody, false, ColorText),
		offline:  widget.NewRichText(),
		notice:   widget.NewLabel(""),
	}
	p.codeHead.TextStyle.Monospace = true
	p.codeTail.TextStyle.Monospace = true
	p.notice.Wrapping = fyne.TextWrapWord
	p.offline.Wrapping = fyne.TextWrapWord
	p.redeem = newKeyButton(c, theme.ConfirmIcon(), nil)
	p.redeem.Importance = widget.HighImportance
	p.cancel = newKeyButton(c, theme.CancelIcon(), nil)
	p.busy = widget.NewProgressBarInfinite()
	p.busy.Hide()
	code := container.NewHBox(container.NewCenter(p.codeHead), p.codeTail)
	body := container.NewVBox(
		p.title, p.brand, p.value, p.face,
		container.NewHBox(p.validity, p.warn),
		code, p.status, p.offline, p.notice,
	)
	buttons := container.NewVBox(p.busy, container.NewGridWithColumns(2, p.redeem, p.cancel))
	bg := canvas.NewRectangle(ColorPanel)
	bg.StrokeColor = color.NRGBA{R: 0xc8, G: 0xc8, B: 0xc8, A: 0xff}
	bg.StrokeWidth = 2
	bg.CornerRadius = 8
	p.content = container.NewStack(bg, container.NewPadded(container.NewBorder(nil, buttons, nil, nil, container.NewVScroll(body))))
	return p
}

func (p *cardPanel) render(c *Counter, pv *redeem.Preview, redeeming bool) {
	if pv == nil {
		return
	}
	setText(p.title, pv.Title)
	setText(p.brand, pv.Brand)
	typ := c.msg(redeem.CardTypeMessage(pv.CardType))
	if v := c.msg(pv.Value); v != "" {
		typ += " · " + v
	}
	setText(p.value, typ)
	if pv.FaceValue > 0 {
		setText(p.face, c.t("ui.card.face", map[string]any{"Yuan": money.Fixed(pv.FaceValue)}))
	} else {
		setText(p.face, "")
	}
	setText(p.validity, validityText(c, pv.ValidFrom, pv.ValidTo))
	setText(p.warn, validityWarning(c, pv.ValidTo, c.now()))
	head, tail := splitMasked(pv.MaskedCode, pv.Code)
	setText(p.codeHead, head)
	setText(p.codeTail, tail)
	status := c.t("ui.card.status", map[string]any{"Status": c.msg(redeem.StatusMessage(pv.Status))})
	setText(p.status, status)
	warn := ""
	if pv.Offline {
		warn = c.t("ui.card.offline")
	}
	if r := c.msg(pv.Reason); r != "" {
		if warn != "" {
			warn += " "
		}
		warn += r
	}
	setWarning(p.offline, warn)
	if pv.Notice != "" {
		p.notice.SetText(c.t("ui.card.notice", map[string]any{"Notice": pv.Notice}))
		p.notice.Show()
	} else {
		p.notice.Hide()
	}
	if redeeming {
		p.redeem.SetText(c.t("ui.busy.redeeming"))
		p.redeem.Disable()
		p.cancel.Disable()
		p.busy.Show()
	} else {
		p.redeem.SetText(c.t("ui.key.redeem"))
		p.redeem.Enable()
		p.cancel.Enable()
		p.busy.Hide()
	}
	p.cancel.SetText(c.t("ui.key.cancel"))
	p.redeem.OnTapped = func() { c.Confirm(); c.focusNothing() }
	p.cancel.OnTapped = func() { c.Cancel(); c.focusNothing() }
}

func validityText(c *Counter, from, to int64) string {
	day := func(s int64) string { return time.Unix(s, 0).Local().Format("2006-01-02") }
	switch {
	case to == 0:
		return c.t("ui.card.valid_forever")
	case from == 0:
		return c.t("ui.card.valid_until", map[string]any{"To": day(to)})
	}
	return c.t("ui.card.valid_range", map[string]any{"From": day(from), "To": day(to)})
}

// validityWarning says "ends today" or "N days left" when the validity ends within three days,
// counted in local calendar days.
func validityWarning(c *Counter, to int64, now time.Time) string {
	if to == 0 {
		return ""
	}
	end := time.Unix(to, 0).Local()
	now = now.Local()
	if end.Before(now) {
		return c.t("ui.card.ended")
	}
	d0 := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local)
	d1 := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.Local)
	days := int(d1.Sub(d0).Hours()/24 + 0.5)
	switch {
	case days <= 0:
		return c.t("ui.card.ends_today")
	case days <= 3:
		return c.t("ui.card.ends_soon", map[string]any{"Days": days})
	}
	return ""
}

// resultPanel fills the panel with the result: icon, big word, colour, and for a refusal the
// reason and what to tell the customer.
type resultPanel struct {
	content *fyne.Container
	bg      *canvas.Rectangle
	flash   *canvas.Rectangle
	icon    *widget.Icon
	word    *canvas.Text
	title   *canvas.Text
	code    *canvas.Text
	reason  *canvas.Text
	tell    *canvas.Text
	next    *canvas.Text
	ok      *keyButton
	base    color.NRGBA
}

func newResultPanel(c *Counter) *resultPanel {
	p := &resultPanel{
		bg:     canvas.NewRectangle(ColorOK),
		flash:  canvas.NewRectangle(color.Transparent),
		icon:   widget.NewIcon(theme.ConfirmIcon()),
		word:   newText(SizeResultWord, true, ColorOnStrong),
		title:  newText(SizeCardTitle, false, ColorOnStrong),
		code:   newText(SizeCodeEnd, true, ColorOnStrong),
		reason: newText(24, true, ColorOnStrong),
		tell:   newText(22, false, ColorOnStrong),
		next:   newText(SizeBody, false, ColorOnStrong),
		ok:     newKeyButton(c, nil, nil),
	}
	for _, t := range []*canvas.Text{p.word, p.title, p.code, p.reason, p.tell, p.next} {
		t.Alignment = fyne.TextAlignCenter
	}
	p.code.TextStyle.Monospace = true
	p.flash.StrokeWidth = 10
	p.bg.CornerRadius = 8
	icon := container.NewCenter(container.NewGridWrap(fyne.NewSize(120, 120), p.icon))
	body := container.NewVBox(layoutSpacer(16), icon, p.word, p.title, p.code, p.reason, p.tell, layoutSpacer(8), p.next,
		container.NewCenter(container.NewGridWrap(fyne.NewSize(320, SizeButtonMin+8), p.ok)))
	p.content = container.NewStack(p.bg, p.flash, container.NewPadded(body))
	return p
}

func (p *resultPanel) render(c *Counter, r result) {
	fg := color.Color(ColorOnStrong)
	var icon fyne.Resource
	iconColor := colorNameOnStrong
	switch r.verdict {
	case VerdictRedeemed:
		p.base, icon = ColorOK, theme.ConfirmIcon()
	case VerdictQueued:
		p.base, icon, fg, iconColor = ColorQueued, theme.HistoryIcon(), ColorOnQueued, colorNameOnQueued
	default:
		p.base, icon = ColorRefused, theme.CancelIcon()
	}
	p.bg.FillColor = p.base
	p.bg.Refresh()
	p.icon.SetResource(theme.NewColoredResource(icon, iconColor))
	for _, t := range []*canvas.Text{p.word, p.title, p.code, p.reason, p.tell, p.next} {
		t.Color = fg
	}
	setText(p.word, c.t(r.word))
	setText(p.title, r.title)
	if r.last4 != "" {
		setText(p.code, c.t("ui.result.code_end", map[string]any{"Last4": r.last4}))
	} else {
		setText(p.code, "")
	}
	setText(p.reason, c.msg(r.reason))
	if r.advice.Key != "" {
		setText(p.tell, c.msg(r.advice))
	} else if r.tell != "" {
		setText(p.tell, c.t(r.tell))
	} else {
		setText(p.tell, "")
	}
	for _, t := range []*canvas.Text{p.word, p.title, p.code, p.reason, p.tell, p.next} {
		t.Refresh()
	}
	switch r.verdict {
	case VerdictRedeemed:
		setText(p.next, c.t("ui.result.auto_back"))
		p.ok.SetText(c.t("ui.key.next"))
	case VerdictQueued:
		setText(p.next, c.t("ui.result.queued_next"))
		p.ok.SetText(c.t("ui.key.next"))
	default:
		setText(p.next, c.t("ui.result.ack"))
		p.ok.SetText(c.t("ui.key.ack"))
	}
	p.ok.OnTapped = func() { c.Confirm(); c.focusNothing() }
}

// pulse flashes a bright frame around the result for a moment: the visual beep.
func (p *resultPanel) pulse() {
	start := color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	if p.base == ColorQueued {
		start = color.NRGBA{R: 0x1f, G: 0x1f, B: 0x1f, A: 0xff}
	}
	end := color.NRGBA{R: start.R, G: start.G, B: start.B, A: 0}
	a := canvas.NewColorRGBAAnimation(start, end, 600*time.Millisecond, func(c color.Color) {
		p.flash.StrokeColor = c
		p.flash.Refresh()
	})
	a.Start()
}
