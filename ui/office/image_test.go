//go:build ci

package office

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/cardpos/cardpos/assets"
	"github.com/cardpos/cardpos/auth"
	"github.com/cardpos/cardpos/i18n"
)

// cjkTheme is Fyne's light theme with the bundled CJK font, so golden images show Chinese
// rather than missing-glyph boxes. (The app's own theme lives in package ui.)
type cjkTheme struct{ font fyne.Resource }

func (c cjkTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}
func (c cjkTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace {
		return theme.DefaultTheme().Font(s)
	}
	return c.font
}
func (c cjkTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }
func (c cjkTheme) Size(n fyne.ThemeSizeName) float32       { return theme.DefaultTheme().Size(n) }

// TestGoldenImages renders the manager gate and the catalog in Chinese to PNG and compares them
// with testdata/*.png pixel for pixel. A missing CJK glyph, a layout shift or a lost widget
// changes the image.
func TestGoldenImages(t *testing.T) {
	e := newEnv(t, i18n.ZH, true)
	test.ApplyTheme(t, cjkTheme{font: fyne.NewStaticResource("wqy-microhei.ttf", assets.FontRegular)})
	e.d.Window.Resize(fyne.NewSize(960, 620))
	m := NewManager(e.d)
	defer m.Close()
	show(e, m.CanvasObject())
	settle(t, m, "the gate", func() bool { return m.checked })
	test.AssertImageMatches(t, "gate.zh-CN.png", e.d.Window.Canvas().Capture())
	m.SignIn(auth.DemoManager, auth.DemoManagerPIN)
	settle(t, m, "the catalog", func() bool { return m.Unlocked() && len(m.catalog.cards) == 2 })
	m.catalog.list.Select(0)
	test.AssertImageMatches(t, "catalog.zh-CN.png", e.d.Window.Canvas().Capture())
	m.Tab(2)
	settle(t, m, "the settings", func() bool { return m.settings.loaded })
	test.AssertImageMatches(t, "settings.zh-CN.png", e.d.Window.Canvas().Capture())

	h := NewHistory(e.d)
	defer h.Close()
	show(e, h.CanvasObject())
	settle(t, h, "the history", func() bool { return len(h.Shown()) == 4 })
	test.AssertImageMatches(t, "history.zh-CN.png", e.d.Window.Canvas().Capture())

	q := NewQueue(e.d)
	defer q.Close()
	show(e, q.CanvasObject())
	settle(t, q, "the queue", func() bool { return len(q.Rows()) == 2 })
	q.Select(3)
	test.AssertImageMatches(t, "queue.zh-CN.png", e.d.Window.Canvas().Capture())
}
