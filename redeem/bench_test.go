package redeem

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
	"github.com/cardpos/cardpos/wxapi/wxsim"
)

// BenchmarkOfflineEnqueue measures Redeem of an offline preview: the policy checks against the
// journal and the durable (WAL, synchronous=FULL) insert. It reports p50 and p99 per redemption.
func BenchmarkOfflineEnqueue(b *testing.B) {
	ctx := context.Background()
	db, err := storage.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	pol := DefaultPolicy()
	pol.MaxPending = 0 // no cap: the benchmark queues b.N rows
	// No emulator is needed: the preview is offline already. The client points nowhere.
	svc := New(Config{WX: wxapi.New(wxapi.Config{BaseURL: "http://127.0.0.1:1", AppID: "wx", Secret: "s"}), DB: db, Terminal: "bench", Policy: pol})
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		code := fmt.Sprintf("92%010d", i)
		p := &Preview{Scan: Scan{Text: code, Source: SourceWedge, Cashier: "bench"}, Kind: "code", Code: code,
			CanRedeem: true, Offline: true}
		start := time.Now()
		out, err := svc.Redeem(ctx, p)
		lat = append(lat, time.Since(start))
		if err != nil || out.Result != ResultQueued {
			b.Fatalf("redeem %s: %v %+v", code, err, out)
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkDrain1000 queues 1,000 offline redemptions and measures one Sync draining them
// against the emulator with 100 ms added to every request. Goal: ≤ 30 s, zero duplicates.
func BenchmarkDrain1000(b *testing.B) {
	for _, conc := range []int{8, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			for n := 0; n < b.N; n++ {
				drain(b, conc, 1000)
			}
		})
	}
}

func drain(b *testing.B, conc, n int) {
	b.StopTimer()
	ctx := context.Background()
	sim, err := wxsim.New(wxsim.Options{Seed: "demo"})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	wx := wxapi.New(wxapi.Config{BaseURL: srv.URL, AppID: sim.AppID(), Secret: sim.Secret()})
	info, err := wx.GetCode(ctx, "100000000001", "", false)
	if err != nil {
		b.Fatal(err)
	}
	db, err := storage.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	codes := make([]string, n)
	for i := range codes {
		codes[i] = fmt.Sprintf("93%010d", i)
		if err := sim.AddCode(wxsim.CodeSpec{Code: codes[i], CardID: info.CardID}); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Enqueue(ctx, storage.Redemption{Code: codes[i], CardID: info.CardID, Cashier: "bench"}, 0); err != nil {
			b.Fatal(err)
		}
	}
	sim.SetFaults(wxsim.Faults{Latency: 100 * time.Millisecond})
	svc := New(Config{WX: wx, DB: db, Terminal: "bench", Concurrency: conc})
	b.StartTimer()
	start := time.Now()
	p, err := svc.Sync(ctx)
	took := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	dups, missing := 0, 0
	for _, c := range codes {
		switch sim.Consumes(c) {
		case 0:
			missing++
		case 1:
		default:
			dups++
		}
	}
	if p.Pending != 0 || p.InFlight != 0 || dups != 0 || missing != 0 {
		b.Fatalf("after drain: %+v, %d duplicates, %d not consumed", p, dups, missing)
	}
	b.ReportMetric(took.Seconds(), "drain-s")
	b.ReportMetric(float64(dups), "duplicates")
}
