package wxapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const cannedCodeGet = `{"errcode":0,"errmsg":"ok","card":{"card_id":"pbLatjk4T4Hx-QFQGL4zGQy27_Qg","begin_time":1457452800,"end_time":1463155199},"openid":"obLatjm43RA5C6QfMO5szKYnT3dM","can_consume":true,"user_card_status":"NORMAL"}`

// memTransport answers every request with a canned body, in memory: what is left is the
// client's own cost per call (URL, request, trace, encode, decode, errcode check).
type memTransport struct{}

func (memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(cannedCodeGet)), Request: r}, nil
}

// BenchmarkClientOverhead is GetCode with no network at all.
func BenchmarkClientOverhead(b *testing.B) {
	c := New(Config{BaseURL: "http://wx.invalid", Tokens: NewFixedTokenSource("TOKEN"), HTTPClient: &http.Client{Transport: memTransport{}}})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetCode(ctx, "110201201245", "", true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawHTTPBaseline is the same exchange done by hand with net/http over loopback, and
// BenchmarkClientLoopback is the client over the same server: the difference is the client's cost.
func BenchmarkRawHTTPBaseline(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, cannedCodeGet)
	}))
	defer srv.Close()
	hc := srv.Client()
	body := []byte(`{"code":"110201201245","check_consume":true}`)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := hc.Post(srv.URL+"/card/code/get?access_token=TOKEN", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func BenchmarkClientLoopback(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, cannedCodeGet)
	}))
	defer srv.Close()
	c := New(Config{BaseURL: srv.URL, Tokens: NewFixedTokenSource("TOKEN"), HTTPClient: srv.Client()})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetCode(ctx, "110201201245", "", true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetCodeEmulator is a warm client against the emulator over loopback, with the
// default stable-token source; it reports the dials and token fetches per call (both 0 warm).
func BenchmarkGetCodeEmulator(b *testing.B) {
	e := newSimEnv(b)
	ctx := context.Background()
	if err := e.c.Warm(ctx); err != nil {
		b.Fatal(err)
	}
	dials, tokens := e.dials.Load(), e.sim.Calls("/cgi-bin/stable_token")
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if _, err := e.c.GetCode(ctx, "100000000001", "", true); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(e.dials.Load()-dials)/float64(n), "dials/op")
	b.ReportMetric(float64(e.sim.Calls("/cgi-bin/stable_token")-tokens)/float64(n), "tokenfetches/op")
}
