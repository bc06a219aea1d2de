// Package money formats and reads amounts of renminbi. CardPOS keeps money in integer fen
// everywhere; this is the one place fen become words and typed words become fen.
package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Short formats fen as yuan without trailing zeros, as value words and posters write it:
// 2000 → "20", 1250 → "12.5", 1205 → "12.05".
func Short(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	s := strconv.FormatInt(fen/100, 10)
	if r := fen % 100; r != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", r), "0")
	}
	return sign + s
}

// Fixed formats fen as yuan with two decimals, as till screens, receipts and CSV write it:
// 1999 → "19.99", 2000 → "20.00".
func Fixed(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// ErrBadAmount says a typed amount is not yuan with at most two decimals.
var ErrBadAmount = errors.New("money: not an amount in yuan")

// Parse reads "500", "19.9", "19.99" or "¥19.99" as fen. Negative amounts, more than two
// decimals and anything else are ErrBadAmount.
func Parse(s string) (int64, error) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "¥"), "￥"))
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || (dot && frac == "") {
		return 0, ErrBadAmount
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, ErrBadAmount
		}
	}
	if len(whole) > 12 {
		return 0, ErrBadAmount
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, ErrBadAmount
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f, nil
}
