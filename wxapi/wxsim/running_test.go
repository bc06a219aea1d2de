package wxsim

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func controlDo(t *testing.T, method, url, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %v", method, url, err)
		}
	}
	return resp.StatusCode
}

// TestStartDownRefusesConnections: with Down the API port really refuses connections while the
// control API answers; switching Down off reopens the same port.
func TestStartDownRefusesConnections(t *testing.T) {
	s, err := New(Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Start(context.Background(), s, "", "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	addr := strings.TrimPrefix(r.URL, "http://")
	tokenURL := r.URL + "/cgi-bin/token?grant_type=client_credential&appid=" + s.AppID() + "&secret=" + s.Secret()
	if resp, err := http.Get(tokenURL); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}

	var f Faults
	if code := controlDo(t, "PUT", r.ControlURL+"/faults", `{"down":true}`, &f); code != 200 || !f.Down {
		t.Fatalf("PUT /faults: %d %+v", code, f)
	}
	_, err = net.DialTimeout("tcp", addr, time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial while Down: %v, want connection refused", err)
	}
	if code := controlDo(t, "GET", r.ControlURL+"/faults", "", &f); code != 200 || !f.Down {
		t.Errorf("control API while Down: %d %+v", code, f)
	}
	s.SetFaults(Faults{})
	resp, err := http.Get(tokenURL)
	if err != nil {
		t.Fatalf("after Down off: %v", err)
	}
	resp.Body.Close()
	if r.Err() != nil {
		t.Error(r.Err())
	}
	if got := s.Calls("/cgi-bin/token"); got != 2 {
		t.Errorf("Calls = %d, want 2 (refused connections are not calls)", got)
	}
}

func TestControlAPI(t *testing.T) {
	s, err := New(Options{Seed: "demo", Now: func() time.Time { return start }})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Start(context.Background(), s, "", "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var f Faults
	controlDo(t, "PUT", r.ControlURL+"/faults", `{"latency_ms":250,"busy":2,"rate_limit":1,"token_invalid_at":3,"drop_after_consume":1,"hang":false}`, &f)
	want := Faults{Latency: 250 * time.Millisecond, Busy: 2, RateLimit: 1, TokenInvalidAt: 3, DropAfterConsume: 1}
	if s.Faults() != want || f != want {
		t.Errorf("faults %+v / %+v, want %+v", s.Faults(), f, want)
	}
	if code := controlDo(t, "PUT", r.ControlURL+"/faults", `{"latncy_ms":1}`, nil); code != 400 {
		t.Errorf("misspelt field: %d, want 400", code)
	}
	if code := controlDo(t, "POST", r.ControlURL+"/faults", `{}`, nil); code != 405 {
		t.Errorf("POST /faults: %d, want 405", code)
	}
	s.SetFaults(Faults{})

	var clk map[string]int64
	controlDo(t, "POST", r.ControlURL+"/clock", `{"advance_seconds":3600}`, &clk)
	if clk["now"] != start.Unix()+3600 || s.Now().Unix() != start.Unix()+3600 {
		t.Errorf("clock after advance: %v", clk)
	}
	var samples []Sample
	controlDo(t, "GET", r.ControlURL+"/samples", "", &samples)
	if len(samples) < 30 || samples[0].Code != "100000000001" || samples[0].Note == "" {
		t.Errorf("samples: %d, first %+v", len(samples), samples[0])
	}
	resp, _ := http.Post(r.URL+"/card/code/consume?access_token=x", "application/json", strings.NewReader(`{"code":"1"}`))
	resp.Body.Close()
	var calls map[string]int
	controlDo(t, "GET", r.ControlURL+"/calls", "", &calls)
	if calls["/card/code/consume"] != 1 {
		t.Errorf("calls: %v", calls)
	}
	var cons map[string]int
	controlDo(t, "GET", r.ControlURL+"/consumes", "", &cons)
	if len(cons) != 0 {
		t.Errorf("consumes %v: a call refused for its token must not count", cons)
	}
	controlDo(t, "POST", r.ControlURL+"/counters/reset", "", nil)
	if s.Calls("/card/code/consume") != 0 {
		t.Error("counters not reset")
	}
	var notVerify string
	for _, c := range s.st.Cards {
		if c.Status == cardNotVerify {
			notVerify = c.ID
		}
	}
	if code := controlDo(t, "POST", r.ControlURL+"/cards/approve", `{"card_id":"`+notVerify+`"}`, nil); code != 200 {
		t.Errorf("approve: %d", code)
	}
	if code := controlDo(t, "POST", r.ControlURL+"/cards/approve", `{"card_id":"pNOPE"}`, nil); code != 404 {
		t.Errorf("approve unknown: %d, want 404", code)
	}
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"code":"100000000001","status":"GIFTING"}`, 200},
		{`{"code":"100000000001","status":"LOST"}`, 400},
		{`{"code":"nope","status":"DELETE"}`, 404},
	} {
		if code := controlDo(t, "POST", r.ControlURL+"/codes/status", tc.body, nil); code != tc.want {
			t.Errorf("codes/status %s: %d, want %d", tc.body, code, tc.want)
		}
	}
	if st, _ := s.CodeStatus("100000000001"); st != "GIFTING" {
		t.Errorf("status after control: %s, want GIFTING", st)
	}
}

// runSim starts Run in a goroutine and returns its banner and a stop func that cancels ctx and
// returns Run's error.
func runSim(t *testing.T, o RunOptions) (Banner, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := Run(ctx, o, pw)
		pw.Close()
		done <- err
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("no banner: %v (Run: %v)", err, <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	var b Banner
	if err := json.Unmarshal([]byte(line), &b); err != nil {
		t.Fatalf("banner %q: %v", line, err)
	}
	return b, func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return within 5 s of cancel")
			return nil
		}
	}
}

// TestRunStateSurvivesRestart: Run prints its banner, serves, exits cleanly on cancel, and with
// StatePath a consumed code stays consumed in the next run.
func TestRunStateSurvivesRestart(t *testing.T) {
	statePath := filepath.Join(t.TempDir(), "sim.json")
	o := RunOptions{Seed: "demo", StatePath: statePath}
	b, stop := runSim(t, o)
	if b.AppID != DemoAppID || b.Secret != DemoSecret || !strings.HasPrefix(b.APIBase, "http://127.0.0.1:") ||
		!strings.HasPrefix(b.Control, "http://127.0.0.1:") {
		t.Fatalf("banner %+v", b)
	}
	get := func(base, path, body string) map[string]any {
		resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return m
	}
	tokBody := `{"grant_type":"client_credential","appid":"` + b.AppID + `","secret":"` + b.Secret + `"}`
	tok := get(b.APIBase, "/cgi-bin/stable_token", tokBody)["access_token"].(string)
	if m := get(b.APIBase, "/card/code/consume?access_token="+tok, `{"code":"100000000004"}`); errcode(m) != 0 {
		t.Fatalf("consume: %v", m)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run returned %v after cancel, want nil", err)
	}
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(b.APIBase, "http://"), time.Second); err == nil {
		t.Error("API port still open after Run returned")
	}

	b2, stop2 := runSim(t, o)
	defer func() {
		if err := stop2(); err != nil {
			t.Error(err)
		}
	}()
	// The token survives the restart too, as WeChat's would.
	if m := get(b2.APIBase, "/card/code/consume?access_token="+tok, `{"code":"100000000004"}`); errcode(m) != 40099 {
		t.Errorf("consume after restart: %v, want 40099", m)
	}
	if m := get(b2.APIBase, "/card/code/get?access_token="+tok, `{"code":"100000000004","check_consume":false}`); m["user_card_status"] != "CONSUMED" {
		t.Errorf("status after restart: %v", m)
	}
}

func TestStateFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := writeFile(bad, "{not json"); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StatePath: bad}); !errors.Is(err, ErrStateFile) {
		t.Errorf("corrupt state: %v, want ErrStateFile", err)
	}
	if _, err := New(Options{Seed: "demo", StatePath: filepath.Join(dir, "missing", "s.json")}); !errors.Is(err, ErrStateFile) {
		t.Errorf("unwritable state: %v, want ErrStateFile", err)
	}
	other := filepath.Join(dir, "other.json")
	if _, err := New(Options{Seed: "demo", StatePath: other}); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{AppID: "wx1111111111111111", StatePath: other}); !errors.Is(err, ErrStateFile) {
		t.Errorf("state of another appid: %v, want ErrStateFile", err)
	}
	if _, err := New(Options{Seed: "nope"}); !errors.Is(err, ErrUnknownSeed) {
		t.Errorf("unknown seed: %v, want ErrUnknownSeed", err)
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }

// TestStartStopsWithContext: cancelling Start's ctx closes both listeners.
func TestStartStopsWithContext(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r, err := Start(ctx, s, "", "")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	for _, u := range []string{r.URL, r.ControlURL} {
		addr := strings.TrimPrefix(u, "http://")
		deadline := time.Now().Add(3 * time.Second)
		for {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err != nil {
				break
			}
			c.Close()
			if time.Now().After(deadline) {
				t.Fatalf("%s still accepts connections after cancel", u)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close after cancel: %v", err)
	}
}

// TestRunAddressInUse: Run fails at once, before printing, when its port is taken.
func TestRunAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var out strings.Builder
	err = Run(context.Background(), RunOptions{Listen: ln.Addr().String()}, &out)
	if err == nil || out.Len() != 0 {
		t.Errorf("Run on a taken port: err %v, printed %q; want an error and nothing printed", err, out.String())
	}
}
