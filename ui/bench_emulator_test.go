package ui

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
	"github.com/cardpos/cardpos/wxapi/wxsim"
)

// BenchmarkScanToCardPanelEmulator is the time from the Enter of a wedge scan to the filled card
// panel with the real engine against the emulator on loopback (one code/get round trip; the
// catalog is warm, as it is after the start-up refresh). It also reports the bare code/get
// round trip, so the counter's own cost is the difference (goal: one round trip + 30 ms).
func BenchmarkScanToCardPanelEmulator(b *testing.B) {
	sim, err := wxsim.New(wxsim.Options{Seed: "demo"})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	ctx := context.Background()
	db, err := storage.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	wx := wxapi.New(wxapi.Config{BaseURL: srv.URL, AppID: sim.AppID(), Secret: sim.Secret()})
	svc := redeem.New(redeem.Config{WX: wx, DB: db, Terminal: "bench", Policy: redeem.DefaultPolicy(), DuplicateWindow: time.Nanosecond})
	if err := svc.RefreshCatalog(ctx); err != nil {
		b.Fatal(err)
	}
	r := newRig(b, func(o *Options) { o.Redeemer = svc })
	codes := []string{"100000000001", "100000000002", "100000000003", "300000000001", "300000000002"}
	var rtt time.Duration
	i := 0
	for b.Loop() {
		code := codes[i%len(codes)]
		i++
		r.typeOnCanvas(code, func(i int) time.Duration {
			if i%3 == 2 {
				return 16700 * time.Microsecond
			}
			return 0
		})
		r.key(fyne.KeyReturn)
		r.wait(StatePreview)
		b.StopTimer()
		r.key(fyne.KeyEscape)
		r.clk.Advance(6 * time.Second)
		t0 := time.Now()
		if _, err := wx.GetCode(ctx, code, "", false); err != nil {
			b.Fatal(err)
		}
		rtt += time.Since(t0)
		b.StartTimer()
	}
	b.ReportMetric(float64(rtt.Microseconds())/float64(i)/1000, "ms-roundtrip/op")
}
