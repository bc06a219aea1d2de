package wxsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"time"
)

// endpoint describes one emulated URL path.
type endpoint struct {
	method   string // GET or POST
	business bool   // needs ?access_token= and is subject to the Busy/RateLimit/TokenInvalidAt faults
	json     bool   // the body must be JSON (non-empty, valid, no \u escapes)
	fn       func(s *Sim, c *call) (map[string]any, *apiError)
}

// call is one request as a handler sees it.
type call struct {
	r    *http.Request
	q    url.Values
	body []byte
	drop bool // set by a handler: apply, then drop the connection without answering
}

// decode unmarshals the JSON body into v; a type mismatch is 47001 as at WeChat.
func (c *call) decode(v any) *apiError {
	if err := json.Unmarshal(c.body, v); err != nil {
		return errDataFormat
	}
	return nil
}

// routes maps every emulated path to its endpoint.
var routes map[string]endpoint

func init() {
	routes = map[string]endpoint{
		"/cgi-bin/token":            {method: http.MethodGet, fn: (*Sim).classicToken},
		"/cgi-bin/stable_token":     {method: http.MethodPost, json: true, fn: (*Sim).stableToken},
		"/cgi-bin/ticket/getticket": {method: http.MethodGet, business: true, fn: (*Sim).getTicket},
		"/cgi-bin/media/uploadimg":  {method: http.MethodPost, business: true, fn: (*Sim).uploadImg},
		"/card/code/get":            {method: http.MethodPost, business: true, json: true, fn: (*Sim).codeGet},
		"/card/code/consume":        {method: http.MethodPost, business: true, json: true, fn: (*Sim).codeConsume},
		"/card/code/decrypt":        {method: http.MethodPost, business: true, json: true, fn: (*Sim).codeDecrypt},
		"/card/code/update":         {method: http.MethodPost, business: true, json: true, fn: (*Sim).codeUpdate},
		"/card/code/unavailable":    {method: http.MethodPost, business: true, json: true, fn: (*Sim).codeUnavailable},
		"/card/user/getcardlist":    {method: http.MethodPost, business: true, json: true, fn: (*Sim).userCardList},
		"/card/qrcode/create":       {method: http.MethodPost, business: true, json: true, fn: (*Sim).qrcodeCreate},
		"/card/batchget":            {method: http.MethodPost, business: true, json: true, fn: (*Sim).cardBatchGet},
		"/card/get":                 {method: http.MethodPost, business: true, json: true, fn: (*Sim).cardGet},
		"/card/create":              {method: http.MethodPost, business: true, json: true, fn: (*Sim).cardCreate},
		"/card/update":              {method: http.MethodPost, business: true, json: true, fn: (*Sim).cardUpdate},
		"/card/delete":              {method: http.MethodPost, business: true, json: true, fn: (*Sim).cardDelete},
		"/card/modifystock":         {method: http.MethodPost, business: true, json: true, fn: (*Sim).cardModifyStock},
		"/card/testwhitelist/set":   {method: http.MethodPost, business: true, json: true, fn: (*Sim).testWhitelistSet},
		"/card/paycell/set":         {method: http.MethodPost, business: true, json: true, fn: (*Sim).payCellSet},
		"/card/selfconsumecell/set": {method: http.MethodPost, business: true, json: true, fn: (*Sim).selfConsumeCellSet},
	}
}

// maxBody bounds what a request may send (uploadimg allows 1 MB of image plus the form).
const maxBody = 2 << 20

// ServeHTTP answers one request the way api.weixin.qq.com would, after applying the fault
// switches: Down drops the connection unanswered, Latency delays, Hang holds the request until the
// client gives up (or Hang is switched off), then the method, token and body checks, the
// Busy/RateLimit/TokenInvalidAt faults of business calls, and the endpoint itself.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f := s.faults
	release := s.hangRelease
	if !f.Down {
		s.calls[r.URL.Path]++
	}
	s.mu.Unlock()

	if f.Down {
		dropConnection(w)
		return
	}
	ep, ok := routes[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	// Read the whole body first: only then does net/http watch the connection, so a client that
	// gives up cancels r.Context() while Latency or Hang hold the request.
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return
	}
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if f.Hang && !s.hold(r, release) {
		return
	}

	s.mu.Lock()
	resp, drop := s.handle(ep, r, body)
	s.mu.Unlock()
	if drop {
		dropConnection(w)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// hold keeps a request while Hang is on; it reports false when the client gave up first.
func (s *Sim) hold(r *http.Request, release <-chan struct{}) bool {
	s.mu.Lock()
	s.held++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.held--
		s.mu.Unlock()
	}()
	select {
	case <-r.Context().Done():
		return false
	case <-release:
		return r.Context().Err() == nil
	}
}

// Held reports how many requests the Hang fault is holding now; a request leaves as soon as the
// server notices its client gave up.
func (s *Sim) Held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held
}

// handle runs the checks and the endpoint; callers hold s.mu.
func (s *Sim) handle(ep endpoint, r *http.Request, body []byte) (map[string]any, bool) {
	if r.Method != ep.method {
		if ep.method == http.MethodPost {
			return s.errBody(errNeedPOST), false
		}
		return s.errBody(errNeedGET), false
	}
	q := r.URL.Query()
	if ep.business {
		if e := s.checkToken(q.Get("access_token")); e != nil {
			return s.errBody(e), false
		}
		if s.faults.TokenInvalidAt > 0 {
			s.faults.TokenInvalidAt--
			if s.faults.TokenInvalidAt == 0 {
				return s.errBody(errTokenNotLast), false
			}
		}
		if s.faults.Busy > 0 {
			s.faults.Busy--
			return s.errBody(errBusy), false
		}
		if s.faults.RateLimit > 0 {
			s.faults.RateLimit--
			return s.errBody(errRateLimit), false
		}
	}
	if ep.json {
		if len(body) == 0 {
			return s.errBody(errEmptyPost), false
		}
		if hasUnicodeEscape(body) {
			return s.errBody(errCharset), false
		}
		if !json.Valid(body) {
			return s.errBody(errDataFormat), false
		}
	}
	s.approveDue()
	c := &call{r: r, q: q, body: body}
	resp, e := ep.fn(s, c)
	if e != nil {
		return s.errBody(e), c.drop
	}
	return resp, c.drop
}

// hasUnicodeEscape reports whether a JSON text holds a \uXXXX escape inside a string, which
// WeChat rejects with 40033. An escaped backslash followed by a u is not one.
func hasUnicodeEscape(b []byte) bool {
	in := false
	for i := 0; i < len(b); i++ {
		switch ch := b[i]; {
		case !in && ch == '"':
			in = true
		case in && ch == '"':
			in = false
		case in && ch == '\\':
			if i+1 < len(b) && b[i+1] == 'u' {
				return true
			}
			i++
		}
	}
	return false
}

// dropConnection closes the client's connection without an HTTP answer, so the client sees a
// network error (EOF or reset). Without a hijackable connection (HTTP/2) it aborts the handler.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
