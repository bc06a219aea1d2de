package wxsim_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cardpos/cardpos/wxapi"
	"github.com/cardpos/cardpos/wxapi/wxsim"
)

// These tests show the product's client (wxapi) reacting to every fault switch of the emulator,
// over real HTTP.

type faultEnv struct {
	sim *wxsim.Sim
	url string
	c   *wxapi.Client
}

func newFaultEnv(t *testing.T) *faultEnv {
	t.Helper()
	s, err := wxsim.New(wxsim.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &faultEnv{sim: s, url: srv.URL, c: newClient(t, s, srv.URL)}
}

func newClient(t *testing.T, s *wxsim.Sim, base string) *wxapi.Client {
	hc := wxapi.DefaultHTTPClient()
	t.Cleanup(hc.CloseIdleConnections)
	c := wxapi.New(wxapi.Config{BaseURL: base, AppID: s.AppID(), Secret: s.Secret(), HTTPClient: hc,
		Retry: wxapi.RetryPolicy{BusyDelay: 5 * time.Millisecond, RateLimitDelay: 5 * time.Millisecond}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Warm(ctx); err != nil {
		t.Fatalf("Warm: %v", err)
	}
	return c
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func status(t *testing.T, s *wxsim.Sim, code string) string {
	t.Helper()
	st, ok := s.CodeStatus(code)
	if !ok {
		t.Fatalf("no code %s", code)
	}
	return st
}

func TestClientLatency(t *testing.T) {
	e := newFaultEnv(t)
	e.sim.SetFaults(wxsim.Faults{Latency: 300 * time.Millisecond})
	_, err := e.c.GetCode(ctxFor(t, 100*time.Millisecond), "100000000001", "", true)
	if !wxapi.IsNetworkError(err) {
		t.Fatalf("deadline shorter than the latency: %v, want a network error", err)
	}
	began := time.Now()
	info, err := e.c.GetCode(ctxFor(t, 5*time.Second), "100000000001", "", true)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took < 300*time.Millisecond || !info.CanConsume {
		t.Errorf("took %v (want ≥ 300 ms), info %+v", took, info)
	}
}

// TestClientDown: with the listener closed the consume is refused at dial, so the client knows it
// was not applied; after Down goes off the same client redeems.
func TestClientDown(t *testing.T) {
	s, err := wxsim.New(wxsim.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := wxsim.Start(context.Background(), s, "", "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := newClient(t, s, r.URL)
	s.SetFaults(wxsim.Faults{Down: true})
	time.Sleep(50 * time.Millisecond) // let the client's pool notice its closed keep-alive connection
	_, err = c.ConsumeCode(ctxFor(t, 3*time.Second), "100000000005", "")
	if !wxapi.IsNetworkError(err) || !wxapi.IsNotSent(err) {
		t.Fatalf("consume while down: %v, want a network error that was not sent", err)
	}
	if got := status(t, s, "100000000005"); got != "NORMAL" {
		t.Errorf("status %s after a refused consume, want NORMAL", got)
	}
	if got := s.Consumes("100000000005"); got != 0 {
		t.Errorf("Consumes = %d, want 0", got)
	}
	s.SetFaults(wxsim.Faults{})
	if _, err := c.ConsumeCode(ctxFor(t, 3*time.Second), "100000000005", ""); err != nil {
		t.Fatalf("consume after Down off: %v", err)
	}
}

func TestClientHang(t *testing.T) {
	e := newFaultEnv(t)
	e.sim.SetFaults(wxsim.Faults{Hang: true})
	began := time.Now()
	_, err := e.c.GetCode(ctxFor(t, 200*time.Millisecond), "100000000001", "", true)
	if !wxapi.IsNetworkError(err) {
		t.Fatalf("hung request: %v, want a network error", err)
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("client gave up after %v, want about its 200 ms deadline", took)
	}
	// A consume that hangs and is given up on has not been applied here: the emulator holds it
	// before doing anything, so a reconcile finds the code NORMAL.
	_, err = e.c.ConsumeCode(ctxFor(t, 200*time.Millisecond), "100000000006", "")
	if !wxapi.IsNetworkError(err) {
		t.Fatalf("hung consume: %v", err)
	}
	waitFor(t, func() bool { return e.sim.Held() == 0 }) // the server has seen the client go
	e.sim.SetFaults(wxsim.Faults{})
	info, err := e.c.GetCode(ctxFor(t, 3*time.Second), "100000000006", "", false)
	if err != nil || info.Status != wxapi.StatusNormal {
		t.Errorf("reconcile after a hung consume: %+v %v, want NORMAL", info, err)
	}
}

// TestClientHangReleased: switching Hang off releases a held request, which is then answered.
func TestClientHangReleased(t *testing.T) {
	e := newFaultEnv(t)
	e.sim.SetFaults(wxsim.Faults{Hang: true})
	done := make(chan error, 1)
	go func() {
		_, err := e.c.GetCode(ctxFor(t, 5*time.Second), "100000000001", "", true)
		done <- err
	}()
	waitFor(t, func() bool { return e.sim.Held() == 1 })
	e.sim.SetFaults(wxsim.Faults{})
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("released request: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("request still held after Hang went off")
	}
}

func TestClientBusy(t *testing.T) {
	e := newFaultEnv(t)
	e.sim.SetFaults(wxsim.Faults{Busy: 2})
	if _, err := e.c.GetCode(ctxFor(t, 3*time.Second), "100000000001", "", true); err != nil {
		t.Fatalf("GetCode through two busy answers: %v", err)
	}
	if got := e.sim.Calls("/card/code/get"); got != 3 {
		t.Errorf("code/get calls %d, want 3 (two busy, one answered)", got)
	}
	// Consume is never retried on busy: the error comes back and nothing was applied.
	e.sim.SetFaults(wxsim.Faults{Busy: 1})
	_, err := e.c.ConsumeCode(ctxFor(t, 3*time.Second), "100000000007", "")
	if code, _ := wxapi.ErrorCode(err); code != -1 || !wxapi.IsRetryable(err) {
		t.Fatalf("consume on busy: %v, want errcode -1, retryable", err)
	}
	if got := e.sim.Calls("/card/code/consume"); got != 1 {
		t.Errorf("consume calls %d, want 1 (no automatic retry)", got)
	}
	if got := status(t, e.sim, "100000000007"); got != "NORMAL" {
		t.Errorf("status %s, want NORMAL", got)
	}
}

func TestClientRateLimit(t *testing.T) {
	e := newFaultEnv(t)
	e.sim.SetFaults(wxsim.Faults{RateLimit: 1})
	if _, err := e.c.GetCode(ctxFor(t, 3*time.Second), "100000000001", "", true); err != nil {
		t.Fatalf("GetCode after one 45011: %v", err)
	}
	if got := e.sim.Calls("/card/code/get"); got != 2 {
		t.Errorf("code/get calls %d, want 2", got)
	}
	e.sim.SetFaults(wxsim.Faults{RateLimit: 5})
	_, err := e.c.GetCode(ctxFor(t, 3*time.Second), "100000000001", "", true)
	if code, _ := wxapi.ErrorCode(err); code != 45011 {
		t.Fatalf("GetCode under a lasting 45011: %v, want errcode 45011 after the retries", err)
	}
	if left := e.sim.Faults().RateLimit; left != 2 {
		t.Errorf("RateLimit left %d, want 2 (three attempts made)", left)
	}
}

// TestClientTokenInvalidAt: a 40001 on a consume makes the client refresh the token once and
// retry once; WeChat applied nothing the first time, so the code is consumed exactly once.
func TestClientTokenInvalidAt(t *testing.T) {
	e := newFaultEnv(t)
	before := e.sim.Calls("/cgi-bin/stable_token")
	e.sim.SetFaults(wxsim.Faults{TokenInvalidAt: 1})
	res, err := e.c.ConsumeCode(ctxFor(t, 3*time.Second), "100000000008", "")
	if err != nil {
		t.Fatalf("consume after a 40001: %v", err)
	}
	if res.OpenID != e.sim.CodeOpenID("100000000008") {
		t.Errorf("openid %q, want the holder's", res.OpenID)
	}
	if got := e.sim.Calls("/cgi-bin/stable_token") - before; got != 1 {
		t.Errorf("token fetches %d, want 1 refresh", got)
	}
	if got := e.sim.Calls("/card/code/consume"); got != 2 {
		t.Errorf("consume calls %d, want 2", got)
	}
	if got := status(t, e.sim, "100000000008"); got != "CONSUMED" {
		t.Errorf("status %s, want CONSUMED", got)
	}
	// The N-th call from now: two calls pass, the third gets 40001 (and is retried).
	e.sim.SetFaults(wxsim.Faults{TokenInvalidAt: 3})
	for i := 0; i < 3; i++ {
		if _, err := e.c.GetCode(ctxFor(t, 3*time.Second), "100000000001", "", false); err != nil {
			t.Fatalf("GetCode %d: %v", i, err)
		}
	}
	if got := e.sim.Calls("/card/code/get"); got != 4 {
		t.Errorf("code/get calls %d, want 4 (one retried)", got)
	}
}

// TestClientDropAfterConsume: the consume is applied, the answer lost; the client reports a
// network error that may have been applied, a retry answers 40099, and code/get with
// check_consume false shows CONSUMED with the same openid — the reconcile path.
func TestClientDropAfterConsume(t *testing.T) {
	e := newFaultEnv(t)
	const code = "100000000009"
	holder := e.sim.CodeOpenID(code)
	e.sim.SetFaults(wxsim.Faults{DropAfterConsume: 1})
	_, err := e.c.ConsumeCode(ctxFor(t, 3*time.Second), code, "")
	if !wxapi.IsNetworkError(err) || wxapi.IsNotSent(err) {
		t.Fatalf("dropped consume: %v, want a network error after sending", err)
	}
	var ne *wxapi.NetError
	if !errors.As(err, &ne) || !ne.Sent {
		t.Errorf("error %v: want *wxapi.NetError with Sent", err)
	}
	if got := status(t, e.sim, code); got != "CONSUMED" {
		t.Fatalf("status %s, want CONSUMED (applied before the drop)", got)
	}
	_, err = e.c.ConsumeCode(ctxFor(t, 3*time.Second), code, "")
	if c, _ := wxapi.ErrorCode(err); c != 40099 {
		t.Errorf("retry: %v, want 40099", err)
	}
	info, err := e.c.GetCode(ctxFor(t, 3*time.Second), code, "", false)
	if err != nil || info.Status != wxapi.StatusConsumed || info.OpenID != holder || info.CanConsume {
		t.Errorf("reconcile: %+v %v, want CONSUMED by %s", info, err, holder)
	}
	if got := e.sim.Consumes(code); got != 2 {
		t.Errorf("Consumes = %d, want 2", got)
	}
	if left := e.sim.Faults().DropAfterConsume; left != 0 {
		t.Errorf("DropAfterConsume left %d, want 0", left)
	}
}

// TestClientDecryptStrict: the client sends the encrypt_code as given; one that lost its '+'
// to URL decoding is 40075.
func TestClientDecryptStrict(t *testing.T) {
	e := newFaultEnv(t)
	enc := e.sim.EncryptCode("100000000009")
	got, err := e.c.DecryptCode(ctxFor(t, 3*time.Second), enc)
	if err != nil || got != "100000000009" {
		t.Fatalf("decrypt: %q %v", got, err)
	}
	_, err = e.c.DecryptCode(ctxFor(t, 3*time.Second), strings.ReplaceAll(enc, "+", " "))
	if c, _ := wxapi.ErrorCode(err); c != 40075 {
		t.Errorf("damaged encrypt_code: %v, want 40075", err)
	}
}

// TestControlFaultsJSON: the control API's faults shape round-trips through Faults.
func TestControlFaultsJSON(t *testing.T) {
	f := wxsim.Faults{Latency: 1500 * time.Millisecond, Busy: 1, DropAfterConsume: 2}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"latency_ms":1500`) {
		t.Errorf("JSON %s lacks latency_ms", b)
	}
	var back wxsim.Faults
	if err := json.Unmarshal(b, &back); err != nil || back != f {
		t.Errorf("round trip: %+v %v, want %+v", back, err, f)
	}
}

// waitFor polls cond for up to 3 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 3 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
