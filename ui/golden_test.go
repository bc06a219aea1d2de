package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/cardpos/cardpos/redeem"
)

// TestGoldenScreens pins the main counter screens as markup (every screen) and as images (the
// card panel and the three results), in ui/testdata. On a change, Fyne writes the new rendering
// to ui/testdata/failed/: look at it, and copy it over the master when the change is right.
func TestGoldenScreens(t *testing.T) {
	demo := func(o *Options) {
		o.Demo = true
		o.Samples = []Sample{
			{Code: "100000000001", Title: "满100减20代金券", CardType: "CASH", Status: "NORMAL", Note: "可以核销"},
			{Code: "100000000002", Title: "满100减20代金券", CardType: "CASH", Status: "CONSUMED", Note: "已核销过"},
		}
	}
	tests := []struct {
		name    string
		mod     func(*Options)
		outcome redeem.Result
		code    string
		redeem  bool
		image   bool
		prog    *redeem.SyncProgress
	}{
		{name: "ready_demo", mod: demo, image: true},
		{name: "ready_offline_pending", prog: &redeem.SyncProgress{Online: false, Pending: 3, Conflicts: 1}},
		{name: "card_panel", code: "100000000001", image: true},
		{name: "result_redeemed", code: "100000000001", redeem: true, outcome: redeem.ResultRedeemed, image: true},
		{name: "result_queued", code: "100000000001", redeem: true, outcome: redeem.ResultQueued, image: true},
		{name: "result_refused", code: "100000000002", image: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, tt.mod)
			if tt.prog != nil {
				r.red.setProgress(*tt.prog)
				r.until("progress", func() bool { return r.c.Unsynced() == tt.prog.Pending })
			}
			if tt.code != "" {
				if tt.outcome != "" {
					r.red.outcome = tt.outcome
				}
				r.scan(tt.code)
				if tt.redeem {
					r.wait(StatePreview)
					r.key(fyne.KeyReturn)
					r.wait(StateResult)
				} else if tt.code == "100000000002" {
					r.wait(StateResult)
				} else {
					r.wait(StatePreview)
				}
			}
			test.AssertRendersToMarkup(t, "counter_"+tt.name+".xml", r.win.Canvas())
			if tt.image {
				test.AssertRendersToImage(t, "counter_"+tt.name+".png", r.win.Canvas())
			}
		})
	}
}
