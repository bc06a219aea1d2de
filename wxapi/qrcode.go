package wxapi

import (
	"context"
	"fmt"
)

type qrCardWire struct {
	CardID       string `json:"card_id"`
	Code         string `json:"code,omitempty"`
	OpenID       string `json:"openid,omitempty"`
	IsUniqueCode bool   `json:"is_unique_code,omitempty"`
	OuterID      int    `json:"outer_id,omitempty"`
	OuterStr     string `json:"outer_str,omitempty"`
}

type qrRequest struct {
	ActionName    string `json:"action_name"`
	ExpireSeconds int    `json:"expire_seconds,omitempty"`
	ActionInfo    struct {
		Card         *qrCardWire `json:"card,omitempty"`
		MultipleCard *struct {
			CardList []qrCardWire `json:"card_list"`
		} `json:"multiple_card,omitempty"`
	} `json:"action_info"`
}

type qrAnswer struct {
	envelope
	Ticket        string `json:"ticket"`
	ExpireSeconds int    `json:"expire_seconds"`
	URL           string `json:"url"`
	ShowQRCodeURL string `json:"show_qrcode_url"`
}

// CreateQRCode makes a dispatch QR code (card/qrcode/create): QR_CARD for one card,
// QR_MULTIPLE_CARD for several. ExpireSeconds must be 0 (permanent) or 60–1800. The answer's URL is
// what the printed QR encodes.
func (c *Client) CreateQRCode(ctx context.Context, req QRCodeRequest) (*QRCode, error) {
	const endpoint = "/card/qrcode/create"
	if len(req.Cards) == 0 {
		return nil, fmt.Errorf("wxapi: %s: %w: no card", endpoint, ErrBadRequest)
	}
	if req.ExpireSeconds != 0 && (req.ExpireSeconds < 60 || req.ExpireSeconds > 1800) {
		return nil, fmt.Errorf("wxapi: %s: %w: expire_seconds %d outside 60–1800", endpoint, ErrBadRequest, req.ExpireSeconds)
	}
	wires := make([]qrCardWire, len(req.Cards))
	for i, qc := range req.Cards {
		if qc.CardID == "" {
			return nil, fmt.Errorf("wxapi: %s: %w: card %d has no card_id", endpoint, ErrBadRequest, i)
		}
		wires[i] = qrCardWire{CardID: qc.CardID, Code: qc.Code, OpenID: qc.OpenID,
			IsUniqueCode: qc.IsUniqueCode, OuterID: qc.OuterID, OuterStr: qc.OuterStr}
	}
	var w qrRequest
	w.ExpireSeconds = req.ExpireSeconds
	if len(wires) == 1 {
		w.ActionName = "QR_CARD"
		w.ActionInfo.Card = &wires[0]
	} else {
		w.ActionName = "QR_MULTIPLE_CARD"
		w.ActionInfo.MultipleCard = &struct {
			CardList []qrCardWire `json:"card_list"`
		}{CardList: wires}
	}
	var ans qrAnswer
	if err := c.postJSON(ctx, endpoint, w, &ans); err != nil {
		return nil, err
	}
	if ans.URL == "" {
		return nil, fmt.Errorf("wxapi: %s: no url in answer: %w", endpoint, ErrBadAnswer)
	}
	return &QRCode{Ticket: ans.Ticket, ExpireSeconds: ans.ExpireSeconds, URL: ans.URL, ShowQRCodeURL: ans.ShowQRCodeURL}, nil
}
