package wxsim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
)

// qrCard is one card of a dispatch QR request.
type qrCard struct {
	CardID       string `json:"card_id"`
	Code         string `json:"code,omitempty"`
	OpenID       string `json:"openid,omitempty"`
	IsUniqueCode bool   `json:"is_unique_code,omitempty"`
	OuterID      int    `json:"outer_id,omitempty"`
	OuterStr     string `json:"outer_str,omitempty"`
}

// maxMultipleCards is the most cards one QR_MULTIPLE_CARD takes.
const maxMultipleCards = 5

// qrcodeCreate is POST /card/qrcode/create. The ticket and url are derived from the account and
// the request's content, so the same request always gives the same QR code.
func (s *Sim) qrcodeCreate(c *call) (map[string]any, *apiError) {
	var req struct {
		ActionName    string `json:"action_name"`
		ExpireSeconds *int   `json:"expire_seconds"`
		ActionInfo    *struct {
			Card         *qrCard `json:"card"`
			MultipleCard *struct {
				CardList []qrCard `json:"card_list"`
			} `json:"multiple_card"`
		} `json:"action_info"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	if req.ActionInfo == nil {
		return nil, errActionInfo
	}
	var list []qrCard
	switch req.ActionName {
	case "QR_CARD":
		if req.ActionInfo.Card == nil {
			return nil, errActionInfo
		}
		list = []qrCard{*req.ActionInfo.Card}
	case "QR_MULTIPLE_CARD":
		if req.ActionInfo.MultipleCard == nil {
			return nil, errActionInfo
		}
		list = req.ActionInfo.MultipleCard.CardList
		if len(list) == 0 || len(list) > maxMultipleCards {
			return nil, errActionInfo
		}
	default:
		return nil, errf(40053, "invalid action info, unknown action_name %q", req.ActionName)
	}
	if req.ExpireSeconds != nil && (*req.ExpireSeconds < 60 || *req.ExpireSeconds > 1800) {
		return nil, errf(40097, "invalid args, expire_seconds must be 60..1800")
	}
	for _, q := range list {
		if q.CardID == "" {
			return nil, errMissingCardID
		}
		cd, ok := s.cardByID[q.CardID]
		if !ok || cd.Status == cardDelete {
			return nil, errCardID
		}
		if cd.Status != cardVerifyOK && cd.Status != cardDispatch {
			return nil, errCardNotOK
		}
		if q.Code != "" {
			if !cd.Base.UseCustomCode {
				return nil, errf(40053, "invalid action info, code is only for use_custom_code cards")
			}
			if !validCustomCode(q.Code) {
				return nil, errf(40116, "invalid code")
			}
		}
		if q.OpenID != "" && !cd.Base.BindOpenID {
			return nil, errBindOpenID
		}
		if q.IsUniqueCode && cd.Base.SKU.Quantity <= 0 {
			return nil, errOutOfStock
		}
	}
	canon, _ := json.Marshal(struct {
		App    string   `json:"app"`
		Action string   `json:"action"`
		Expire *int     `json:"expire"`
		Cards  []qrCard `json:"cards"`
	}{s.appID, req.ActionName, req.ExpireSeconds, list})
	h := sha256.Sum256(canon)
	link := "http://weixin.qq.com/q/" + base64.RawURLEncoding.EncodeToString(h[:])[:22]
	ticket := "gQ" + base64.StdEncoding.EncodeToString(append(h[:16], []byte(link)...))
	resp := okBody()
	resp["ticket"] = ticket
	if req.ExpireSeconds != nil {
		resp["expire_seconds"] = *req.ExpireSeconds
	}
	resp["url"] = link
	resp["show_qrcode_url"] = "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=" + url.QueryEscape(ticket)
	return resp, nil
}
