package wxapi

import (
	"context"
	"errors"
)

// Class says what a caller should do about an errcode.
type Class int

// The classes of errcodes.
const (
	ClassUnknown   Class = iota // not in the reference: show the code, do not retry automatically
	ClassRetryable              // try again after a short backoff (-1, 45011)
	ClassToken                  // the access token is dead: refresh once, retry once
	ClassQuota                  // a daily quota is spent (45009): stop until tomorrow, alert a manager
	ClassPermanent              // the same request always gets this answer
)

// String names the class for logs.
func (c Class) String() string {
	switch c {
	case ClassRetryable:
		return "retryable"
	case ClassToken:
		return "token"
	case ClassQuota:
		return "quota"
	case ClassPermanent:
		return "permanent"
	}
	return "unknown"
}

// ErrInfo explains one errcode: the translation key of its plain words and its class.
type ErrInfo struct {
	Code  int
	Key   string // "wx.err.40099"; "wx.err.unknown" (with {{.Code}}) for codes not in the table
	Class Class
}

// errTable is every errcode of the reference, with its class.
var errTable = map[int]Class{
	-1:    ClassRetryable, // system busy
	40001: ClassToken,     // token overwritten / not latest
	40002: ClassPermanent, // bad grant_type
	40013: ClassPermanent, // bad appid
	40014: ClassToken,     // malformed / unknown token
	40033: ClassPermanent, // \u escape or bad character in the request
	40053: ClassPermanent, // bad action_info
	40056: ClassPermanent, // unknown code / given away / wrong card_id
	40073: ClassPermanent, // bad card_id
	40075: ClassPermanent, // bad encrypt_code
	40078: ClassPermanent, // card not approved
	40079: ClassPermanent, // outside the validity time
	40099: ClassPermanent, // already consumed
	40112: ClassPermanent, // cannot bind openid
	40125: ClassPermanent, // bad secret
	40127: ClassPermanent, // deleted, expired, voided or being gifted
	40164: ClassPermanent, // caller IP not whitelisted
	40243: ClassPermanent, // secret frozen
	41001: ClassToken,     // token missing
	41002: ClassPermanent, // appid missing
	41004: ClassPermanent, // secret missing
	41012: ClassPermanent, // card_id missing
	42001: ClassToken,     // token expired
	43002: ClassPermanent, // needs POST
	45009: ClassQuota,     // daily quota
	45011: ClassRetryable, // per-minute quota
	45030: ClassPermanent, // no permission for this card
	45031: ClassPermanent, // out of stock
	48001: ClassPermanent, // API not authorised
	61007: ClassPermanent, // API not authorised for this third party
	89501: ClassPermanent, // new IP awaits admin confirmation
	89503: ClassPermanent, // new IP awaits admin confirmation
	89506: ClassPermanent, // admin refused the IP
	89507: ClassPermanent, // admin refused the IP, wait 1 hour
}

// KnownCodes lists every errcode Explain has plain words for.
func KnownCodes() []int {
	out := make([]int, 0, len(errTable))
	for c := range errTable {
		out = append(out, c)
	}
	return out
}

// Explain returns the translation key and class of a WeChat errcode.
func Explain(code int) ErrInfo {
	cl, ok := errTable[code]
	if !ok {
		return ErrInfo{Code: code, Key: "wx.err.unknown", Class: ClassUnknown}
	}
	return ErrInfo{Code: code, Key: "wx.err." + codeString(code), Class: cl}
}

// refreshesToken reports whether code is a token error the client answers with one refresh and
// one retry (41001 is not: a missing token is a bug).
func refreshesToken(code int) bool { return code == 40001 || code == 40014 || code == 42001 }

// Describe turns any error from this package into a translation key and its template data, for
// the UI and CLI. Args always holds "Code" (0 when WeChat gave none).
func Describe(err error) (key string, args map[string]any) {
	var we *Error
	var he *HTTPError
	switch {
	case err == nil:
		return "", nil
	case errors.As(err, &we):
		return Explain(we.Code).Key, we.Args()
	case errors.Is(err, ErrTokenThrottled):
		return "wx.client.token_throttled", map[string]any{"Code": 0}
	case errors.Is(err, context.Canceled):
		return "wx.client.cancelled", map[string]any{"Code": 0}
	case IsNotSent(err) && IsNetworkError(err):
		return "wx.client.not_sent", map[string]any{"Code": 0}
	case IsNetworkError(err):
		return "wx.client.answer_lost", map[string]any{"Code": 0}
	case errors.As(err, &he):
		return "wx.client.http", map[string]any{"Code": 0, "Status": he.StatusCode}
	case errors.Is(err, ErrBadRequest):
		return "wx.client.bad_request", map[string]any{"Code": 0}
	case errors.Is(err, ErrBadAnswer):
		return "wx.client.bad_answer", map[string]any{"Code": 0}
	}
	return "wx.client.failed", map[string]any{"Code": 0}
}
