package wxsim

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"
)

// Token model constants, as WeChat documents them.
const (
	tokenLife      = 7200 // seconds a token lives
	tokenGrace     = 300  // classic: the previous token lives this much longer; stable: rotation lead
	forceDaily     = 20   // stable force_refresh calls a day
	forceSpacing   = 30   // seconds between two force_refresh calls
	ticketLife     = 7200 // api_ticket life
	tokenRetention = 86400
)

// beijing is the zone WeChat's daily quotas reset in.
var beijing = time.FixedZone("CST", 8*3600)

func dayOf(t time.Time) string { return t.In(beijing).Format("2006-01-02") }

// mintToken makes a fresh random token of about WeChat's length and shape ("86_" + url-safe base64).
func (s *Sim) mintToken(stable bool, now int64) string {
	b := make([]byte, 100)
	_, _ = rand.Read(b)
	tok := "86_" + base64.RawURLEncoding.EncodeToString(b)
	s.st.Tokens[tok] = &token{Stable: stable, Issued: now, Expires: now + tokenLife}
	for k, t := range s.st.Tokens {
		if t.Expires < now-tokenRetention {
			delete(s.st.Tokens, k)
		}
	}
	return tok
}

// checkToken answers the token errors of a business call: 41001 missing, 40014 unknown or
// malformed, 42001 expired, 40001 overwritten (classic past its grace, or killed by force_refresh).
func (s *Sim) checkToken(tok string) *apiError {
	if tok == "" {
		return errTokenMissing
	}
	t, ok := s.st.Tokens[tok]
	if !ok {
		return errTokenInvalid
	}
	now := s.now().Unix()
	if now >= t.Expires {
		return errTokenExpired
	}
	if t.DeadAt != 0 && now >= t.DeadAt {
		return errTokenNotLast
	}
	return nil
}

// checkAccount validates appid and secret as both token endpoints do.
func (s *Sim) checkAccount(grant, appid, secret string) *apiError {
	if grant != "client_credential" {
		return errf(40002, "invalid grant_type")
	}
	if appid == "" {
		return errf(41002, "appid missing")
	}
	if appid != s.appID {
		return errf(40013, "invalid appid")
	}
	if secret == "" {
		return errf(41004, "appsecret missing")
	}
	if secret != s.secret {
		return errf(40125, "invalid appsecret")
	}
	return nil
}

// classicToken is GET /cgi-bin/token: a new token on every call; the previous one stays valid for
// 5 more minutes; a daily quota (45009); the optional IP whitelist (40164).
func (s *Sim) classicToken(c *call) (map[string]any, *apiError) {
	if e := s.checkAccount(c.q.Get("grant_type"), c.q.Get("appid"), c.q.Get("secret")); e != nil {
		return nil, e
	}
	if s.whitelist != nil {
		if ip := clientIP(c.r); !s.whitelist[ip] {
			if strings.Contains(ip, ":") {
				return nil, errf(40164, "invalid ip %s, not in whitelist", ip)
			}
			return nil, errf(40164, "invalid ip %s ipv6 ::ffff:%s, not in whitelist", ip, ip)
		}
	}
	nowT := s.now()
	now := nowT.Unix()
	if day := dayOf(nowT); s.st.ClassicDay != day {
		s.st.ClassicDay, s.st.ClassicCount = day, 0
	}
	if s.st.ClassicCount >= s.classicQuota {
		return nil, errDailyQuota
	}
	s.st.ClassicCount++
	if prev, ok := s.st.Tokens[s.st.ClassicLatest]; ok && prev.DeadAt == 0 {
		prev.DeadAt = min(now+tokenGrace, prev.Expires)
	}
	tok := s.mintToken(false, now)
	s.st.ClassicLatest = tok
	s.changed()
	return map[string]any{"access_token": tok, "expires_in": tokenLife}, nil
}

// stableToken is POST /cgi-bin/stable_token: one shared token, rotated 5 minutes before expiry
// with both valid in the overlap (so expires_in is always ≥ 300); force_refresh kills it, at most
// 20 times a day and 30 s apart; 10,000 calls a minute and 500,000 a day.
func (s *Sim) stableToken(c *call) (map[string]any, *apiError) {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	if e := s.checkAccount(req.GrantType, req.AppID, req.Secret); e != nil {
		return nil, e
	}
	nowT := s.now()
	now := nowT.Unix()
	if day := dayOf(nowT); s.st.StableDay != day {
		s.st.StableDay, s.st.StableCount = day, 0
	}
	if minute := now / 60; s.st.StableMinute != minute {
		s.st.StableMinute, s.st.StableMinCnt = minute, 0
	}
	if s.st.StableCount >= s.stableDaily {
		return nil, errDailyQuota
	}
	if s.st.StableMinCnt >= s.stableMinute {
		return nil, errRateLimit
	}
	s.st.StableCount++
	s.st.StableMinCnt++

	cur, ok := s.st.Tokens[s.st.StableCurrent]
	alive := ok && now < cur.Expires && (cur.DeadAt == 0 || now < cur.DeadAt)
	switch {
	case req.ForceRefresh:
		if day := dayOf(nowT); s.st.ForceDay != day {
			s.st.ForceDay, s.st.ForceCount = day, 0
		}
		if s.st.ForceCount >= forceDaily {
			return nil, errDailyQuota
		}
		if s.st.LastForce != 0 && now-s.st.LastForce < forceSpacing {
			return nil, errf(45011, "api minute-quota reach limit  mustslower  retry next minute (force_refresh at most once in %d s)", forceSpacing)
		}
		s.st.ForceCount++
		s.st.LastForce = now
		for _, t := range s.st.Tokens {
			if t.Stable && (t.DeadAt == 0 || t.DeadAt > now) {
				t.DeadAt = now
			}
		}
		s.st.StableCurrent = s.mintToken(true, now)
	case !alive || cur.Expires-now < tokenGrace:
		s.st.StableCurrent = s.mintToken(true, now)
	}
	s.changed()
	t := s.st.Tokens[s.st.StableCurrent]
	return map[string]any{"access_token": s.st.StableCurrent, "expires_in": t.Expires - now}, nil
}

// getTicket is GET /cgi-bin/ticket/getticket?type=wx_card: the card api_ticket, the same one
// until it expires.
func (s *Sim) getTicket(c *call) (map[string]any, *apiError) {
	if c.q.Get("type") != "wx_card" {
		return nil, errf(40097, "invalid args, type must be wx_card")
	}
	now := s.now().Unix()
	if s.st.APITicket == "" || now >= s.st.APITicketExpires {
		b := make([]byte, 64)
		_, _ = rand.Read(b)
		s.st.APITicket = base64.RawURLEncoding.EncodeToString(b)
		s.st.APITicketExpires = now + ticketLife
		s.changed()
	}
	resp := okBody()
	resp["ticket"] = s.st.APITicket
	resp["expires_in"] = s.st.APITicketExpires - now
	return resp, nil
}
