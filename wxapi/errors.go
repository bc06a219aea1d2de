package wxapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Error is an answer from WeChat that carried a non-zero errcode. Msg is WeChat's errmsg with every
// secret the client knows (AppSecret, tokens, tickets) replaced by "***".
type Error struct {
	Code     int    // errcode
	Msg      string // errmsg, redacted, trace suffix included
	Endpoint string // e.g. "/card/code/consume"
	RID      string // the trace id from the " rid: ..." suffix, "" if none
	IP       string // for 40164: the caller IP WeChat saw, "" if it could not be read
}

// Error reports the endpoint, code and message.
func (e *Error) Error() string {
	if e.IP != "" {
		return fmt.Sprintf("wxapi: %s: errcode %d: caller IP %s is not on the API IP whitelist: %s", e.Endpoint, e.Code, e.IP, e.Msg)
	}
	return fmt.Sprintf("wxapi: %s: errcode %d: %s", e.Endpoint, e.Code, e.Msg)
}

// Info explains e's code.
func (e *Error) Info() ErrInfo { return Explain(e.Code) }

// Args is the template data for e's translation key: Code, and IP for 40164.
func (e *Error) Args() map[string]any {
	return map[string]any{"Code": e.Code, "IP": e.IP}
}

// HTTPError is an answer with an HTTP status other than 200, which WeChat itself does not send:
// it comes from a proxy or gateway in between.
type HTTPError struct {
	StatusCode int
	Endpoint   string
}

// Error reports the endpoint and status.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("wxapi: %s: HTTP %d %s", e.Endpoint, e.StatusCode, http.StatusText(e.StatusCode))
}

// gatewayLost reports whether the status means a gateway did not get WeChat's answer.
func (e *HTTPError) gatewayLost() bool {
	return e.StatusCode == http.StatusBadGateway || e.StatusCode == http.StatusGatewayTimeout
}

// NetError is a call whose answer from WeChat was not received: the connection was refused or
// reset, a timeout or the ctx ended, or the answer broke off. Sent says whether any of the request
// may have reached WeChat; when it is false the request certainly did not, so a consume was not
// applied.
type NetError struct {
	Endpoint string
	Sent     bool
	Err      error // the transport error, URLs redacted
}

// Error reports the endpoint, whether the request was sent, and the cause.
func (e *NetError) Error() string {
	how := "not sent"
	if e.Sent {
		how = "answer lost"
	}
	return fmt.Sprintf("wxapi: %s: %s: %v", e.Endpoint, how, e.Err)
}

// Unwrap returns the transport error.
func (e *NetError) Unwrap() error { return e.Err }

func (e *NetError) requestNotSent() bool { return !e.Sent }

// TokenFetchError is a business call that never left the client because no access token (or
// api_ticket) could be had. The business request was not sent.
type TokenFetchError struct {
	Endpoint string // the business call that needed the token
	Err      error  // why the token source failed (*Error, *NetError, ErrTokenThrottled, …)
}

// Error reports the endpoint and the cause.
func (e *TokenFetchError) Error() string {
	return fmt.Sprintf("wxapi: %s: no access token: %v", e.Endpoint, e.Err)
}

// Unwrap returns the token source's error.
func (e *TokenFetchError) Unwrap() error { return e.Err }

func (e *TokenFetchError) requestNotSent() bool { return true }

// ErrTokenThrottled is returned by a token source that refused to fetch again because it already
// fetched too often in the last minute; it guards the daily quota against refresh loops.
var ErrTokenThrottled = errors.New("wxapi: token refresh throttled: too many fetches in the last minute")

// ErrBadRequest marks a request the client refused to send because WeChat would reject it
// (missing required field, text that cannot be sent as raw UTF-8 JSON, bad range).
var ErrBadRequest = errors.New("wxapi: bad request")

// ErrBadAnswer marks an answer from WeChat that could not be read (not JSON, too large).
var ErrBadAnswer = errors.New("wxapi: unreadable answer")

// ErrorCode returns the WeChat errcode behind err.
func ErrorCode(err error) (int, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, true
	}
	return 0, false
}

// IsTokenError reports whether err is WeChat saying the access token is dead, malformed, expired
// or missing (40001, 40014, 42001, 41001). A business call refused for its token was not applied.
func IsTokenError(err error) bool {
	c, ok := ErrorCode(err)
	return ok && Explain(c).Class == ClassToken
}

// IsRetryable reports whether the call was refused without being applied and trying again soon
// may succeed: WeChat busy (-1), the per-minute quota (45011), or a proxy answering 503 or 429.
// Answers that may hide an applied request (502, 504, network errors) are not retryable: see
// IsNetworkError.
func IsRetryable(err error) bool {
	if c, ok := ErrorCode(err); ok {
		return Explain(c).Class == ClassRetryable
	}
	var h *HTTPError
	if errors.As(err, &h) {
		return h.StatusCode == http.StatusServiceUnavailable || h.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// IsPermanent reports whether err is an answer that the same request will always get (unknown
// code, already consumed, no permission, bad appid, …). Requests refused before sending
// (ErrBadRequest) are permanent too.
func IsPermanent(err error) bool {
	if errors.Is(err, ErrBadRequest) {
		return true
	}
	c, ok := ErrorCode(err)
	return ok && Explain(c).Class == ClassPermanent
}

// IsNetworkError reports whether WeChat's answer was not received: refused, reset, timeout, ctx
// deadline, EOF mid-answer, or a gateway (502/504) that lost it. The request may or may not have
// been applied unless IsNotSent also holds.
func IsNetworkError(err error) bool {
	var n *NetError
	if errors.As(err, &n) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var h *HTTPError
	return errors.As(err, &h) && h.gatewayLost()
}

// IsNotSent reports whether the request certainly never reached WeChat: the dial was refused, DNS
// failed, no route, the ctx ended before a byte was written, or no token could be had. A consume
// with IsNotSent was NOT applied. The first marker in err's chain decides.
func IsNotSent(err error) bool {
	var ns interface{ requestNotSent() bool }
	if errors.As(err, &ns) {
		return ns.requestNotSent()
	}
	return errors.Is(err, ErrBadRequest)
}

var (
	ridRE = regexp.MustCompile(`\s(?:rid|hint):\s*\[?([0-9A-Za-z\-]+)\]?\s*$`)
	ipRE  = regexp.MustCompile(`(?i)\bip\s+([0-9a-f:.]+[0-9a-f])`)
)

func newError(endpoint string, code int, msg string) *Error {
	e := &Error{Code: code, Msg: msg, Endpoint: endpoint}
	if m := ridRE.FindStringSubmatch(msg); m != nil {
		e.RID = m[1]
	}
	if code == 40164 {
		if m := ipRE.FindStringSubmatch(msg); m != nil {
			e.IP = m[1]
		}
	}
	return e
}

// redactor replaces known secrets in text: the fixed ones and the token of the call.
type redactor struct {
	secrets []string
	extra   string
}

func (r redactor) redact(s string, extra ...string) string {
	for _, list := range [][]string{r.secrets, {r.extra}, extra} {
		for _, sec := range list {
			if len(sec) >= 4 && strings.Contains(s, sec) {
				s = strings.ReplaceAll(s, sec, "***")
			}
		}
	}
	return redactQuery(s)
}

var queryRE = regexp.MustCompile(`((?:access_token|secret|ticket)=)[^&\s"]+`)

// redactQuery hides access_token=, secret= and ticket= values wherever they appear (URLs in
// transport errors).
func redactQuery(s string) string {
	if !strings.Contains(s, "=") {
		return s
	}
	return queryRE.ReplaceAllString(s, "${1}***")
}

// codeString formats an errcode for keys.
func codeString(code int) string { return strconv.Itoa(code) }
