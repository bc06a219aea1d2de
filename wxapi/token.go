package wxapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// TokenSource hands out access tokens. Token returns a token that is believed valid; Invalidate
// tells the source that WeChat refused token as dead, and the source forgets it only if it is
// still the one it holds (compare-and-expire), so a late report never throws away a newer token.
// Implementations are safe for concurrent use.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
	Invalidate(token string)
}

// FetchFunc fetches a fresh token or ticket. stale is the token last reported dead through
// Invalidate ("" if none): a remote token service uses it for a passive refresh. ttl is how long
// the answer stays valid from now.
type FetchFunc func(ctx context.Context, stale string) (token string, ttl time.Duration, err error)

// CacheOptions tune a CachedSource. Zero values take the defaults.
type CacheOptions struct {
	// RefreshAhead is how long before expiry a background refresh starts (default 4 minutes:
	// stable_token only hands out the next token in the last 5 minutes of the current one).
	RefreshAhead time.Duration
	// Margin is how long before expiry a token is no longer handed out at all (default 30 s).
	Margin time.Duration
	// FetchTimeout bounds one fetch, which runs detached from the caller's ctx (default 10 s).
	FetchTimeout time.Duration
	// MaxFetchesPerMinute stops refresh loops from burning the daily quota (default 10).
	MaxFetchesPerMinute int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// CachedSource caches the result of a FetchFunc with single-flight fetching: N concurrent callers
// of an empty or expired cache cause one fetch. In the last RefreshAhead of a token's life Token
// still returns it at once and starts one background fetch; that goroutine is owned by the source
// and stops when the fetch returns, at most FetchTimeout later.
type CachedSource struct {
	fetch FetchFunc
	opt   CacheOptions

	mu        sync.Mutex
	tok       string
	expires   time.Time // when WeChat stops accepting tok
	stale     string    // last token reported dead
	inflight  *fetchCall
	fetchLog  []time.Time // fetch start times in the last minute
	fetchedBg bool        // a background refresh of tok already ran
}

type fetchCall struct {
	done chan struct{}
	tok  string
	err  error
}

// NewCachedSource wraps fetch in a cache. Most callers want NewStableTokenSource.
func NewCachedSource(fetch FetchFunc, opt CacheOptions) *CachedSource {
	if opt.RefreshAhead <= 0 {
		opt.RefreshAhead = 4 * time.Minute
	}
	if opt.Margin <= 0 {
		opt.Margin = 30 * time.Second
	}
	if opt.FetchTimeout <= 0 {
		opt.FetchTimeout = 10 * time.Second
	}
	if opt.MaxFetchesPerMinute <= 0 {
		opt.MaxFetchesPerMinute = 10
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &CachedSource{fetch: fetch, opt: opt}
}

// Token returns the cached token, fetching one when there is none or it is about to expire.
// Waiting callers return when ctx ends; the fetch itself carries on for the others.
func (s *CachedSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	now := s.opt.Now()
	if s.tok != "" && now.Before(s.expires.Add(-s.opt.Margin)) {
		tok := s.tok
		if !s.fetchedBg && s.inflight == nil && !now.Before(s.expires.Add(-s.opt.RefreshAhead)) {
			if c := s.startLocked(now); c != nil {
				s.fetchedBg = true
			}
		}
		s.mu.Unlock()
		return tok, nil
	}
	c := s.inflight
	if c == nil {
		c = s.startLocked(now)
		if c == nil {
			s.mu.Unlock()
			return "", ErrTokenThrottled
		}
	}
	s.mu.Unlock()
	select {
	case <-c.done:
		return c.tok, c.err
	case <-ctx.Done():
		return "", context.Cause(ctx)
	}
}

// startLocked starts one fetch goroutine, or returns nil when the per-minute limit is spent.
func (s *CachedSource) startLocked(now time.Time) *fetchCall {
	keep := s.fetchLog[:0]
	for _, t := range s.fetchLog {
		if now.Sub(t) < time.Minute {
			keep = append(keep, t)
		}
	}
	s.fetchLog = keep
	if len(s.fetchLog) >= s.opt.MaxFetchesPerMinute {
		return nil
	}
	s.fetchLog = append(s.fetchLog, now)
	c := &fetchCall{done: make(chan struct{})}
	s.inflight = c
	stale := s.stale
	go s.run(c, stale)
	return c
}

// run performs one fetch; it is the goroutine started by startLocked and ends with the fetch.
func (s *CachedSource) run(c *fetchCall, stale string) {
	ctx, cancel := context.WithTimeout(context.Background(), s.opt.FetchTimeout)
	defer cancel()
	start := s.opt.Now()
	tok, ttl, err := s.fetch(ctx, stale)
	s.mu.Lock()
	if err == nil {
		if tok != s.tok {
			s.fetchedBg = false
		}
		s.tok, s.expires = tok, start.Add(ttl)
	}
	s.inflight = nil
	s.mu.Unlock()
	c.tok, c.err = tok, err
	close(c.done)
}

// Invalidate forgets token if it is still the cached one.
func (s *CachedSource) Invalidate(token string) {
	s.mu.Lock()
	if token != "" && token == s.tok {
		s.tok, s.stale, s.fetchedBg = "", token, false
	}
	s.mu.Unlock()
}

// Expires reports the cached token's expiry, zero when none is cached.
func (s *CachedSource) Expires() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == "" {
		return time.Time{}
	}
	return s.expires
}

// tokenAnswer is the answer of the token and ticket endpoints.
type tokenAnswer struct {
	envelope
	AccessToken string `json:"access_token"`
	Ticket      string `json:"ticket"`
	ExpiresIn   int64  `json:"expires_in"`
}

// TokenEndpoint says where and as whom a token source fetches.
type TokenEndpoint struct {
	BaseURL    string       // default "https://api.weixin.qq.com"
	AppID      string       // required
	Secret     string       // required; never logged or put in errors
	HTTPClient *http.Client // default: the same timeouts as Config's default
}

func (e *TokenEndpoint) defaults() {
	if e.BaseURL == "" {
		e.BaseURL = DefaultBaseURL
	}
	if e.HTTPClient == nil {
		e.HTTPClient = DefaultHTTPClient()
	}
}

// NewStableTokenSource caches tokens from /cgi-bin/stable_token in normal mode (force_refresh
// false): every process of one account converges on the same token without sharing a cache. It
// is the default and the right choice for a fleet of terminals. baseURL "" means WeChat's host,
// hc nil the default HTTP client.
func NewStableTokenSource(baseURL, appID, secret string, hc *http.Client) *CachedSource {
	return NewCachedSource(StableTokenFetch(TokenEndpoint{BaseURL: baseURL, AppID: appID, Secret: secret, HTTPClient: hc}), CacheOptions{})
}

// NewClassicTokenSource caches tokens from GET /cgi-bin/token. Every fetch mints a new token and
// kills the previous one five minutes later, so only one process per account may use it (opt-in,
// for a central token server).
func NewClassicTokenSource(baseURL, appID, secret string, hc *http.Client) *CachedSource {
	return NewCachedSource(ClassicTokenFetch(TokenEndpoint{BaseURL: baseURL, AppID: appID, Secret: secret, HTTPClient: hc}), CacheOptions{})
}

// StableTokenFetch is the FetchFunc of /cgi-bin/stable_token (normal mode), for
// NewCachedSource with options of one's own.
func StableTokenFetch(ep TokenEndpoint) FetchFunc {
	ep.defaults()
	rd := redactor{secrets: []string{ep.Secret}}
	const endpoint = "/cgi-bin/stable_token"
	return func(ctx context.Context, _ string) (string, time.Duration, error) {
		body, err := marshalJSON(map[string]any{
			"grant_type": "client_credential", "appid": ep.AppID, "secret": ep.Secret, "force_refresh": false,
		})
		if err != nil {
			return "", 0, fmt.Errorf("wxapi: %s: %w", endpoint, err)
		}
		ctx, st := traced(ctx)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.BaseURL+endpoint, bytes.NewReader(body))
		if err != nil {
			return "", 0, fmt.Errorf("wxapi: %s: %w: %s", endpoint, ErrBadRequest, rd.redact(err.Error()))
		}
		req.Header.Set("Content-Type", "application/json")
		return fetchToken(ep.HTTPClient, req, st, endpoint, rd)
	}
}

// ClassicTokenFetch is the FetchFunc of GET /cgi-bin/token, for NewCachedSource with options of
// one's own.
func ClassicTokenFetch(ep TokenEndpoint) FetchFunc {
	ep.defaults()
	rd := redactor{secrets: []string{ep.Secret}}
	const endpoint = "/cgi-bin/token"
	return func(ctx context.Context, _ string) (string, time.Duration, error) {
		q := url.Values{"grant_type": {"client_credential"}, "appid": {ep.AppID}, "secret": {ep.Secret}}
		ctx, st := traced(ctx)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, ep.BaseURL+endpoint+"?"+q.Encode(), nil)
		if err != nil {
			return "", 0, fmt.Errorf("wxapi: %s: %w: %s", endpoint, ErrBadRequest, rd.redact(err.Error()))
		}
		return fetchToken(ep.HTTPClient, req, st, endpoint, rd)
	}
}

// fetchToken sends a token request and reads its answer.
func fetchToken(hc *http.Client, req *http.Request, st *sentTracker, endpoint string, rd redactor) (string, time.Duration, error) {
	var ans tokenAnswer
	if err := roundTrip(hc, req, st, endpoint, rd, &ans); err != nil {
		return "", 0, err
	}
	if ans.AccessToken == "" || ans.ExpiresIn <= 0 {
		return "", 0, fmt.Errorf("wxapi: %s: no access_token in answer: %w", endpoint, ErrBadAnswer)
	}
	return ans.AccessToken, time.Duration(ans.ExpiresIn) * time.Second, nil
}

// FixedTokenSource always returns one token: for tests and for a token handed over by another
// program. Invalidate only records the report.
type FixedTokenSource struct {
	token string
	mu    sync.Mutex
	dead  bool
}

// NewFixedTokenSource returns a source that always answers token.
func NewFixedTokenSource(token string) *FixedTokenSource { return &FixedTokenSource{token: token} }

// Token returns the fixed token.
func (f *FixedTokenSource) Token(context.Context) (string, error) { return f.token, nil }

// Invalidate records that WeChat refused the token.
func (f *FixedTokenSource) Invalidate(token string) {
	f.mu.Lock()
	if token == f.token {
		f.dead = true
	}
	f.mu.Unlock()
}

// Refused reports whether WeChat refused the token at least once.
func (f *FixedTokenSource) Refused() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dead
}

// NewRemoteTokenSource caches tokens from a central token service (中控服务器) reached through
// fetch, so a terminal never holds the AppSecret. fetch receives the token last reported dead
// so the service can refresh passively.
func NewRemoteTokenSource(fetch FetchFunc, opt CacheOptions) *CachedSource {
	return NewCachedSource(fetch, opt)
}
