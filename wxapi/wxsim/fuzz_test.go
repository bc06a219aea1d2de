package wxsim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzEncryptCode: every code round-trips through EncryptCode and decryptCode, the text is
// standard base64, and any other text either fails or decrypts to a code without panicking.
func FuzzEncryptCode(f *testing.F) {
	s, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"100000000009", "VIP2024A001", "", demoEncryptCode9, "XXIzTtMqCxwOaawoE91+VJdsFmv7b8g0VZIZkqf4GWA60Fzpc8ksZ/5ZZ0DVkXdE"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		enc := s.EncryptCode(in)
		if strings.Trim(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != "" {
			t.Fatalf("EncryptCode(%q) = %q: not standard base64", in, enc)
		}
		if got, ok := s.decryptCode(enc); !ok || got != in {
			t.Fatalf("decrypt(EncryptCode(%q)) = %q, %v", in, got, ok)
		}
		if strings.Contains(enc, "+") {
			if _, ok := s.decryptCode(strings.ReplaceAll(enc, "+", " ")); ok {
				t.Fatalf("decrypt accepted %q with '+' turned into spaces", enc)
			}
		}
		_, _ = s.decryptCode(in) // must not panic
	})
}

// FuzzHasUnicodeEscape: Go's encoder writes \u only for control characters, U+2028/2029 and
// invalid UTF-8; a string without those must never be flagged, and with them always.
func FuzzHasUnicodeEscape(f *testing.F) {
	for _, seed := range []string{"满100减20", `a\u0031`, "tab\there", "\u2028", `"quoted"`, `\\`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(map[string]string{"code": in}); err != nil {
			t.Skip()
		}
		out := b.String()
		wantEsc := !utf8.ValidString(in) // invalid bytes are written as \ufffd
		for _, r := range in {
			if r < 0x20 && !strings.ContainsRune("\n\r\t\b\f", r) || r == 0x2028 || r == 0x2029 {
				wantEsc = true
			}
		}
		if got := hasUnicodeEscape([]byte(out)); got != wantEsc {
			t.Fatalf("hasUnicodeEscape(%s) = %v, want %v", out, got, wantEsc)
		}
	})
}

// BenchmarkCodeGetHTTP measures one card/code/get round trip over loopback HTTP.
func BenchmarkCodeGetHTTP(b *testing.B) {
	s, err := New(Options{Seed: "demo"})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/cgi-bin/token?grant_type=client_credential&appid=" + s.AppID() + "&secret=" + s.Secret())
	if err != nil {
		b.Fatal(err)
	}
	var tk struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tk)
	resp.Body.Close()
	u := srv.URL + "/card/code/get?access_token=" + tk.AccessToken
	b.ResetTimer()
	for b.Loop() {
		resp, err := http.Post(u, "application/json", strings.NewReader(`{"code":"100000000001","check_consume":false}`))
		if err != nil {
			b.Fatal(err)
		}
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		resp.Body.Close()
		if m["user_card_status"] != "NORMAL" {
			b.Fatalf("answer %v", m)
		}
	}
}

// BenchmarkConsumeWithState measures a consume that saves the state file (fsync + rename).
func BenchmarkConsumeWithState(b *testing.B) {
	s, err := New(Options{Seed: "demo", StatePath: b.TempDir() + "/s.json"})
	if err != nil {
		b.Fatal(err)
	}
	tok := func() string {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.mintToken(false, s.now().Unix())
	}()
	i := 0
	for b.Loop() {
		i++
		code := "B" + strconv.Itoa(i)
		if err := s.AddCode(CodeSpec{Code: code, CardID: s.st.Cards[0].ID}); err != nil {
			b.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/card/code/consume?access_token="+tok, strings.NewReader(`{"code":"`+code+`"}`))
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if !strings.Contains(w.Body.String(), `"errcode":0`) {
			b.Fatalf("consume: %s", w.Body)
		}
	}
}
