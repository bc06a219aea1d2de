// Package wxapi is CardPOS's client of the WeChat card and coupon API (微信卡券): access tokens
// that are safe for a fleet of terminals, the redemption and card-management endpoints with typed
// answers, typed errors with plain-words keys, and the signatures and message crypto of the
// server-side pieces. It knows nothing of storage or the UI.
//
// Tokens: a TokenSource hands out access tokens; the default caches /cgi-bin/stable_token
// (normal mode), fetches single-flight, refreshes in the background in the last minutes of a
// token's life, and on 40001/40014/42001 forgets the token only if it is still the one that
// failed, fetches once and retries the call once.
//
// Errors: *Error is an errcode answer (Explain gives its translation key and Class);
// *NetError is an answer not received, with Sent false when the request certainly never
// left (IsNotSent); *TokenFetchError is a call not sent for want of a token; *HTTPError is a
// proxy's non-200. ConsumeCode is never retried on anything but a dead token, because WeChat
// answers 40099 to the retry of a consume whose answer was lost.
package wxapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"
	"time"
	"unicode/utf8"
)

// DefaultBaseURL is WeChat's API host.
const DefaultBaseURL = "https://api.weixin.qq.com"

// maxAnswer bounds the size of one answer read into memory.
const maxAnswer = 8 << 20

// Config sets up a Client. Only AppID and Secret (or Tokens) are required.
type Config struct {
	BaseURL    string       // default "https://api.weixin.qq.com"
	AppID      string       // the official account's appid
	Secret     string       // the AppSecret; only used by the default token source, never logged
	HTTPClient *http.Client // default DefaultHTTPClient()
	Tokens     TokenSource  // default: stable_token normal mode with AppID/Secret
	Logger     *slog.Logger // default: discard; secrets are never passed to it
	Retry      RetryPolicy  // backoff on -1 and 45011; zero fields take the defaults
	// TokenCache tunes the default token source and the api_ticket cache.
	TokenCache CacheOptions
}

// RetryPolicy is the backoff on WeChat busy (-1) and the per-minute quota (45011). It never applies
// to ConsumeCode. Delays double per attempt, with ±25 % jitter, capped at MaxDelay; a wait that
// would pass the ctx deadline is not started.
type RetryPolicy struct {
	MaxAttempts    int           // attempts in all, default 3
	BusyDelay      time.Duration // first wait after -1, default 300 ms
	RateLimitDelay time.Duration // first wait after 45011, default 2 s
	MaxDelay       time.Duration // default 10 s
}

func (p *RetryPolicy) defaults() {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 3
	}
	if p.BusyDelay <= 0 {
		p.BusyDelay = 300 * time.Millisecond
	}
	if p.RateLimitDelay <= 0 {
		p.RateLimitDelay = 2 * time.Second
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 10 * time.Second
	}
}

// delay is the wait before attempt n+1 after an answer with code.
func (p *RetryPolicy) delay(code, n int) time.Duration {
	d := p.BusyDelay
	if code == 45011 {
		d = p.RateLimitDelay
	}
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	return d - d/4 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// Client talks to WeChat. It is safe for concurrent use; make one per account and share it.
type Client struct {
	base   string
	appID  string
	hc     *http.Client
	tokens TokenSource
	log    *slog.Logger
	rd     redactor
	retry  RetryPolicy
	ticket *CachedSource
}

// DefaultHTTPClient returns an *http.Client with the timeouts a till needs: dial 3 s, TLS 3 s,
// response header 8 s, and a keep-alive pool so a warm client reuses its connection.
func DefaultHTTPClient() *http.Client {
	d := &net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   3 * time.Second,
		ResponseHeaderTimeout: 8 * time.Second,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          16,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}}
}

// New makes a Client from cfg.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = DefaultHTTPClient()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Tokens == nil {
		cfg.Tokens = NewCachedSource(StableTokenFetch(TokenEndpoint{
			BaseURL: cfg.BaseURL, AppID: cfg.AppID, Secret: cfg.Secret, HTTPClient: cfg.HTTPClient,
		}), cfg.TokenCache)
	}
	cfg.Retry.defaults()
	c := &Client{
		base: cfg.BaseURL, appID: cfg.AppID, hc: cfg.HTTPClient, tokens: cfg.Tokens, log: cfg.Logger,
		rd: redactor{secrets: []string{cfg.Secret}}, retry: cfg.Retry,
	}
	c.ticket = NewCachedSource(c.fetchTicket, cfg.TokenCache)
	return c
}

// Tokens returns the client's token source.
func (c *Client) Tokens() TokenSource { return c.tokens }

// Warm fetches the access token and, through a first api_ticket call, opens a kept-alive
// connection, so the first scan of the day pays for neither. Call it at start-up with a ctx that
// has a timeout; an error says which step failed (*TokenFetchError for the token).
func (c *Client) Warm(ctx context.Context) error {
	if _, err := c.tokens.Token(ctx); err != nil {
		return &TokenFetchError{Endpoint: "warm", Err: err}
	}
	_, err := c.APITicket(ctx)
	return err
}

// envelope is the errcode/errmsg pair every answer may carry.
type envelope struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func (e *envelope) env() *envelope { return e }

// answer is a wire answer type: it embeds envelope.
type answer interface{ env() *envelope }

// call is one business request.
type call struct {
	method    string // default POST
	endpoint  string // "/card/code/get"
	query     string // extra query, already encoded, e.g. "type=wx_card"
	body      []byte
	ctype     string // default application/json
	noBackoff bool   // ConsumeCode: only the token-dead retry
}

// postJSON sends v as JSON to endpoint and decodes the answer into out.
func (c *Client) postJSON(ctx context.Context, endpoint string, v any, out answer) error {
	body, err := marshalJSON(v)
	if err != nil {
		return fmt.Errorf("wxapi: %s: %w", endpoint, err)
	}
	return c.do(ctx, &call{endpoint: endpoint, body: body}, out)
}

// do runs a call: token, request, errcode check, one token-dead retry, backoff on -1 / 45011.
func (c *Client) do(ctx context.Context, cl *call, out answer) error {
	if out == nil {
		out = &envelope{}
	}
	refreshed := false
	for attempt := 1; ; attempt++ {
		tok, err := c.tokens.Token(ctx)
		if err != nil {
			// No token: the business request is not sent. A busy token endpoint is backed off
			// like a busy business call.
			err = &TokenFetchError{Endpoint: cl.endpoint, Err: err}
		} else {
			start := time.Now()
			err = c.send(ctx, cl, tok, out)
			c.logCall(ctx, cl.endpoint, attempt, start, err)
			if err == nil {
				return nil
			}
		}
		var we *Error
		if !errors.As(err, &we) {
			return err
		}
		if tok != "" && refreshesToken(we.Code) && !refreshed {
			refreshed = true
			c.tokens.Invalidate(tok)
			attempt--
			continue
		}
		if cl.noBackoff || Explain(we.Code).Class != ClassRetryable || attempt >= c.retry.MaxAttempts {
			return err
		}
		d := c.retry.delay(we.Code, attempt)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			return err
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("wxapi: %s: backoff stopped: %w; last answer: %w", cl.endpoint, context.Cause(ctx), err)
		}
	}
}

func (c *Client) logCall(ctx context.Context, endpoint string, attempt int, start time.Time, err error) {
	if !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	code, _ := ErrorCode(err)
	lvl := slog.LevelDebug
	if err != nil {
		lvl = slog.LevelWarn
	}
	attrs := []slog.Attr{slog.String("endpoint", endpoint), slog.Int("attempt", attempt),
		slog.Duration("took", time.Since(start)), slog.Int("errcode", code)}
	if err != nil {
		attrs = append(attrs, slog.String("err", err.Error())) // errors are redacted at creation
	}
	c.log.LogAttrs(ctx, lvl, "wxapi call", attrs...)
}

// send makes one HTTP exchange of cl with token tok.
func (c *Client) send(ctx context.Context, cl *call, tok string, out answer) error {
	u := c.base + cl.endpoint + "?access_token=" + url.QueryEscape(tok)
	if cl.query != "" {
		u += "&" + cl.query
	}
	method := cl.method
	if method == "" {
		method = http.MethodPost
	}
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	ctx, st := traced(ctx)
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("wxapi: %s: %w: %s", cl.endpoint, ErrBadRequest, c.rd.redact(err.Error(), tok))
	}
	if cl.body != nil {
		ct := cl.ctype
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	*out.env() = envelope{}
	return roundTrip(c.hc, req, st, cl.endpoint, redactor{secrets: c.rd.secrets, extra: tok}, out)
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// sentTracker records whether any of a request was written.
type sentTracker struct {
	mu   sync.Mutex
	sent bool
}

func (s *sentTracker) wrote() {
	s.mu.Lock()
	s.sent = true
	s.mu.Unlock()
}

func (s *sentTracker) wroteField(string, []string) { s.wrote() }

func (s *sentTracker) get() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent
}

// traced returns ctx with a trace that records whether any of the request was written.
func traced(ctx context.Context) (context.Context, *sentTracker) {
	st := &sentTracker{}
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteHeaderField: st.wroteField,
		WroteHeaders:     st.wrote,
	}), st
}

// roundTrip sends req, whose ctx came from traced with st, and decodes a 200 answer into out,
// checking errcode.
func roundTrip(hc *http.Client, req *http.Request, st *sentTracker, endpoint string, rd redactor, out answer) error {
	resp, err := hc.Do(req)
	if err != nil {
		return &NetError{Endpoint: endpoint, Sent: st.get(), Err: redactTransport(err, rd)}
	}
	defer resp.Body.Close()
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return &NetError{Endpoint: endpoint, Sent: true, Err: redactTransport(err, rd)}
	}
	if resp.StatusCode != http.StatusOK {
		return &HTTPError{StatusCode: resp.StatusCode, Endpoint: endpoint}
	}
	if n > maxAnswer {
		return fmt.Errorf("wxapi: %s: answer over %d bytes: %w", endpoint, maxAnswer, ErrBadAnswer)
	}
	if err := json.Unmarshal(buf.Bytes(), out); err != nil {
		var env envelope
		if json.Unmarshal(buf.Bytes(), &env) == nil && env.ErrCode != 0 {
			return newError(endpoint, env.ErrCode, rd.redact(env.ErrMsg))
		}
		return fmt.Errorf("wxapi: %s: %w: %s", endpoint, ErrBadAnswer, rd.redact(err.Error()))
	}
	if e := out.env(); e.ErrCode != 0 {
		return newError(endpoint, e.ErrCode, rd.redact(e.ErrMsg))
	}
	return nil
}

// redactTransport rebuilds a transport error with secrets hidden from its text, keeping the
// chain (context.DeadlineExceeded, *net.OpError, …) for errors.Is/As.
func redactTransport(err error, rd redactor) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: rd.redact(ue.URL), Err: ue.Err}
	}
	return err
}

// marshalJSON encodes v as raw UTF-8 JSON, the only form WeChat accepts: no HTML escaping, and no
// \u escape anywhere (U+2028/U+2029 are written raw). Text that JSON can only carry as a \u escape
// (control characters, invalid UTF-8) is refused with ErrBadRequest instead of earning 40033.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	if !bytes.Contains(out, []byte(`\u`)) {
		return out, nil
	}
	return unescapeU(out)
}

// unescapeU rewrites the \u escapes of Go's encoder into raw UTF-8 where JSON allows it.
func unescapeU(in []byte) ([]byte, error) {
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		ch := in[i]
		if ch != '\\' || i+1 >= len(in) {
			out = append(out, ch)
			continue
		}
		if in[i+1] != 'u' {
			out = append(out, ch, in[i+1])
			i++
			continue
		}
		if i+6 > len(in) {
			return nil, fmt.Errorf("%w: truncated escape", ErrBadRequest)
		}
		switch string(in[i+2 : i+6]) {
		case "2028":
			out = utf8.AppendRune(out, '\u2028')
		case "2029":
			out = utf8.AppendRune(out, '\u2029')
		case "fffd":
			return nil, fmt.Errorf("%w: text is not valid UTF-8", ErrBadRequest)
		default:
			return nil, fmt.Errorf("%w: control character \\u%s cannot be sent to WeChat", ErrBadRequest, in[i+2:i+6])
		}
		i += 5
	}
	return out, nil
}
