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
	for b.Loop() {
		r.typeOnCanvas("100000000001", func(i int) time.Duration {
			if i%3 == 2 {
				return 16700 * time.Microsecond
			}
			return 0
		})
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
