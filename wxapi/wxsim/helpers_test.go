package wxsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one emulator on httptest with a test clock, spoken to with raw HTTP.
type env struct {
	t   *testing.T
	sim *Sim
	srv *httptest.Server
	clk *clock
}

// start is 2026-12-04 12:00 Beijing time.
var start = time.Date(2026, 12, 4, 4, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	clk := &clock{t: start}
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &env{t: t, sim: s, srv: srv, clk: clk}
}

func demoEnv(t *testing.T) *env { return newEnv(t, Options{Seed: "demo"}) }

var ridRE = regexp.MustCompile(` rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$`)

// do sends a raw request and decodes the JSON answer; every non-zero errcode must carry a rid.
func (e *env) do(method, path, body string) map[string]any {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("%s %s: HTTP %d, want 200", method, path, resp.StatusCode)
	}
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		e.t.Fatalf("%s %s: answer %q is not JSON: %v", method, path, raw, err)
	}
	if code := errcode(m); code != 0 {
		if msg, _ := m["errmsg"].(string); !ridRE.MatchString(msg) {
			e.t.Errorf("%s %s: errmsg %q has no rid suffix", method, path, msg)
		}
	}
	return m
}

// post sends body to a business path with token tok.
func (e *env) post(path, tok, body string) map[string]any {
	e.t.Helper()
	return e.do(http.MethodPost, path+"?access_token="+tok, body)
}

// classic fetches a token from /cgi-bin/token.
func (e *env) classic() string {
	e.t.Helper()
	m := e.do(http.MethodGet, "/cgi-bin/token?grant_type=client_credential&appid="+e.sim.AppID()+"&secret="+e.sim.Secret(), "")
	tok, _ := m["access_token"].(string)
	if tok == "" {
		e.t.Fatalf("classic token: %v", m)
	}
	return tok
}

// stable fetches a token from /cgi-bin/stable_token and returns it with expires_in.
func (e *env) stable(force bool) (string, int64, map[string]any) {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"grant_type": "client_credential", "appid": e.sim.AppID(),
		"secret": e.sim.Secret(), "force_refresh": force})
	m := e.do(http.MethodPost, "/cgi-bin/stable_token", string(body))
	tok, _ := m["access_token"].(string)
	exp, _ := m["expires_in"].(float64)
	return tok, int64(exp), m
}

// errcode reads errcode (absent = 0).
func errcode(m map[string]any) int {
	f, _ := m["errcode"].(float64)
	return int(f)
}

// probe makes a cheap business call with tok and returns its errcode.
func (e *env) probe(tok string) int {
	e.t.Helper()
	return errcode(e.post("/card/code/get", tok, `{"code":"100000000001","check_consume":false}`))
}

// cardID returns the card_id of a seeded code.
func (e *env) cardID(code string) string {
	e.t.Helper()
	for _, s := range e.sim.Samples() {
		if s.Code == code {
			return s.CardID
		}
	}
	e.t.Fatalf("no sample %s", code)
	return ""
}
