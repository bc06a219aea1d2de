package money

import (
	"errors"
	"testing"
)

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		fen          int64
		short, fixed string
	}{
		{0, "0", "0.00"}, {5, "0.05", "0.05"}, {1250, "12.5", "12.50"}, {1205, "12.05", "12.05"},
		{2000, "20", "20.00"}, {50000, "500", "500.00"}, {-1999, "-19.99", "-19.99"},
	} {
		if got := Short(tc.fen); got != tc.short {
			t.Errorf("Short(%d) = %q, want %q", tc.fen, got, tc.short)
		}
		if got := Fixed(tc.fen); got != tc.fixed {
			t.Errorf("Fixed(%d) = %q, want %q", tc.fen, got, tc.fixed)
		}
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]int64{"500": 50000, "19.9": 1990, "19.99": 1999, "¥19.99": 1999, " ￥0.5 ": 50} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1.999", "1.", "abc", "1,5", "9999999999999"} {
		if _, err := Parse(in); !errors.Is(err, ErrBadAmount) {
			t.Errorf("Parse(%q) err = %v, want ErrBadAmount", in, err)
		}
	}
}
