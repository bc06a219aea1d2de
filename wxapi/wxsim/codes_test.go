package wxsim

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestStrictness: the request checks WeChat makes before it looks at the business content.
func TestStrictness(t *testing.T) {
	e := demoEnv(t)
	tok := e.classic()
	for _, tc := range []struct {
		name, method, path, body string
		want                     int
	}{
		{"GET on a POST endpoint", "GET", "/card/code/get?access_token=" + tok, "", 43002},
		{"no access_token", "POST", "/card/code/get", `{"code":"100000000001"}`, 41001},
		{"empty access_token", "POST", "/card/code/get?access_token=", `{"code":"100000000001"}`, 41001},
		{"malformed access_token", "POST", "/card/code/get?access_token=%%%", `{"code":"100000000001"}`, 41001},
		{"unknown access_token", "POST", "/card/code/get?access_token=86_abc", `{"code":"100000000001"}`, 40014},
		{"empty body", "POST", "/card/code/get?access_token=" + tok, "", 44002},
		{"not JSON", "POST", "/card/code/get?access_token=" + tok, `code=100000000001`, 47001},
		{"truncated JSON", "POST", "/card/code/get?access_token=" + tok, `{"code":"1000`, 47001},
		{"code as a number", "POST", "/card/code/get?access_token=" + tok, `{"code":100000000001}`, 47001},
		{"\\u escape", "POST", "/card/create?access_token=" + tok, `{"card":{"card_type":"GIFT","gift":{"base_info":{"title":"\u514d\u8d39"}}}}`, 40033},
		{"\\u escape of ASCII", "POST", "/card/code/get?access_token=" + tok, `{"code":"\u0031\u0030"}`, 40033},
		{"missing code", "POST", "/card/code/get?access_token=" + tok, `{"card_id":"x"}`, 40056},
		{"consume missing code", "POST", "/card/code/consume?access_token=" + tok, `{}`, 40056},
		{"decrypt missing encrypt_code", "POST", "/card/code/decrypt?access_token=" + tok, `{}`, 41011},
		{"card/get missing card_id", "POST", "/card/get?access_token=" + tok, `{}`, 41012},
		{"batchget missing count", "POST", "/card/batchget?access_token=" + tok, `{"offset":0}`, 41011},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := errcode(e.do(tc.method, tc.path, tc.body)); got != tc.want {
				t.Errorf("errcode %d, want %d", got, tc.want)
			}
		})
	}
	// An escaped backslash followed by u is not a \u escape: it reaches the lookup (40056).
	if got := errcode(e.post("/card/code/get", tok, `{"code":"a\\u0031"}`)); got != 40056 {
		t.Errorf(`"a\\u0031": errcode %d, want 40056`, got)
	}
	// Raw UTF-8 Chinese is fine.
	if got := errcode(e.post("/card/code/get", tok, `{"code":"100000000001","card_id":"满100减20","check_consume":false}`)); got != 40056 {
		t.Errorf("raw UTF-8: errcode %d, want 40056 (wrong card_id)", got)
	}
}

// TestCodeGetCheckConsume: with check_consume true (the default) an unusable code is an error;
// with false every known code answers 0 with its status.
func TestCodeGetCheckConsume(t *testing.T) {
	e := demoEnv(t)
	tok := e.classic()
	vip := e.cardID("VIP2024A001")
	for _, tc := range []struct {
		code, cardID string
		wantTrue     int    // errcode with check_consume true
		wantStatus   string // user_card_status with false ("" = error there too)
		wantFalseErr int
	}{
		{"100000000001", "", 0, "NORMAL", 0},
		{"200000000001", "", 40099, "CONSUMED", 0},
		{"200000000002", "", 40127, "EXPIRE", 0},
		{"200000000003", "", 40127, "UNAVAILABLE", 0},
		{"200000000004", "", 40127, "GIFTING", 0},
		{"200000000005", "", 40127, "DELETE", 0},
		{"200000000006", "", 40127, "GIFT_TIMEOUT", 0},
		{"600000000002", "", 40127, "EXPIRE", 0}, // expired by date (FIX_TERM 30 days)
		{"700000000001", "", 40079, "NORMAL", 0}, // not valid yet
		{"999999999999", "", 40056, "", 40056},
		{"VIP2024A001", "", 40056, "", 40056}, // custom code without card_id
		{"VIP2024A001", vip, 0, "NORMAL", 0},
		{"VIP2024A001", e.cardID("100000000001"), 40056, "", 40056}, // wrong card_id
		{"100000000001", vip, 40056, "", 40056},
	} {
		t.Run(tc.code+"/"+tc.cardID, func(t *testing.T) {
			body := `{"code":"` + tc.code + `","card_id":"` + tc.cardID + `","check_consume":true}`
			if got := errcode(e.post("/card/code/get", tok, body)); got != tc.wantTrue {
				t.Errorf("check_consume true: errcode %d, want %d", got, tc.wantTrue)
			}
			// check_consume left out means true.
			if got := errcode(e.post("/card/code/get", tok, `{"code":"`+tc.code+`","card_id":"`+tc.cardID+`"}`)); got != tc.wantTrue {
				t.Errorf("check_consume absent: errcode %d, want %d", got, tc.wantTrue)
			}
			m := e.post("/card/code/get", tok, `{"code":"`+tc.code+`","card_id":"`+tc.cardID+`","check_consume":false}`)
			if got := errcode(m); got != tc.wantFalseErr {
				t.Fatalf("check_consume false: errcode %d, want %d", got, tc.wantFalseErr)
			}
			if tc.wantStatus == "" {
				return
			}
			if got := m["user_card_status"]; got != tc.wantStatus {
				t.Errorf("user_card_status %v, want %s", got, tc.wantStatus)
			}
			if got, want := m["can_consume"], tc.wantTrue == 0; got != want {
				t.Errorf("can_consume %v, want %v", got, want)
			}
			if m["openid"] == "" || m["card"].(map[string]any)["card_id"] == "" {
				t.Errorf("answer lacks openid or card.card_id: %v", m)
			}
		})
	}
}

func TestCodeGetShapes(t *testing.T) {
	e := demoEnv(t)
	tok := e.classic()
	m := e.post("/card/code/get", tok, `{"code":"100000000001","check_consume":true}`)
	c := m["card"].(map[string]any)
	if b, en := c["begin_time"].(float64), c["end_time"].(float64); !(b < float64(start.Unix()) && en > float64(start.Unix())) {
		t.Errorf("begin/end %v..%v do not hold now", b, en)
	}
	mem := e.post("/card/code/get", tok, `{"code":"800000000001"}`)
	mc := mem["card"].(map[string]any)
	if mc["membership_number"] != "800000000001" || mc["bonus"] != float64(1280) || mc["code"] != "800000000001" ||
		mem["outer_str"] != "store-1" || mem["unionid"] == nil || mc["end_time"] != float64(permanentEnd) {
		t.Errorf("member card answer: %v", mem)
	}

	l := newEnv(t, Options{Seed: "demo", LegacyCodeGet: true})
	ltok := l.classic()
	lm := l.post("/card/code/get", ltok, `{"code":"200000000001","check_consume":false}`)
	lc := lm["card"].(map[string]any)
	if _, top := lm["user_card_status"]; top || lc["user_card_status"] != "CONSUMED" || lc["can_consume"] != "false" {
		t.Errorf("legacy shape: %v", lm)
	}
	lm = l.post("/card/code/get", ltok, `{"code":"100000000001"}`)
	if lm["card"].(map[string]any)["can_consume"] != "true" {
		t.Errorf("legacy can_consume: %v", lm)
	}
}

func TestConsume(t *testing.T) {
	e := demoEnv(t)
	tok := e.classic()
	vip := e.cardID("VIP2024A002")
	for _, tc := range []struct {
		name, body string
		want       int
	}{
		{"doc example, plain code", `{"code":"100000000002"}`, 0},
		{"again: no idempotency", `{"code":"100000000002"}`, 40099},
		{"custom code with card_id", `{"code":"VIP2024A002","card_id":"` + vip + `"}`, 0},
		{"custom code without card_id", `{"code":"VIP2024A003"}`, 40056},
		{"expired", `{"code":"200000000002"}`, 40127},
		{"gifting", `{"code":"200000000004"}`, 40127},
		{"not yet valid", `{"code":"700000000001"}`, 40079},
		{"unknown", `{"code":"123456789012"}`, 40056},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := e.post("/card/code/consume", tok, tc.body)
			if got := errcode(m); got != tc.want {
				t.Fatalf("errcode %d, want %d (%v)", got, tc.want, m)
			}
			if tc.want == 0 && (m["openid"] == "" || m["card"].(map[string]any)["card_id"] == "") {
				t.Errorf("answer lacks openid/card_id: %v", m)
			}
		})
	}
	if st, _ := e.sim.CodeStatus("100000000002"); st != "CONSUMED" {
		t.Errorf("status after consume %s, want CONSUMED", st)
	}
	m := e.post("/card/code/get", tok, `{"code":"100000000002","check_consume":false}`)
	if m["user_card_status"] != "CONSUMED" || m["openid"] != e.sim.CodeOpenID("100000000002") {
		t.Errorf("reconcile view: %v", m)
	}
	if got := e.sim.Consumes("100000000002"); got != 2 {
		t.Errorf("Consumes = %d, want 2", got)
	}
	if got := e.sim.Calls("/card/code/consume"); got != 8 {
		t.Errorf("Calls = %d, want 8", got)
	}
}

// TestExpireByTime: a NORMAL code turns EXPIRE when the clock passes its end.
func TestExpireByTime(t *testing.T) {
	e := demoEnv(t)
	tok, _, _ := e.stable(false)
	if got := errcode(e.post("/card/code/get", tok, `{"code":"600000000001"}`)); got != 0 {
		t.Fatalf("fresh general coupon: %d", got)
	}
	e.sim.AdvanceClock(29 * 24 * time.Hour)
	tok, _, _ = e.stable(false)
	if got := errcode(e.post("/card/code/consume", tok, `{"code":"600000000001"}`)); got != 40127 {
		t.Errorf("consume after its 30-day term: %d, want 40127", got)
	}
	if got := errcode(e.post("/card/code/get", tok, `{"code":"700000000001"}`)); got != 0 {
		t.Errorf("future card after 29 days: %d, want 0 (valid now)", got)
	}
}

func TestDecrypt(t *testing.T) {
	e := demoEnv(t)
	tok := e.classic()
	enc := e.sim.EncryptCode("100000000009")
	if !strings.Contains(enc, "+") {
		t.Fatalf("encrypt_code %q has no '+': the URL-decoding tests would prove nothing", enc)
	}
	if enc != demoEncryptCode9 {
		t.Errorf("EncryptCode(100000000009) = %q, want the documented %q", enc, demoEncryptCode9)
	}
	for _, tc := range []struct {
		name, enc string
		want      int
		code      string
	}{
		{"exact", enc, 0, "100000000009"},
		{"plus became a space", strings.ReplaceAll(enc, "+", " "), 40075, ""},
		{"left-over %2B", strings.ReplaceAll(enc, "+", "%2B"), 40075, ""},
		{"url-encoded twice", url.QueryEscape(url.QueryEscape(enc)), 40075, ""},
		{"one character changed", "A" + enc[1:], 40075, ""},
		{"doc example (another account)", "XXIzTtMqCxwOaawoE91+VJdsFmv7b8g0VZIZkqf4GWA60Fzpc8ksZ/5ZZ0DVkXdE", 40075, ""},
		{"truncated", enc[:40], 40075, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := e.post("/card/code/decrypt", tok, `{"encrypt_code":"`+tc.enc+`"}`)
			if got := errcode(m); got != tc.want {
				t.Fatalf("errcode %d, want %d", got, tc.want)
			}
			if tc.want == 0 && m["code"] != tc.code {
				t.Errorf("code %v, want %s", m["code"], tc.code)
			}
		})
	}
}

// demoEncryptCode9 is the encrypt_code of 100000000009 on the demo account (see seed_demo.go).
const demoEncryptCode9 = "3RXtMkpfISssLyqaqFV+prI19kWCcmRrSHeF6iRXKjAO+YUK20oaVBEfiA2/Y35J"

func TestCodeManagement(t *testing.T) {
	e := demoEnv(t)
	tok := e.classic()
	cash := e.cardID("100000000003")
	vip := e.cardID("VIP2024A003")
	steps := []struct {
		name, path, body string
		want             int
	}{
		{"unavailable", "/card/code/unavailable", `{"code":"100000000003","card_id":"` + cash + `","reason":"顾客投诉"}`, 0},
		{"unavailable twice", "/card/code/unavailable", `{"code":"100000000003","card_id":"` + cash + `"}`, 40127},
		{"unavailable consumed", "/card/code/unavailable", `{"code":"200000000001"}`, 40099},
		{"consume voided", "/card/code/consume", `{"code":"100000000003"}`, 40127},
		{"update custom code", "/card/code/update", `{"code":"VIP2024A003","card_id":"` + vip + `","new_code":"VIP2024B003"}`, 0},
		{"old code gone", "/card/code/get", `{"code":"VIP2024A003","card_id":"` + vip + `"}`, 40056},
		{"new code works", "/card/code/get", `{"code":"VIP2024B003","card_id":"` + vip + `"}`, 0},
		{"update to a taken code", "/card/code/update", `{"code":"VIP2024B003","card_id":"` + vip + `","new_code":"VIP2024A001"}`, 40116},
		{"update without card_id", "/card/code/update", `{"code":"VIP2024B003","new_code":"VIP2024C003"}`, 41012},
		{"update without new_code", "/card/code/update", `{"code":"VIP2024B003","card_id":"` + vip + `"}`, 41011},
	}
	for _, s := range steps {
		if got := errcode(e.post(s.path, tok, s.body)); got != s.want {
			t.Errorf("%s: errcode %d, want %d", s.name, got, s.want)
		}
	}
	owner := e.sim.CodeOpenID("100000000001")
	m := e.post("/card/user/getcardlist", tok, `{"openid":"`+owner+`"}`)
	list, _ := m["card_list"].([]any)
	found := false
	for _, it := range list {
		c := it.(map[string]any)
		if c["code"] == "100000000001" {
			found = true
		}
		if c["code"] == "200000000001" {
			t.Error("getcardlist lists a consumed code")
		}
	}
	if !found || m["has_share_card"] != false {
		t.Errorf("getcardlist: %v", m)
	}
	if got := errcode(e.post("/card/user/getcardlist", tok, `{}`)); got != 40003 {
		t.Errorf("getcardlist without openid: %d, want 40003", got)
	}
}

// TestConcurrentConsume: many tills consuming one code at once: exactly one wins.
func TestConcurrentConsume(t *testing.T) {
	e := demoEnv(t)
	tok := e.classic()
	const n = 16
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- errcode(e.post("/card/code/consume", tok, `{"code":"100000000001"}`))
		}()
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[0] != 1 || got[40099] != n-1 {
		t.Errorf("answers %v, want one 0 and %d × 40099", got, n-1)
	}
}

// TestCustomerActsMidSession: a code the customer gives away after the lookup is refused at
// consume.
func TestCustomerActsMidSession(t *testing.T) {
	e := demoEnv(t)
	tok := e.classic()
	if got := errcode(e.post("/card/code/get", tok, `{"code":"100000000002"}`)); got != 0 {
		t.Fatalf("lookup: %d", got)
	}
	if err := e.sim.SetCodeStatus("100000000002", "GIFTING"); err != nil {
		t.Fatal(err)
	}
	if got := errcode(e.post("/card/code/consume", tok, `{"code":"100000000002"}`)); got != 40127 {
		t.Errorf("consume after gifting: %d, want 40127", got)
	}
	if err := e.sim.SetCodeStatus("100000000002", "LOST"); !errors.Is(err, ErrInvalidSpec) {
		t.Errorf("bad status: %v", err)
	}
	if err := e.sim.SetCodeStatus("nope", "DELETE"); !errors.Is(err, ErrUnknownCode) {
		t.Errorf("unknown code: %v", err)
	}
}

func TestHintSuffix(t *testing.T) {
	s, err := New(Options{HintSuffix: true})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("POST", "/card/code/get", strings.NewReader(`{"code":"1"}`)))
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	msg, _ := m["errmsg"].(string)
	if errcode(m) != 41001 || !regexp.MustCompile(`^access_token missing hint: \[[0-9A-Za-z]+\]$`).MatchString(msg) {
		t.Errorf("answer %v, want 41001 with a hint: [...] suffix", m)
	}
}
