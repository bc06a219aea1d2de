package report

import (
	"fmt"
	"io"
	"testing"

	"github.com/cardpos/cardpos/storage"
)

func shift(n int) []storage.Redemption {
	states := []storage.State{storage.StateRedeemed, storage.StateQueued, storage.StateConflict, storage.StateRejected}
	rows := make([]storage.Redemption, n)
	for i := range rows {
		rows[i] = storage.Redemption{ID: int64(i + 1), Code: fmt.Sprintf("%012d", 100000000000+i),
			CardID: fmt.Sprintf("p%02d", i%20), Title: "满100减20", CardType: "CASH", FaceValue: 20_00,
			State: states[i%len(states)], Cashier: "收银员", Terminal: "POS-01", CreatedAt: t0 + int64(i)*1000}
	}
	return rows
}

// BenchmarkWriteCSV exports a busy day's journal (10 000 rows).
func BenchmarkWriteCSV(b *testing.B) {
	rows := shift(10_000)
	for b.Loop() {
		if err := WriteCSV(io.Discard, rows, CSVOptions{BOM: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSummarize adds up the same 10 000 rows per card.
func BenchmarkSummarize(b *testing.B) {
	rows := shift(10_000)
	for b.Loop() {
		if s := Summarize(rows); len(s.Cards) != 20 {
			b.Fatal(len(s.Cards))
		}
	}
}
