// Package wxsim emulates the WeChat card and coupon API (微信卡券) that CardPOS talks to, as described
// in docs/wechat-card-api.md §2–§8: both token models (classic /cgi-bin/token with its 5-minute grace
// and daily quota, /cgi-bin/stable_token with a shared token and early rotation), the card catalogue,
// the code state machine, encrypt_code, dispatch QR codes and the api_ticket, with WeChat's quirks:
// HTTP 200 for every failure, an errcode, and an errmsg that ends in a " rid: …" trace suffix.
//
// A *Sim is an http.Handler, so tests mount it on httptest.NewServer. Start runs it on a real
// listener (so a network outage can really refuse connections) next to a control listener, and Run
// is the standalone `cardpos sim` command. Fault switches (SetFaults) make it slow, unreachable,
// hanging, busy, rate limited, token-killing, or make it drop the connection after applying a
// consume. The package deliberately does not import wxapi: wxapi's own tests run against it.
package wxsim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DemoAppID and DemoSecret are the account a Sim uses when Options leaves them empty.
const (
	DemoAppID  = "wx5f3c1a9e2b7d4c60"
	DemoSecret = "9f3b0c7e1a2d4f6b8c0e2a4d6f8b1c3e"
)

// Options configures a Sim. The zero value is a valid, empty account with the demo appid/secret.
type Options struct {
	AppID, Secret string           // the account; defaults DemoAppID / DemoSecret
	Now           func() time.Time // injectable clock; default time.Now
	Seed          string           // "" (empty account) or SeedDemo ("demo")
	StatePath     string           // if set: load at start, save after every state change (atomic write)
	IPWhitelist   []string         // optional: the classic token endpoint answers 40164 "invalid ip X" for other callers

	// ClassicDailyQuota is how many /cgi-bin/token calls succeed per day (Beijing time) before
	// 45009; 0 means WeChat's 2000.
	ClassicDailyQuota int
	// StableMinuteQuota and StableDailyQuota limit /cgi-bin/stable_token (45011 / 45009);
	// 0 means WeChat's 10,000 a minute and 500,000 a day.
	StableMinuteQuota, StableDailyQuota int
	// LegacyCodeGet makes card/code/get answer in the legacy shape: user_card_status and
	// can_consume (as the string "true"/"false") inside "card".
	LegacyCodeGet bool
	// HintSuffix makes errmsg end in the older " hint: [xxxx]" trace suffix instead of " rid: …".
	HintSuffix bool
	// ReviewDelay is how long a card made by card/create (or sent back by card/update) stays
	// CARD_STATUS_NOT_VERIFY before it is approved; 0 means 10 minutes, negative means at once.
	ReviewDelay time.Duration
}

// Sim is one emulated WeChat official account. It implements http.Handler and is safe for
// concurrent use. It starts no goroutines of its own.
type Sim struct {
	appID, secret string
	nowFn         func() time.Time
	statePath     string
	whitelist     map[string]bool
	legacy        bool
	hint          bool
	classicQuota  int
	stableMinute  int
	stableDaily   int
	reviewDelay   time.Duration
	encKey        []byte

	mu          sync.Mutex
	st          *state
	cardByID    map[string]*card
	codeByCode  map[string]*code
	faults      Faults
	hangRelease chan struct{}
	held        int
	calls       map[string]int
	consumes    map[string]int
	watchers    []func(Faults)
	ridSeq      uint32
	saveErr     error
}

// New makes a Sim. With StatePath set and the file present, the saved state is loaded and Seed is
// ignored; otherwise the seed is applied (and saved when StatePath is set).
func New(opts Options) (*Sim, error) {
	s := &Sim{
		appID:        opts.AppID,
		secret:       opts.Secret,
		nowFn:        opts.Now,
		statePath:    opts.StatePath,
		legacy:       opts.LegacyCodeGet,
		hint:         opts.HintSuffix,
		classicQuota: opts.ClassicDailyQuota,
		stableMinute: opts.StableMinuteQuota,
		stableDaily:  opts.StableDailyQuota,
		reviewDelay:  opts.ReviewDelay,
		calls:        map[string]int{},
		consumes:     map[string]int{},
		hangRelease:  make(chan struct{}),
	}
	if s.appID == "" {
		s.appID = DemoAppID
	}
	if s.secret == "" {
		s.secret = DemoSecret
	}
	if s.nowFn == nil {
		s.nowFn = time.Now
	}
	if s.classicQuota == 0 {
		s.classicQuota = 2000
	}
	if s.stableMinute == 0 {
		s.stableMinute = 10000
	}
	if s.stableDaily == 0 {
		s.stableDaily = 500000
	}
	if s.reviewDelay == 0 {
		s.reviewDelay = 10 * time.Minute
	}
	if len(opts.IPWhitelist) > 0 {
		s.whitelist = map[string]bool{}
		for _, ip := range opts.IPWhitelist {
			s.whitelist[strings.TrimSpace(ip)] = true
		}
	}
	s.encKey = encryptKey(s.appID)
	s.st = newState()
	s.reindex()

	loaded := false
	if s.statePath != "" {
		ok, err := s.load()
		if err != nil {
			return nil, err
		}
		loaded = ok
	}
	if !loaded {
		switch opts.Seed {
		case "":
		case SeedDemo:
			if err := s.seedDemo(); err != nil {
				return nil, fmt.Errorf("wxsim: demo seed: %w", err)
			}
		default:
			return nil, fmt.Errorf("%w %q (want \"\" or %q)", ErrUnknownSeed, opts.Seed, SeedDemo)
		}
		if s.statePath != "" {
			if err := s.save(); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// ErrUnknownSeed is returned by New for a Seed other than "" and "demo".
var ErrUnknownSeed = errors.New("wxsim: unknown seed")

// AppID returns the account's appid.
func (s *Sim) AppID() string { return s.appID }

// Secret returns the account's AppSecret.
func (s *Sim) Secret() string { return s.secret }

// Now returns the emulator's clock: Options.Now plus every AdvanceClock so far.
func (s *Sim) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func (s *Sim) now() time.Time {
	return s.nowFn().Add(time.Duration(s.st.ClockOffset) * time.Second)
}

// AdvanceClock moves the emulator's clock forward by d (whole seconds), as if that time had
// passed: tokens expire, codes expire by date, cards under review get approved.
func (s *Sim) AdvanceClock(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.ClockOffset += int64(d / time.Second)
	s.changed()
}

// SaveError reports the last error from writing StatePath, or nil.
func (s *Sim) SaveError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saveErr
}

// apiError is an answer with a non-zero errcode.
type apiError struct {
	code int
	msg  string
}

func errf(code int, format string, args ...any) *apiError {
	return &apiError{code: code, msg: fmt.Sprintf(format, args...)}
}

// The errors WeChat answers most, with its own wording.
var (
	errBusy          = &apiError{-1, "system error"}
	errTokenMissing  = &apiError{41001, "access_token missing"}
	errTokenInvalid  = &apiError{40014, "invalid access_token"}
	errTokenNotLast  = &apiError{40001, "invalid credential, access_token is invalid or not latest"}
	errTokenExpired  = &apiError{42001, "access_token expired"}
	errRateLimit     = &apiError{45011, "api minute-quota reach limit  mustslower  retry next minute"}
	errDailyQuota    = &apiError{45009, "reach max api daily quota limit"}
	errNeedPOST      = &apiError{43002, "require POST method"}
	errNeedGET       = &apiError{43001, "require GET method"}
	errDataFormat    = &apiError{47001, "data format error"}
	errEmptyPost     = &apiError{44002, "empty post data"}
	errCharset       = &apiError{40033, "invalid charset. please check your request, if include \\uxxxx will create fail!"}
	errMissingFields = &apiError{41011, "missing required fields! please check document and request json!"}
	errBadCode       = &apiError{40056, "invalid serial code"}
	errConsumed      = &apiError{40099, "invalid code, this code has consumed."}
	errCardStatus    = &apiError{40127, "invalid user-card status! Hint: the card was given to user, but may be deleted or expired or set unavailable !"}
	errNotInTime     = &apiError{40079, "not inside valid time"}
	errEncryptCode   = &apiError{40075, "invalid encrypt code"}
	errCardID        = &apiError{40073, "invalid card id"}
	errMissingCardID = &apiError{41012, "missing card id"}
	errCardNotOK     = &apiError{40078, "invalid card status"}
	errArgs          = &apiError{40097, "invalid args"}
	errCardType      = &apiError{40071, "invalid card type"}
	errActionInfo    = &apiError{40053, "invalid action info"}
	errOutOfStock    = &apiError{45031, "stock is out"}
	errBindOpenID    = &apiError{40112, "can not set bind openid"}
	errOpenID        = &apiError{40003, "invalid openid"}
	errFieldLength   = &apiError{45021, "field length out of limit"}
)

// rid makes the trace suffix WeChat appends to every errmsg: three groups of 8 hex digits, the
// first the clock's unix seconds (so it starts with 6 these years), then a counter and noise.
func (s *Sim) rid() string {
	s.ridSeq++
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%08x-%08x-%s", uint32(s.now().Unix()), s.ridSeq, hex.EncodeToString(b[:]))
}

// writeJSON writes v as WeChat does: HTTP 200, raw UTF-8, no HTML escaping.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// errBody renders an error answer; callers hold s.mu.
func (s *Sim) errBody(e *apiError) map[string]any {
	if s.hint {
		s.ridSeq++
		return map[string]any{"errcode": e.code, "errmsg": fmt.Sprintf("%s hint: [%05X%s]", e.msg, s.ridSeq%0xFFFFF, "ge10")}
	}
	return map[string]any{"errcode": e.code, "errmsg": e.msg + " rid: " + s.rid()}
}

// okBody starts a success answer of a business call.
func okBody() map[string]any {
	return map[string]any{"errcode": 0, "errmsg": "ok"}
}

// clientIP is the caller's address without the port.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
