package wxapi

import (
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzMarshalJSON: whatever the text, the client either sends JSON with no \u escape that
// decodes back to the same text, or refuses it with ErrBadRequest.
func FuzzMarshalJSON(f *testing.F) {
	for _, s := range []string{"", "满100减20", "<>&", "\u2028\u2029", `\u0041`, "a\x00b", "\xff", "\\\\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := marshalJSON(map[string]string{"t": s})
		if err != nil {
			if !errors.Is(err, ErrBadRequest) {
				t.Fatalf("err = %v, want ErrBadRequest", err)
			}
			return
		}
		for i := 0; i < len(out); i++ {
			if out[i] == '\\' {
				if out[i+1] == 'u' {
					t.Fatalf("%q encodes with a \\u escape: %s", s, out)
				}
				i++
			}
		}
		var back map[string]string
		if err := json.Unmarshal(out, &back); err != nil || back["t"] != s {
			t.Fatalf("%q encodes as %s, which decodes to %q, %v", s, out, back["t"], err)
		}
		if !utf8.Valid(out) {
			t.Fatalf("%q encodes as invalid UTF-8", s)
		}
	})
}
