package wxsim

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// The user_card_status values.
const (
	stNormal      = "NORMAL"
	stConsumed    = "CONSUMED"
	stExpire      = "EXPIRE"
	stGifting     = "GIFTING"
	stGiftTimeout = "GIFT_TIMEOUT"
	stDelete      = "DELETE"
	stUnavailable = "UNAVAILABLE"
)

// permanentEnd is the end_time WeChat reports for DATE_TYPE_PERMANENT cards.
const permanentEnd int64 = 4294967222295

// dayStart is midnight (Beijing time) of the day holding unix second t.
func dayStart(t int64) int64 {
	y, m, d := time.Unix(t, 0).In(beijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, beijing).Unix()
}

// window is the validity of one code: the card's fixed range, or the term counted from the day
// the code was received, or permanent.
func window(cd *card, c *code) (begin, end int64) {
	di := cd.Base.DateInfo
	switch di.Type {
	case "DATE_TYPE_FIX_TIME_RANGE":
		return di.BeginTimestamp, di.EndTimestamp
	case "DATE_TYPE_FIX_TERM":
		begin = dayStart(c.ReceivedAt) + int64(di.FixedBeginTerm)*86400
		return begin, begin + int64(di.FixedTerm)*86400 - 1
	default:
		return c.ReceivedAt, permanentEnd
	}
}

// status is a code's user_card_status now: a NORMAL code past its end reads EXPIRE, and one of a
// deleted card reads UNAVAILABLE. Callers hold s.mu.
func (s *Sim) status(c *code) string {
	if c.Status != stNormal {
		return c.Status
	}
	cd := s.cardByID[c.CardID]
	if cd.Status == cardDelete {
		return stUnavailable
	}
	if _, end := window(cd, c); s.now().Unix() > end {
		return stExpire
	}
	return stNormal
}

// lookup finds a code as WeChat does: 40056 for an unknown code, a card_id that is not the
// code's, or a custom-code card's code asked without its card_id.
func (s *Sim) lookup(codeStr, cardID string) (*code, *card, *apiError) {
	if codeStr == "" {
		return nil, nil, errBadCode
	}
	c, ok := s.codeByCode[codeStr]
	if !ok {
		return nil, nil, errBadCode
	}
	cd := s.cardByID[c.CardID]
	if cardID != "" && cardID != c.CardID {
		return nil, nil, errBadCode
	}
	if cd.Base.UseCustomCode && cardID == "" {
		return nil, nil, errBadCode
	}
	return c, cd, nil
}

// usable answers the check_consume:true / consume errors for a code: 40099 consumed, 40127
// any other unusable status, 40079 not yet valid.
func (s *Sim) usable(c *code, cd *card) *apiError {
	switch st := s.status(c); st {
	case stNormal:
	case stConsumed:
		return errConsumed
	default:
		return errCardStatus
	}
	if begin, _ := window(cd, c); s.now().Unix() < begin {
		return errNotInTime
	}
	return nil
}

// codeGet is POST /card/code/get. check_consume defaults to true: an unusable code is an error;
// with false every known code answers errcode 0 with its status and can_consume.
func (s *Sim) codeGet(c *call) (map[string]any, *apiError) {
	var req struct {
		Code         string `json:"code"`
		CardID       string `json:"card_id"`
		CheckConsume *bool  `json:"check_consume"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	cd, crd, e := s.lookup(req.Code, req.CardID)
	if e != nil {
		return nil, e
	}
	ue := s.usable(cd, crd)
	if req.CheckConsume == nil || *req.CheckConsume {
		if ue != nil {
			return nil, ue
		}
	}
	begin, end := window(crd, cd)
	st := s.status(cd)
	can := ue == nil
	cardObj := map[string]any{"card_id": crd.ID, "begin_time": begin, "end_time": end}
	resp := okBody()
	resp["openid"] = cd.OpenID
	if crd.Type == "MEMBER_CARD" {
		cardObj["code"] = cd.Code
		cardObj["membership_number"] = cd.MembershipNumber
		cardObj["bonus"] = cd.Bonus
		resp["outer_str"] = cd.OuterStr
		resp["unionid"] = unionID(cd.OpenID)
		resp["background_pic_url"] = ""
	}
	if s.legacy {
		cardObj["user_card_status"] = st
		if can {
			cardObj["can_consume"] = "true"
		} else {
			cardObj["can_consume"] = "false"
		}
	} else {
		resp["can_consume"] = can
		resp["user_card_status"] = st
	}
	resp["card"] = cardObj
	return resp, nil
}

// codeConsume is POST /card/code/consume: the one way to redeem, not undoable, no idempotency
// key (a retry of an applied consume answers 40099). DropAfterConsume applies here.
func (s *Sim) codeConsume(c *call) (map[string]any, *apiError) {
	var req struct {
		Code   string `json:"code"`
		CardID string `json:"card_id"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	if req.Code != "" {
		s.consumes[req.Code]++
	}
	if s.faults.DropAfterConsume > 0 {
		s.faults.DropAfterConsume--
		c.drop = true
	}
	cd, crd, e := s.lookup(req.Code, req.CardID)
	if e != nil {
		return nil, e
	}
	if e := s.usable(cd, crd); e != nil {
		return nil, e
	}
	cd.Status = stConsumed
	cd.ConsumedAt = s.now().Unix()
	s.changed()
	resp := okBody()
	resp["card"] = map[string]any{"card_id": crd.ID}
	resp["openid"] = cd.OpenID
	return resp, nil
}

// encryptKey derives the account's encrypt_code key from its appid.
func encryptKey(appID string) []byte {
	k := sha256.Sum256([]byte("wxsim encrypt_code key|" + appID))
	return k[:]
}

// encPrefix marks a plaintext as ours, so a damaged encrypt_code fails to decrypt.
const encPrefix = "wxsim:"

// EncryptCode returns the encrypt_code WeChat would hand out for code on this account: standard
// base64 (with + / and =, always holding at least one '+') of AES-256-CBC with a deterministic IV,
// so the same code always gives the same text. card/code/decrypt reverses it.
func (s *Sim) EncryptCode(plain string) string {
	block, _ := aes.NewCipher(s.encKey)
	pt := pkcs7Pad([]byte(encPrefix+plain), aes.BlockSize)
	for n := byte(0); ; n++ {
		h := sha256.Sum256(append(append([]byte(plain), 0, n), s.encKey...))
		iv := h[:aes.BlockSize]
		out := make([]byte, aes.BlockSize+len(pt))
		copy(out, iv)
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(out[aes.BlockSize:], pt)
		enc := base64.StdEncoding.EncodeToString(out)
		if strings.Contains(enc, "+") || n == 255 {
			return enc
		}
	}
}

// decryptCode reverses EncryptCode strictly: only the standard base64 alphabet, so a '+' that
// became a space or a left-over %2B is 40075.
func (s *Sim) decryptCode(enc string) (string, bool) {
	for _, r := range enc {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '=') {
			return "", false
		}
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(enc)
	if err != nil || len(raw) < 2*aes.BlockSize || len(raw)%aes.BlockSize != 0 {
		return "", false
	}
	block, _ := aes.NewCipher(s.encKey)
	pt := make([]byte, len(raw)-aes.BlockSize)
	cipher.NewCBCDecrypter(block, raw[:aes.BlockSize]).CryptBlocks(pt, raw[aes.BlockSize:])
	pt, ok := pkcs7Unpad(pt, aes.BlockSize)
	if !ok || !bytes.HasPrefix(pt, []byte(encPrefix)) {
		return "", false
	}
	return string(pt[len(encPrefix):]), true
}

func pkcs7Pad(b []byte, size int) []byte {
	n := size - len(b)%size
	return append(b, bytes.Repeat([]byte{byte(n)}, n)...)
}

func pkcs7Unpad(b []byte, size int) ([]byte, bool) {
	if len(b) == 0 || len(b)%size != 0 {
		return nil, false
	}
	n := int(b[len(b)-1])
	if n == 0 || n > size {
		return nil, false
	}
	for _, x := range b[len(b)-n:] {
		if int(x) != n {
			return nil, false
		}
	}
	return b[:len(b)-n], true
}

// codeDecrypt is POST /card/code/decrypt.
func (s *Sim) codeDecrypt(c *call) (map[string]any, *apiError) {
	var req struct {
		EncryptCode string `json:"encrypt_code"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	if req.EncryptCode == "" {
		return nil, errMissingFields
	}
	plain, ok := s.decryptCode(req.EncryptCode)
	if !ok {
		return nil, errEncryptCode
	}
	resp := okBody()
	resp["code"] = plain
	return resp, nil
}

// validCustomCode reports whether s can be a code: 1–20 letters and digits.
func validCustomCode(s string) bool {
	if len(s) == 0 || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// codeUpdate is POST /card/code/update: give a code a new value.
func (s *Sim) codeUpdate(c *call) (map[string]any, *apiError) {
	var req struct {
		Code    string `json:"code"`
		CardID  string `json:"card_id"`
		NewCode string `json:"new_code"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	if req.CardID == "" {
		return nil, errMissingCardID
	}
	if req.NewCode == "" {
		return nil, errMissingFields
	}
	cd, crd, e := s.lookup(req.Code, req.CardID)
	if e != nil {
		return nil, e
	}
	if e := s.usable(cd, crd); e != nil && e != errNotInTime {
		return nil, e
	}
	if !validCustomCode(req.NewCode) {
		return nil, errf(40116, "invalid code")
	}
	if _, taken := s.codeByCode[req.NewCode]; taken {
		return nil, errf(40116, "invalid code, new_code exists")
	}
	delete(s.codeByCode, cd.Code)
	cd.Code = req.NewCode
	s.codeByCode[cd.Code] = cd
	s.changed()
	return okBody(), nil
}

// codeUnavailable is POST /card/code/unavailable: the merchant voids a code (UNAVAILABLE).
func (s *Sim) codeUnavailable(c *call) (map[string]any, *apiError) {
	var req struct {
		Code   string `json:"code"`
		CardID string `json:"card_id"`
		Reason string `json:"reason"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	cd, crd, e := s.lookup(req.Code, req.CardID)
	if e != nil {
		return nil, e
	}
	if e := s.usable(cd, crd); e != nil && e != errNotInTime {
		return nil, e
	}
	cd.Status = stUnavailable
	cd.Reason = req.Reason
	s.changed()
	return okBody(), nil
}

// userCardList is POST /card/user/getcardlist: the usable codes one openid holds.
func (s *Sim) userCardList(c *call) (map[string]any, *apiError) {
	var req struct {
		OpenID string `json:"openid"`
		CardID string `json:"card_id"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	if req.OpenID == "" {
		return nil, errOpenID
	}
	list := []map[string]any{}
	for _, cd := range s.st.Codes {
		if cd.OpenID != req.OpenID || (req.CardID != "" && cd.CardID != req.CardID) {
			continue
		}
		if s.status(cd) != stNormal {
			continue
		}
		list = append(list, map[string]any{"code": cd.Code, "card_id": cd.CardID})
	}
	resp := okBody()
	resp["card_list"] = list
	resp["has_share_card"] = false
	return resp, nil
}

// openIDFor derives a stable, realistic openid ("o" + 27 url-safe characters) from a seed text.
func openIDFor(appID, seed string) string {
	h := sha256.Sum256([]byte("openid|" + appID + "|" + seed))
	return "o" + base64.RawURLEncoding.EncodeToString(h[:])[:27]
}

// unionID derives the unionid that goes with an openid.
func unionID(openID string) string {
	h := sha256.Sum256([]byte("unionid|" + openID))
	return "o" + base64.RawURLEncoding.EncodeToString(h[:])[:27]
}
