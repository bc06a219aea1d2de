package printer

import (
	"bytes"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// FuzzText checks that no text can smuggle a command into a job: the only control byte Text
// emits is LF, and whatever GBK can hold decodes back unchanged.
func FuzzText(f *testing.F) {
	for _, s := range []string{"满100减20", "a\x1b@b", "\x1dV\x00", "😀中", "￥12.50\n收银员"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		b := GBK(s)
		for i := 0; i < len(b); i++ {
			if b[i] < 0x20 && b[i] != lf {
				t.Fatalf("GBK(%q) has control byte %#x at %d", s, b[i], i)
			}
			if b[i] >= 0x80 {
				i++ // second byte of a GBK pair may be anything ≥ 0x40
			}
		}
		back, err := simplifiedchinese.GBK.NewDecoder().Bytes(b)
		if err != nil {
			t.Fatalf("GBK(%q) does not decode: %v", s, err)
		}
		if bytes.IndexByte(back, '?') < 0 && !bytes.ContainsRune([]byte(s), '?') {
			// Nothing was replaced, so everything but the dropped control characters survived.
			var kept []rune
			for _, r := range s {
				if r == '\n' || (r >= 0x20 && r != 0x7f) {
					kept = append(kept, r)
				}
			}
			if string(back) != string(kept) {
				t.Fatalf("GBK(%q) decodes to %q, want %q", s, back, string(kept))
			}
		}
	})
}
