package wxsim

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestClassicTokenOverHours walks the classic model through simulated hours: a new token per
// call, the previous one valid 5 more minutes then 40001, expiry after 7200 s with 42001.
func TestClassicTokenOverHours(t *testing.T) {
	e := demoEnv(t)
	a := e.classic()
	if got, want := e.probe(a), 0; got != want {
		t.Fatalf("fresh token: errcode %d, want %d", got, want)
	}
	e.clk.Add(10 * time.Minute)
	b := e.classic()
	if a == b {
		t.Fatal("second /cgi-bin/token call returned the same token; classic mints a new one per call")
	}
	steps := []struct {
		advance time.Duration
		tok     string
		want    int
	}{
		{0, a, 0}, // previous token: in its 5-minute grace
		{4*time.Minute + 59*time.Second, a, 0},
		{2 * time.Second, a, 40001}, // grace over: overwritten
		{0, b, 0},
		{1*time.Hour + 50*time.Minute, b, 0}, // 1h55m after b was minted
		{5 * time.Minute, b, 42001},          // 2h00m: expired
		{0, "not-a-token", 40014},
		{0, "", 41001},
	}
	for i, s := range steps {
		e.clk.Add(s.advance)
		if got := e.probe(s.tok); got != s.want {
			t.Errorf("step %d: errcode %d, want %d", i, got, s.want)
		}
	}
}

// TestClassicTokenChainGrace: with three quick calls, the first dies 5 minutes after the
// second call, not after the third.
func TestClassicTokenChainGrace(t *testing.T) {
	e := demoEnv(t)
	a := e.classic()
	e.clk.Add(time.Minute)
	_ = e.classic()
	e.clk.Add(3 * time.Minute)
	c := e.classic()
	e.clk.Add(150 * time.Second) // 5m30s after the second call, 2m30s after the third
	if got := e.probe(a); got != 40001 {
		t.Errorf("first token 5m30s after it was superseded: errcode %d, want 40001", got)
	}
	if got := e.probe(c); got != 0 {
		t.Errorf("latest token: errcode %d, want 0", got)
	}
}

func TestClassicTokenDailyQuota(t *testing.T) {
	e := newEnv(t, Options{Seed: "demo", ClassicDailyQuota: 3})
	for i := 0; i < 3; i++ {
		e.classic()
	}
	m := e.do(http.MethodGet, "/cgi-bin/token?grant_type=client_credential&appid="+e.sim.AppID()+"&secret="+e.sim.Secret(), "")
	if got, want := errcode(m), 45009; got != want {
		t.Fatalf("4th call: errcode %d, want %d", got, want)
	}
	// start is 12:00 Beijing time; the quota resets at Beijing midnight.
	e.clk.Add(11*time.Hour + 59*time.Minute)
	m = e.do(http.MethodGet, "/cgi-bin/token?grant_type=client_credential&appid="+e.sim.AppID()+"&secret="+e.sim.Secret(), "")
	if got, want := errcode(m), 45009; got != want {
		t.Errorf("23:59 the same day: errcode %d, want %d", got, want)
	}
	e.clk.Add(2 * time.Minute)
	e.classic()
}

func TestClassicTokenIPWhitelist(t *testing.T) {
	for _, tc := range []struct {
		name      string
		whitelist []string
		want      int
	}{
		{"not listed", []string{"10.1.2.3"}, 40164},
		{"listed", []string{"10.1.2.3", "127.0.0.1"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Options{IPWhitelist: tc.whitelist})
			m := e.do(http.MethodGet, "/cgi-bin/token?grant_type=client_credential&appid="+e.sim.AppID()+"&secret="+e.sim.Secret(), "")
			if got := errcode(m); got != tc.want {
				t.Fatalf("errcode %d, want %d (%v)", got, tc.want, m)
			}
			if tc.want == 40164 {
				if msg := m["errmsg"].(string); !strings.Contains(msg, "invalid ip 127.0.0.1") {
					t.Errorf("errmsg %q does not name the caller's IP", msg)
				}
			}
		})
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	e := demoEnv(t)
	app, sec := e.sim.AppID(), e.sim.Secret()
	for _, tc := range []struct {
		name, method, path, body string
		want                     int
	}{
		{"classic bad grant", "GET", "/cgi-bin/token?grant_type=password&appid=" + app + "&secret=" + sec, "", 40002},
		{"classic no appid", "GET", "/cgi-bin/token?grant_type=client_credential&secret=" + sec, "", 41002},
		{"classic bad appid", "GET", "/cgi-bin/token?grant_type=client_credential&appid=wx0000000000000000&secret=" + sec, "", 40013},
		{"classic no secret", "GET", "/cgi-bin/token?grant_type=client_credential&appid=" + app, "", 41004},
		{"classic bad secret", "GET", "/cgi-bin/token?grant_type=client_credential&appid=" + app + "&secret=nope", "", 40125},
		{"classic POST", "POST", "/cgi-bin/token?grant_type=client_credential&appid=" + app + "&secret=" + sec, "{}", 43001},
		{"stable GET", "GET", "/cgi-bin/stable_token", "", 43002},
		{"stable empty", "POST", "/cgi-bin/stable_token", "", 44002},
		{"stable not JSON", "POST", "/cgi-bin/stable_token", "grant_type=client_credential", 47001},
		{"stable bad secret", "POST", "/cgi-bin/stable_token", `{"grant_type":"client_credential","appid":"` + app + `","secret":"x"}`, 40125},
		{"stable force not bool", "POST", "/cgi-bin/stable_token", `{"grant_type":"client_credential","appid":"` + app + `","secret":"` + sec + `","force_refresh":"yes"}`, 47001},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := errcode(e.do(tc.method, tc.path, tc.body)); got != tc.want {
				t.Errorf("errcode %d, want %d", got, tc.want)
			}
		})
	}
}

// TestStableTokenOverHours polls stable_token every 7 minutes for 10 simulated hours from two
// "terminals": they always get the same token, expires_in is never under 300, every token handed
// out works, and the token rotates about every 2 hours with an overlap.
func TestStableTokenOverHours(t *testing.T) {
	e := demoEnv(t)
	seen := map[string]bool{}
	var prev string
	for elapsed := time.Duration(0); elapsed <= 10*time.Hour; elapsed += 7 * time.Minute {
		a, expA, _ := e.stable(false)
		b, _, _ := e.stable(false)
		if a != b {
			t.Fatalf("at %v two callers got different tokens", elapsed)
		}
		if expA < 300 || expA > 7200 {
			t.Fatalf("at %v expires_in = %d, want 300..7200", elapsed, expA)
		}
		if got := e.probe(a); got != 0 {
			t.Fatalf("at %v the token just returned answers %d", elapsed, got)
		}
		if prev != "" && prev != a {
			// Rotation: the old token still works (it has < 5 minutes left).
			if got := e.probe(prev); got != 0 {
				t.Errorf("at %v the previous token died at rotation: %d", elapsed, got)
			}
		}
		seen[a] = true
		prev = a
		e.clk.Add(7 * time.Minute)
	}
	if n := len(seen); n < 5 || n > 6 {
		t.Errorf("%d distinct tokens in 10 hours, want 5 or 6 (one per ~2 h)", n)
	}
}

func TestStableTokenOverlapThenExpiry(t *testing.T) {
	e := demoEnv(t)
	a, _, _ := e.stable(false)
	e.clk.Add(7200*time.Second - 299*time.Second) // 299 s left
	b, expB, _ := e.stable(false)
	if a == b {
		t.Fatal("no rotation with 299 s left")
	}
	if expB != 7200 {
		t.Errorf("new token expires_in %d, want 7200", expB)
	}
	if got := e.probe(a); got != 0 {
		t.Errorf("old token during overlap: %d, want 0", got)
	}
	e.clk.Add(300 * time.Second)
	if got := e.probe(a); got != 42001 {
		t.Errorf("old token after its expiry: %d, want 42001", got)
	}
	if got := e.probe(b); got != 0 {
		t.Errorf("new token: %d, want 0", got)
	}
	// Classic and stable are separate namespaces: a classic call does not touch the stable token.
	e.classic()
	if got := e.probe(b); got != 0 {
		t.Errorf("stable token after a classic call: %d, want 0", got)
	}
}

func TestStableForceRefreshLimits(t *testing.T) {
	e := demoEnv(t)
	a, _, _ := e.stable(false)
	b, _, _ := e.stable(true)
	if a == b {
		t.Fatal("force_refresh returned the same token")
	}
	if got := e.probe(a); got != 40001 {
		t.Errorf("token killed by force_refresh: %d, want 40001", got)
	}
	e.clk.Add(10 * time.Second)
	if _, _, m := e.stable(true); errcode(m) != 45011 {
		t.Errorf("force_refresh 10 s later: %v, want 45011", m)
	}
	if got := e.probe(b); got != 0 {
		t.Errorf("refused force_refresh killed the token anyway: %d", got)
	}
	count := 1
	for i := 0; i < 25; i++ {
		e.clk.Add(31 * time.Second)
		_, _, m := e.stable(true)
		if errcode(m) == 0 {
			count++
			continue
		}
		if errcode(m) != 45009 {
			t.Fatalf("force_refresh #%d: %v, want 0 or 45009", i, m)
		}
	}
	if count != 20 {
		t.Errorf("%d force_refresh calls succeeded in a day, want 20", count)
	}
	// Normal mode still works after the force quota is spent.
	if tok, _, m := e.stable(false); tok == "" || e.probe(tok) != 0 {
		t.Errorf("normal stable_token after force quota: %v", m)
	}
}

func TestStableTokenMinuteQuota(t *testing.T) {
	e := newEnv(t, Options{StableMinuteQuota: 2})
	e.stable(false)
	e.stable(false)
	if _, _, m := e.stable(false); errcode(m) != 45011 {
		t.Errorf("3rd call in a minute: %v, want 45011", m)
	}
	e.clk.Add(time.Minute)
	if tok, _, m := e.stable(false); tok == "" {
		t.Errorf("next minute: %v", m)
	}
}

func TestAPITicket(t *testing.T) {
	e := demoEnv(t)
	tok := e.classic()
	m1 := e.do("GET", "/cgi-bin/ticket/getticket?type=wx_card&access_token="+tok, "")
	m2 := e.do("GET", "/cgi-bin/ticket/getticket?type=wx_card&access_token="+tok, "")
	if errcode(m1) != 0 || m1["ticket"] == "" || m1["ticket"] != m2["ticket"] {
		t.Errorf("api_ticket: %v then %v, want the same ticket twice", m1, m2)
	}
	e.clk.Add(7201 * time.Second)
	tok = e.classic()
	m3 := e.do("GET", "/cgi-bin/ticket/getticket?type=wx_card&access_token="+tok, "")
	if m3["ticket"] == m1["ticket"] {
		t.Error("api_ticket not renewed after it expired")
	}
	if m := e.do("GET", "/cgi-bin/ticket/getticket?type=nope&access_token="+tok, ""); errcode(m) != 40097 {
		t.Errorf("bad type: %v, want 40097", m)
	}
	if m := e.do("POST", "/cgi-bin/ticket/getticket?type=wx_card&access_token="+tok, "{}"); errcode(m) != 43001 {
		t.Errorf("POST: %v, want 43001", m)
	}
}
