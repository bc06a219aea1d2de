package wxapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardpos/cardpos/wxapi/wxsim"
)

func TestTokenDeadMidFlightRefreshesOnceRetriesOnce(t *testing.T) {
	for _, consume := range []bool{false, true} {
		name := "code/get"
		if consume {
			name = "code/consume"
		}
		t.Run(name, func(t *testing.T) {
			e := newSimEnv(t)
			ctx := context.Background()
			if _, err := e.c.GetCode(ctx, "100000000004", "", false); err != nil { // warm
				t.Fatal(err)
			}
			tok1, _ := e.c.Tokens().Token(ctx)
			// A forced refresh elsewhere (or the fault) kills the token on the next business call.
			e.sim.SetFaults(wxsim.Faults{TokenInvalidAt: 1})
			endpoint := "/card/code/get"
			var err error
			if consume {
				endpoint = "/card/code/consume"
				_, err = e.c.ConsumeCode(ctx, "100000000004", "")
			} else {
				_, err = e.c.GetCode(ctx, "100000000004", "", true)
			}
			if err != nil {
				t.Fatalf("call after 40001: %v", err)
			}
			if got := e.sim.Calls("/cgi-bin/stable_token"); got != 2 {
				t.Errorf("token fetches = %d, want 2 (start + one refresh)", got)
			}
			if got := e.sim.Calls(endpoint); (consume && got != 2) || (!consume && got != 3) {
				t.Errorf("%s calls = %d, want the refused one and one retry", endpoint, got)
			}
			if tok2, _ := e.c.Tokens().Token(ctx); tok2 == "" {
				t.Errorf("no token after refresh (was %q)", tok1)
			}
			if consume {
				if st, _ := e.sim.CodeStatus("100000000004"); st != "CONSUMED" {
					t.Errorf("status after retried consume = %s", st)
				}
			}
		})
	}
}

func TestTokenDeadTwiceIsNotALoop(t *testing.T) {
	e := newSimEnv(t)
	ctx := context.Background()
	// A token WeChat never accepts: the client refreshes once, retries once, and stops.
	fixed := NewFixedTokenSource("not-a-token")
	bad := New(Config{BaseURL: e.srv.URL + "/wx", Tokens: fixed, HTTPClient: e.srv.Client()})
	_, err := bad.GetCode(ctx, "100000000001", "", false)
	if !IsTokenError(err) {
		t.Fatalf("err = %v, want a token error", err)
	}
	if got := e.sim.Calls("/card/code/get"); got != 2 {
		t.Errorf("code/get calls = %d, want 2 (one retry, no loop)", got)
	}
	if !fixed.Refused() {
		t.Error("the dead token was not reported to its source")
	}
}

func TestHundredCallersOneTokenFetch(t *testing.T) {
	e := newSimEnv(t)
	ctx := context.Background()
	run := func() {
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for range 100 {
			wg.Go(func() {
				if _, err := e.c.GetCode(ctx, "300000000001", "", false); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
	run() // cold cache
	if got := e.sim.Calls("/cgi-bin/stable_token"); got != 1 {
		t.Fatalf("cold: token fetches = %d, want 1", got)
	}
	e.clk.Add(2*time.Hour + time.Minute) // the token has expired for client and emulator alike
	run()
	if got := e.sim.Calls("/cgi-bin/stable_token"); got != 2 {
		t.Errorf("expired: token fetches = %d, want 2", got)
	}
	if got := e.sim.Calls("/card/code/get"); got != 200 {
		t.Errorf("code/get calls = %d, want 200 (no token-dead retries)", got)
	}
}

func TestUnicodeEscapeIsNeverSent(t *testing.T) {
	e := newSimEnv(t)
	ctx := context.Background()
	tok, err := e.c.Tokens().Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The emulator rejects an escaped request as WeChat does: this is what the client avoids.
	resp, err := http.Post(e.srv.URL+"/wx/card/code/get?access_token="+tok, "application/json",
		strings.NewReader(`{"code":"\u0031\u0030\u0030000000001"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte(`"errcode":40033`)) {
		t.Fatalf("emulator answered %s to a \\u escape, want 40033", body)
	}
	// Text Go would escape (<, >, &, U+2028) goes through raw and comes back intact.
	id := e.cardOf(t, CardCash)
	desc := "<满100减20> & 更多\u2029"
	if _, err := e.c.UpdateCard(ctx, id, CardCash, CardUpdate{Description: &desc}); err != nil {
		t.Fatalf("UpdateCard with <>& and U+2029: %v", err)
	}
	if c, err := e.c.GetCard(ctx, id); err != nil || c.Base.Description != desc {
		t.Errorf("description reads back %q, %v; want %q", c.Base.Description, err, desc)
	}
	// A control character cannot be sent raw: refused before sending.
	bell := "响铃\a"
	before := e.sim.Calls("/card/update")
	if _, err := e.c.UpdateCard(ctx, id, CardCash, CardUpdate{Description: &bell}); !errors.Is(err, ErrBadRequest) || !IsNotSent(err) {
		t.Errorf("control character: err = %v, want ErrBadRequest", err)
	}
	if e.sim.Calls("/card/update") != before {
		t.Error("a request with a control character was sent")
	}
}

func TestBackoffOnBusyAndRateLimit(t *testing.T) {
	tests := []struct {
		name   string
		faults wxsim.Faults
		calls  int
		minDur time.Duration
	}{
		{"busy twice", wxsim.Faults{Busy: 2}, 3, (5*3/4 + 10*3/4) * time.Millisecond},
		{"45011 once", wxsim.Faults{RateLimit: 1}, 2, 10 * 3 / 4 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSimEnv(t)
			ctx := context.Background()
			if _, err := e.c.Tokens().Token(ctx); err != nil {
				t.Fatal(err)
			}
			e.sim.SetFaults(tt.faults)
			start := time.Now()
			info, err := e.c.GetCode(ctx, "100000000001", "", true)
			if err != nil || info.Status != StatusNormal {
				t.Fatalf("GetCode = %+v, %v", info, err)
			}
			if d := time.Since(start); d < tt.minDur {
				t.Errorf("took %v, want ≥ %v of backoff", d, tt.minDur)
			}
			if got := e.sim.Calls("/card/code/get"); got != tt.calls {
				t.Errorf("code/get calls = %d, want %d", got, tt.calls)
			}
		})
	}
	t.Run("gives up after MaxAttempts", func(t *testing.T) {
		e := newSimEnv(t)
		e.sim.SetFaults(wxsim.Faults{Busy: 10})
		_, err := e.c.GetCode(context.Background(), "100000000001", "", true)
		wantCode(t, err, -1)
		if !IsRetryable(err) || e.sim.Calls("/card/code/get") != 3 {
			t.Errorf("retryable %v after %d calls, want true after 3", IsRetryable(err), e.sim.Calls("/card/code/get"))
		}
	})
	t.Run("consume is not retried", func(t *testing.T) {
		e := newSimEnv(t)
		e.sim.SetFaults(wxsim.Faults{Busy: 1})
		_, err := e.c.ConsumeCode(context.Background(), "100000000005", "")
		wantCode(t, err, -1)
		if got := e.sim.Calls("/card/code/consume"); got != 1 {
			t.Errorf("consume calls = %d, want 1", got)
		}
		if st, _ := e.sim.CodeStatus("100000000005"); st != "NORMAL" {
			t.Errorf("status = %s, want NORMAL", st)
		}
	})
}

func TestCancelStopsBackoffAtOnce(t *testing.T) {
	e := newSimEnv(t, func(_ *wxsim.Options, c *Config) { c.Retry = RetryPolicy{BusyDelay: 5 * time.Second, MaxAttempts: 5} })
	if _, err := e.c.Tokens().Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.sim.SetFaults(wxsim.Faults{Busy: 10})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := e.c.GetCode(ctx, "100000000001", "", true)
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancel took %v to stop the backoff", d)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	wantCode(t, err, -1)

	// A deadline shorter than the next wait returns the answer at once instead of sleeping.
	e.sim.SetFaults(wxsim.Faults{Busy: 10})
	ctx2, cancel2 := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel2()
	start = time.Now()
	_, err = e.c.GetCode(ctx2, "100000000001", "", true)
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("deadline-bound call took %v", d)
	}
	wantCode(t, err, -1)
}

func TestNetworkErrorsTellSentFromNotSent(t *testing.T) {
	ctx := context.Background()
	t.Run("refused at dial", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c := New(Config{BaseURL: "http://" + addr, Tokens: NewFixedTokenSource("TOKEN-abcdef")})
		_, err = c.ConsumeCode(ctx, "100000000001", "")
		if !IsNetworkError(err) || !IsNotSent(err) {
			t.Fatalf("err = %v: network %v, not sent %v; want both", err, IsNetworkError(err), IsNotSent(err))
		}
		if strings.Contains(err.Error(), "TOKEN-abcdef") {
			t.Errorf("error text leaks the token: %v", err)
		}
	})
	t.Run("token endpoint unreachable", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		c := New(Config{BaseURL: "http://" + addr, AppID: "wx1", Secret: "SECRET-0123456789"})
		_, err := c.ConsumeCode(ctx, "100000000001", "")
		if !IsNetworkError(err) || !IsNotSent(err) {
			t.Errorf("err = %v, want network and not sent", err)
		}
		if strings.Contains(err.Error(), "SECRET-0123456789") {
			t.Errorf("error text leaks the secret: %v", err)
		}
	})
	t.Run("gateway timeout", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "upstream timed out", http.StatusGatewayTimeout)
		}))
		defer srv.Close()
		c := New(Config{BaseURL: srv.URL, Tokens: NewFixedTokenSource("TOKEN"), HTTPClient: srv.Client()})
		_, err := c.ConsumeCode(ctx, "100000000001", "")
		var he *HTTPError
		if !errors.As(err, &he) || he.StatusCode != 504 || !IsNetworkError(err) || IsNotSent(err) || IsRetryable(err) {
			t.Errorf("err = %v: want *HTTPError 504, network, maybe sent, not retryable", err)
		}
	})
	t.Run("consume applied, answer dropped", func(t *testing.T) {
		e := newSimEnv(t)
		if _, err := e.c.Tokens().Token(ctx); err != nil {
			t.Fatal(err)
		}
		e.sim.SetFaults(wxsim.Faults{DropAfterConsume: 1})
		_, err := e.c.ConsumeCode(ctx, "100000000006", "")
		if !IsNetworkError(err) || IsNotSent(err) {
			t.Fatalf("err = %v: network %v, not sent %v; want network, maybe sent", err, IsNetworkError(err), IsNotSent(err))
		}
		if got := e.sim.Calls("/card/code/consume"); got != 1 {
			t.Errorf("consume calls = %d, want 1 (never retried)", got)
		}
		// Reconcile: the code is consumed, by the same openid.
		info, err := e.c.GetCode(ctx, "100000000006", "", false)
		if err != nil || info.Status != StatusConsumed || info.OpenID != e.sim.CodeOpenID("100000000006") {
			t.Errorf("reconcile GetCode = %+v, %v", info, err)
		}
	})
	t.Run("hang until deadline", func(t *testing.T) {
		e := newSimEnv(t)
		if _, err := e.c.Tokens().Token(ctx); err != nil {
			t.Fatal(err)
		}
		e.sim.SetFaults(wxsim.Faults{Hang: true})
		defer e.sim.SetFaults(wxsim.Faults{})
		ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		_, err := e.c.ConsumeCode(ctx, "100000000007", "")
		if !IsNetworkError(err) || IsNotSent(err) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v: network %v, not sent %v", err, IsNetworkError(err), IsNotSent(err))
		}
	})
	t.Run("cancelled before sending", func(t *testing.T) {
		e := newSimEnv(t)
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := e.c.ConsumeCode(ctx, "100000000008", "")
		if !IsNotSent(err) || !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want not sent and Canceled", err)
		}
		if e.sim.Calls("/card/code/consume") != 0 {
			t.Error("a consume was sent on a cancelled ctx")
		}
	})
}

func TestIPWhitelistErrorNamesTheIP(t *testing.T) {
	e := newSimEnv(t, func(o *wxsim.Options, _ *Config) { o.IPWhitelist = []string{"203.0.113.9"} })
	c := New(Config{BaseURL: e.srv.URL + "/wx", HTTPClient: e.srv.Client(),
		Tokens: NewClassicTokenSource(e.srv.URL+"/wx", e.sim.AppID(), e.sim.Secret(), e.srv.Client())})
	_, err := c.GetCode(context.Background(), "100000000001", "", true)
	wantCode(t, err, 40164)
	var we *Error
	if !errors.As(err, &we) || we.IP != "127.0.0.1" {
		t.Fatalf("err = %v, want IP 127.0.0.1 in *Error", err)
	}
	if !IsNotSent(err) {
		t.Error("a call refused for want of a token must count as not sent")
	}
	key, args := Describe(err)
	if key != "wx.err.40164" || args["IP"] != "127.0.0.1" {
		t.Errorf("Describe = %s %v", key, args)
	}
	if strings.Contains(err.Error(), e.sim.Secret()) {
		t.Errorf("error leaks the secret: %v", err)
	}
}

func TestLogsAndErrorsCarryNoSecrets(t *testing.T) {
	var logs bytes.Buffer
	e := newSimEnv(t, func(_ *wxsim.Options, c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	ctx := context.Background()
	tok, err := e.c.Tokens().Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	_, err = e.c.GetCode(ctx, "999999999999", "", true)
	errs = append(errs, err)
	e.sim.SetFaults(wxsim.Faults{DropAfterConsume: 1})
	_, err = e.c.ConsumeCode(ctx, "100000000001", "")
	errs = append(errs, err)
	ticket, _ := e.c.APITicket(ctx)
	if logs.Len() == 0 {
		t.Fatal("no log lines at debug level")
	}
	for _, secret := range []string{e.sim.Secret(), tok, ticket} {
		if secret == "" {
			continue
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("logs contain a secret:\n%s", logs.String())
		}
		for _, err := range errs {
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("error contains a secret: %v", err)
			}
		}
	}
}

func TestWarmClientAddsNoRoundTrip(t *testing.T) {
	e := newSimEnv(t)
	ctx := context.Background()
	if err := e.c.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	dials, tokens := e.dials.Load(), e.sim.Calls("/cgi-bin/stable_token")
	for range 50 {
		if _, err := e.c.GetCode(ctx, "100000000001", "", true); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.dials.Load() - dials; got != 0 {
		t.Errorf("50 warm calls opened %d new connections, want 0", got)
	}
	if got := e.sim.Calls("/cgi-bin/stable_token") - tokens; got != 0 {
		t.Errorf("50 warm calls fetched %d tokens, want 0", got)
	}
	if got := e.sim.Calls("/card/code/get"); got != 50 {
		t.Errorf("code/get calls = %d, want exactly 50 (one round trip each)", got)
	}
}

func TestBusyTokenServiceIsBackedOff(t *testing.T) {
	e := newSimEnv(t)
	real := NewStableTokenSource(e.srv.URL+"/wx", e.sim.AppID(), e.sim.Secret(), e.srv.Client())
	var fetches int
	remote := NewRemoteTokenSource(func(ctx context.Context, stale string) (string, time.Duration, error) {
		fetches++
		if fetches == 1 {
			return "", 0, newError("/token-service", -1, "system error")
		}
		tok, err := real.Token(ctx)
		return tok, time.Hour, err
	}, CacheOptions{})
	c := New(Config{BaseURL: e.srv.URL + "/wx", HTTPClient: e.srv.Client(), Tokens: remote,
		Retry: RetryPolicy{BusyDelay: 5 * time.Millisecond}})
	if _, err := c.GetCode(context.Background(), "100000000001", "", true); err != nil {
		t.Fatalf("GetCode after one busy token answer: %v", err)
	}
	if fetches != 2 {
		t.Errorf("token service fetches = %d, want 2", fetches)
	}
	// A consume is not backed off, even for its token: the caller decides.
	fetches = 0
	remote2 := NewRemoteTokenSource(func(context.Context, string) (string, time.Duration, error) {
		fetches++
		return "", 0, newError("/token-service", -1, "system error")
	}, CacheOptions{})
	c2 := New(Config{BaseURL: e.srv.URL + "/wx", HTTPClient: e.srv.Client(), Tokens: remote2})
	_, err := c2.ConsumeCode(context.Background(), "100000000001", "")
	if !IsNotSent(err) || !IsRetryable(err) || fetches != 1 {
		t.Errorf("consume with a busy token service: err = %v after %d fetches; want not sent, retryable, 1", err, fetches)
	}
}
