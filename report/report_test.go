package report

import (
	"bytes"
	"encoding/csv"
	"errors"
	"github.com/cardpos/cardpos/money"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cardpos/cardpos/storage"
)

var t0 = time.Date(2026, 12, 4, 1, 30, 0, 0, time.UTC).UnixMilli() // 09:30 in Shanghai

func rows() []storage.Redemption {
	return []storage.Redemption{
		{ID: 1, Code: "111122223333", CardID: "pCASH", Title: "满100减20", CardType: "CASH", FaceValue: 20_00,
			State: storage.StateRedeemed, Cashier: "收银员", Terminal: "POS-01", CreatedAt: t0, RedeemedAt: t0 + 900, Attempts: 1},
		{ID: 2, Code: "444455556666", CardID: "pCASH", Title: "满100减20", CardType: "CASH", FaceValue: 20_00,
			State: storage.StateQueued, Offline: true, Cashier: "收银员", CreatedAt: t0 + 60_000, LastError: "timeout"},
		{ID: 3, Code: "777788889999", CardID: "pGIFT", Title: "=HYPERLINK(\"x\")", CardType: "GIFT",
			State: storage.StateConflict, Cashier: "amy", CreatedAt: t0 + 120_000, Reason: "redeem.conflict.consumed"},
		{ID: 4, Code: "000011112222", CardID: "pCASH", Title: "满100减20", CardType: "CASH", FaceValue: 20_00,
			State: storage.StateRejected, Cashier: "amy", CreatedAt: t0 + 180_000, ErrCode: 40099},
	}
}

func TestYuan(t *testing.T) {
	for fen, want := range map[int64]string{0: "0.00", 5: "0.05", 1999: "19.99", 500_00: "500.00", -120: "-1.20"} {
		if got := money.Fixed(fen); got != want {
			t.Errorf("money.Fixed(%d) = %q, want %q", fen, got, want)
		}
	}
}

func TestFilter(t *testing.T) {
	for _, tc := range []struct {
		f    Filter
		want []int64
	}{
		{Filter{}, []int64{1, 2, 3, 4}},
		{Filter{Code: "5555"}, []int64{2}},
		{Filter{Code: " 8888 9999 "}, []int64{3}},
		{Filter{Groups: []Group{GroupPending}}, []int64{2}},
		{Filter{Groups: []Group{GroupSynced, GroupAttention}}, []int64{1, 3}},
		{Filter{Code: "1111", Groups: []Group{GroupRejected}}, []int64{4}},
	} {
		var got []int64
		for _, r := range tc.f.Apply(rows()) {
			got = append(got, r.ID)
		}
		if !cmp.Equal(got, tc.want) {
			t.Errorf("%+v.Apply = %v, want %v", tc.f, got, tc.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	s := Summarize(rows())
	want := Summary{
		Cards: []CardTotal{
			{CardID: "pCASH", Title: "满100减20", Synced: 1, Pending: 1, Rejected: 1, FaceValue: 40_00},
			{CardID: "pGIFT", Title: "=HYPERLINK(\"x\")", Attention: 1},
		},
		Total:    CardTotal{Synced: 1, Pending: 1, Attention: 1, Rejected: 1, FaceValue: 40_00},
		Cashiers: []string{"amy", "收银员"},
		First:    t0,
		Last:     t0 + 180_000,
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("Summarize (-want +got):\n%s", diff)
	}
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	sh := time.FixedZone("CST", 8*3600)
	if err := WriteCSV(&b, rows(), CSVOptions{Loc: sh, BOM: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\xef\xbb\xbf")) {
		t.Error("no UTF-8 BOM")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 {
		t.Fatalf("%d records, want header + 4", len(recs))
	}
	if !cmp.Equal(recs[0], CSVHeader) {
		t.Errorf("header = %q", recs[0])
	}
	want := []string{"1", "2026-12-04T09:30:00+08:00", "2026-12-04T09:30:00+08:00", "111122223333", "pCASH",
		"满100减20", "CASH", "20.00", "redeemed", "synced", "false", "收银员", "POS-01", "1", "0", "", "", "", ""}
	if diff := cmp.Diff(want, recs[1]); diff != "" {
		t.Errorf("row 1 (-want +got):\n%s", diff)
	}
	if got := recs[2][10] + " " + recs[2][9] + " " + recs[2][15]; got != "true pending timeout" {
		t.Errorf("row 2 offline/group/last_error = %q", got)
	}
	if got := recs[3][5]; got != "'=HYPERLINK(\"x\")" {
		t.Errorf("formula title not defused: %q", got)
	}
	if got := recs[4][8] + " " + recs[4][14]; got != "rejected 40099" {
		t.Errorf("row 4 state/err_code = %q", got)
	}
	var plain bytes.Buffer
	if err := WriteCSV(&plain, nil, CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, want := plain.String(), strings.Join(CSVHeader, ",")+"\n"; got != want {
		t.Errorf("empty export = %q, want the header only", got)
	}
}

func TestStartOfDay(t *testing.T) {
	sh := time.FixedZone("CST", 8*3600)
	got := StartOfDay(time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC), sh) // 01:00 on the 5th in Shanghai
	if want := time.Date(2026, 12, 5, 0, 0, 0, 0, sh); !got.Equal(want) {
		t.Errorf("StartOfDay = %v, want %v", got, want)
	}
}

func TestParseYuan(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"500", 500_00, true}, {"19.9", 19_90, true}, {"19.99", 19_99, true}, {" ¥0.05 ", 5, true}, {"￥12", 12_00, true},
		{"", 0, false}, {"-1", 0, false}, {"1.234", 0, false}, {"1.", 0, false}, {".5", 0, false}, {"1e3", 0, false}, {"12a", 0, false},
	} {
		got, err := money.Parse(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("money.Parse(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if !tc.ok && !errors.Is(err, money.ErrBadAmount) {
			t.Errorf("money.Parse(%q) error %v, want money.ErrBadAmount", tc.in, err)
		}
	}
}
