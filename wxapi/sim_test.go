package wxapi

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardpos/cardpos/wxapi/wxsim"
)

// simEnv is one emulated account served over real HTTP, with a client pointed at it.
type simEnv struct {
	sim   *wxsim.Sim
	srv   *httptest.Server
	c     *Client
	clk   *fakeClock
	dials atomic.Int64 // TCP connections the client opened
}

type envOption func(*wxsim.Options, *Config)

// newSimEnv starts the demo account on httptest and a client on a shared fake clock. The
// server's URL carries a path prefix so that an absolute path in the client fails loudly.
func newSimEnv(t testing.TB, opts ...envOption) *simEnv {
	t.Helper()
	e := &simEnv{clk: &fakeClock{t: time.Date(2026, 12, 4, 4, 0, 0, 0, time.UTC)}}
	so := wxsim.Options{Seed: "demo", Now: e.clk.Now}
	cfg := Config{Retry: RetryPolicy{BusyDelay: 5 * time.Millisecond, RateLimitDelay: 10 * time.Millisecond}}
	for _, o := range opts {
		o(&so, &cfg)
	}
	sim, err := wxsim.New(so)
	if err != nil {
		t.Fatal(err)
	}
	e.sim = sim
	mux := http.NewServeMux()
	mux.Handle("/wx/", http.StripPrefix("/wx", sim))
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	d := &net.Dialer{Timeout: 3 * time.Second}
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			e.dials.Add(1)
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 8,
	}}
	t.Cleanup(hc.CloseIdleConnections)
	cfg.BaseURL, cfg.AppID, cfg.Secret, cfg.HTTPClient = e.srv.URL+"/wx", sim.AppID(), sim.Secret(), hc
	cfg.TokenCache.Now = e.clk.Now
	e.c = New(cfg)
	return e
}

// sample returns the seeded sample with code.
func (e *simEnv) sample(t testing.TB, code string) wxsim.Sample {
	t.Helper()
	for _, s := range e.sim.Samples() {
		if s.Code == code {
			return s
		}
	}
	t.Fatalf("no sample code %s", code)
	return wxsim.Sample{}
}

// cardOf returns the card id of the first sample of card type typ.
func (e *simEnv) cardOf(t testing.TB, typ CardType) string {
	t.Helper()
	for _, s := range e.sim.Samples() {
		if s.CardType == string(typ) {
			return s.CardID
		}
	}
	t.Fatalf("no sample card of type %s", typ)
	return ""
}
