package wxapi

import (
	"context"
	"fmt"
	"strings"
)

type codeGetRequest struct {
	Code         string `json:"code"`
	CardID       string `json:"card_id,omitempty"`
	CheckConsume bool   `json:"check_consume"`
}

type codeGetAnswer struct {
	envelope
	Card struct {
		CardID           string     `json:"card_id"`
		BeginTime        flexInt    `json:"begin_time"`
		EndTime          flexInt    `json:"end_time"`
		UserCardStatus   string     `json:"user_card_status"`
		CanConsume       flexBool   `json:"can_consume"`
		MembershipNumber flexString `json:"membership_number"`
		Bonus            flexInt    `json:"bonus"`
		OpenID           string     `json:"openid"`
	} `json:"card"`
	OpenID         string   `json:"openid"`
	CanConsume     flexBool `json:"can_consume"`
	UserCardStatus string   `json:"user_card_status"`
	OuterStr       string   `json:"outer_str"`
}

// GetCode looks a code up (card/code/get). cardID is required for custom-code cards and may be
// "" otherwise. With checkConsume an unusable code is an *Error (40099, 40127, 40056); without it
// every known code answers with its Status and CanConsume. Both the current answer shape and the
// legacy one (status and can_consume inside card, can_consume as a string) are read.
func (c *Client) GetCode(ctx context.Context, code, cardID string, checkConsume bool) (*CodeInfo, error) {
	const endpoint = "/card/code/get"
	if code = strings.TrimSpace(code); code == "" {
		return nil, fmt.Errorf("wxapi: %s: %w: empty code", endpoint, ErrBadRequest)
	}
	var ans codeGetAnswer
	if err := c.postJSON(ctx, endpoint, codeGetRequest{Code: code, CardID: cardID, CheckConsume: checkConsume}, &ans); err != nil {
		return nil, err
	}
	info := &CodeInfo{
		CardID:           ans.Card.CardID,
		BeginTime:        int64(ans.Card.BeginTime),
		EndTime:          int64(ans.Card.EndTime),
		OpenID:           ans.OpenID,
		Status:           CodeStatus(ans.UserCardStatus),
		OuterStr:         ans.OuterStr,
		MembershipNumber: string(ans.Card.MembershipNumber),
		Bonus:            int64(ans.Card.Bonus),
	}
	if info.OpenID == "" {
		info.OpenID = ans.Card.OpenID
	}
	if info.Status == "" {
		info.Status = CodeStatus(ans.Card.UserCardStatus)
	}
	switch {
	case ans.CanConsume.Set:
		info.CanConsume = ans.CanConsume.V
	case ans.Card.CanConsume.Set:
		info.CanConsume = ans.Card.CanConsume.V
	default:
		// Neither shape said: with check_consume an errcode 0 means usable; otherwise trust the status.
		info.CanConsume = checkConsume || info.Status == StatusNormal
	}
	if info.Status == "" && checkConsume && info.CanConsume {
		info.Status = StatusNormal
	}
	return info, nil
}

type decryptAnswer struct {
	envelope
	Code string `json:"code"`
}

// DecryptCode turns an encrypt_code into the plain code (card/code/decrypt). encryptCode must be
// the standard base64 text, URL-decoded exactly once by the caller; 40075 means it is damaged.
func (c *Client) DecryptCode(ctx context.Context, encryptCode string) (string, error) {
	const endpoint = "/card/code/decrypt"
	if encryptCode == "" {
		return "", fmt.Errorf("wxapi: %s: %w: empty encrypt_code", endpoint, ErrBadRequest)
	}
	var ans decryptAnswer
	if err := c.postJSON(ctx, endpoint, map[string]string{"encrypt_code": encryptCode}, &ans); err != nil {
		return "", err
	}
	if ans.Code == "" {
		return "", fmt.Errorf("wxapi: %s: no code in answer: %w", endpoint, ErrBadAnswer)
	}
	return ans.Code, nil
}

type consumeRequest struct {
	Code   string `json:"code"`
	CardID string `json:"card_id,omitempty"`
}

type consumeAnswer struct {
	envelope
	Card struct {
		CardID string `json:"card_id"`
	} `json:"card"`
	OpenID string `json:"openid"`
}

// ConsumeCode redeems a code (card/code/consume); it cannot be undone. cardID is required for
// custom-code cards. The call is never retried on busy, quota or network errors: a retry after a
// lost answer gets 40099, so the caller decides (IsNotSent: certainly not applied; IsNetworkError
// otherwise: reconcile with GetCode). The one retry it makes is after a token-dead answer, which
// WeChat gives before applying anything.
func (c *Client) ConsumeCode(ctx context.Context, code, cardID string) (*ConsumeResult, error) {
	const endpoint = "/card/code/consume"
	if code = strings.TrimSpace(code); code == "" {
		return nil, fmt.Errorf("wxapi: %s: %w: empty code", endpoint, ErrBadRequest)
	}
	body, err := marshalJSON(consumeRequest{Code: code, CardID: cardID})
	if err != nil {
		return nil, fmt.Errorf("wxapi: %s: %w", endpoint, err)
	}
	var ans consumeAnswer
	if err := c.do(ctx, &call{endpoint: endpoint, body: body, noBackoff: true}, &ans); err != nil {
		return nil, err
	}
	res := &ConsumeResult{CardID: ans.Card.CardID, OpenID: ans.OpenID}
	if res.CardID == "" {
		res.CardID = cardID
	}
	return res, nil
}
