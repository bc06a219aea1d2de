package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
)

// BenchmarkScanToCardPanel measures the counter's own share of "Enter of a scan → card panel":
// the wedge decides on Enter, the lookup runs on its goroutine (a fake Redeemer that answers at
// once), and the card panel's widgets are filled. The real figure adds one lookup round trip.
func BenchmarkScanToCardPanel(b *testing.B) { benchScan(b, false) }

// BenchmarkScanToCardPanelPainted adds one software paint of the whole 1280×800 window (Fyne's
// test painter; the GL driver paints on the GPU and is faster).
func BenchmarkScanToCardPanelPainted(b *testing.B) { benchScan(b, true) }

func benchScan(b *testing.B, paint bool) {
	r := newRig(b, nil)
	runes := []rune("100000000001")
	on := r.win.Canvas().OnTypedRune()
	for b.Loop() {
		for i, ch := range runes {
			on(ch)
			if i%3 == 2 {
				r.clk.Advance(16700 * time.Microsecond)
			}
		}
		r.key(fyne.KeyReturn)
		r.wait(StatePreview)
		if paint {
			r.win.Canvas().Capture()
		}
		b.StopTimer()
		r.key(fyne.KeyEscape)
		r.clk.Advance(time.Second)
		b.StartTimer()
	}
}
