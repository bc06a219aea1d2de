package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/cardpos/cardpos/assets"
)

// The sizes of the counter screen, in Fyne's device-independent pixels (counter-ux.md §12).
const (
	SizeResultWord float32 = 56 // ✓ 核销成功 and the other result words
	SizeCardTitle  float32 = 30 // the card title on the card panel
	SizeCodeEnd    float32 = 40 // the last four characters of the code, monospace
	SizeBody       float32 = 18 // body text
	SizePrompt     float32 = 36 // the idle "scan now" prompt
	SizeButtonMin  float32 = 48 // the least height of a button
)

// The colours that carry the result states. Each is paired with a text colour and always shown
// beside an icon and a word, never alone. TestContrast checks every pair is at least 4.5:1.
var (
	ColorOK        = color.NRGBA{R: 0x1b, G: 0x6e, B: 0x35, A: 0xff} // redeemed: white text on dark green
	ColorRefused   = color.NRGBA{R: 0xb0, G: 0x1e, B: 0x1e, A: 0xff} // rejected: white text on dark red
	ColorQueued    = color.NRGBA{R: 0xff, G: 0xc1, B: 0x07, A: 0xff} // queued offline: dark text on amber
	ColorOnStrong  = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	ColorOnQueued  = color.NRGBA{R: 0x1f, G: 0x1f, B: 0x1f, A: 0xff}
	ColorText      = color.NRGBA{R: 0x1a, G: 0x1a, B: 0x1a, A: 0xff}
	ColorSubtle    = color.NRGBA{R: 0x4a, G: 0x4a, B: 0x4a, A: 0xff} // secondary text on white, ≈ 8.9:1
	ColorWarnText  = color.NRGBA{R: 0x8a, G: 0x4b, B: 0x00, A: 0xff} // "ends today" on white, ≈ 6.5:1
	ColorPanel     = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	ColorTraining  = color.NRGBA{R: 0x5b, G: 0x21, B: 0xb6, A: 0xff} // training banner: white on violet
	ColorFocusRing = color.NRGBA{R: 0x00, G: 0x5f, B: 0xcc, A: 0xff}
)

// Theme is CardPOS's look: Fyne's light theme with the bundled CJK font for every text style but
// monospace, larger text and padding so that buttons are at least 48 px high, and a strong focus
// colour so that keyboard focus is visible. It ignores the system's dark mode so that the result
// colours keep their tested contrast.
type Theme struct {
	base fyne.Theme
	font fyne.Resource
}

// NewTheme returns the CardPOS theme.
func NewTheme() *Theme {
	return &Theme{
		base: theme.DefaultTheme(),
		font: fyne.NewStaticResource("wqy-microhei.ttf", assets.FontRegular),
	}
}

// Color returns the light variant of Fyne's colours, with a stronger focus and text colour.
func (t *Theme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNameFocus:
		return ColorFocusRing
	case theme.ColorNameForeground:
		return ColorText
	case theme.ColorNamePlaceHolder:
		return ColorSubtle
	case colorNameOnStrong:
		return ColorOnStrong
	case colorNameOnQueued:
		return ColorOnQueued
	case colorNameOK:
		return ColorOK
	case colorNameWarn:
		return ColorWarnText
	case colorNameRefused:
		return ColorRefused
	}
	return t.base.Color(n, theme.VariantLight)
}

// Font returns the CJK font for regular, bold and italic text and Fyne's monospace font for
// monospace (the code ending), which has clear digits.
func (t *Theme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return t.base.Font(s)
	}
	return t.font
}

// Icon returns Fyne's icons.
func (t *Theme) Icon(n fyne.ThemeIconName) fyne.Resource {
	return t.base.Icon(n)
}

// Size returns the counter sizes: body text 18, headings 28, and padding that makes a
// single-line button at least SizeButtonMin high.
func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return SizeBody
	case theme.SizeNameHeadingText:
		return 28
	case theme.SizeNameSubHeadingText:
		return 22
	case theme.SizeNameCaptionText:
		return 15
	case theme.SizeNameInnerPadding:
		return 14
	case theme.SizeNameInlineIcon:
		return 24
	case theme.SizeNameInputBorder:
		return 2
	}
	return t.base.Size(n)
}
