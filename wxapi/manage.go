package wxapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"path/filepath"
	"strings"
	"time"
)

// UpdateCode changes a custom code to newCode (card/code/update).
func (c *Client) UpdateCode(ctx context.Context, cardID, code, newCode string) error {
	const endpoint = "/card/code/update"
	if cardID == "" || code == "" || newCode == "" {
		return fmt.Errorf("wxapi: %s: %w: card_id, code and new_code are required", endpoint, ErrBadRequest)
	}
	return c.postJSON(ctx, endpoint, map[string]string{"code": code, "card_id": cardID, "new_code": newCode}, nil)
}

// UnavailableCode voids a code (card/code/unavailable): its status becomes UNAVAILABLE. reason
// may be "".
func (c *Client) UnavailableCode(ctx context.Context, cardID, code, reason string) error {
	const endpoint = "/card/code/unavailable"
	if code == "" {
		return fmt.Errorf("wxapi: %s: %w: empty code", endpoint, ErrBadRequest)
	}
	type req struct {
		Code   string `json:"code"`
		CardID string `json:"card_id,omitempty"`
		Reason string `json:"reason,omitempty"`
	}
	return c.postJSON(ctx, endpoint, req{Code: code, CardID: cardID, Reason: reason}, nil)
}

// SetTestWhitelist sets the users who may claim cards still under review (card/testwhitelist/set),
// by openid and by WeChat username.
func (c *Client) SetTestWhitelist(ctx context.Context, openIDs, usernames []string) error {
	const endpoint = "/card/testwhitelist/set"
	if len(openIDs) == 0 && len(usernames) == 0 {
		return fmt.Errorf("wxapi: %s: %w: no openid or username", endpoint, ErrBadRequest)
	}
	type req struct {
		OpenID   []string `json:"openid,omitempty"`
		Username []string `json:"username,omitempty"`
	}
	return c.postJSON(ctx, endpoint, req{OpenID: openIDs, Username: usernames}, nil)
}

// UserCard is one code a user holds, from card/user/getcardlist.
type UserCard struct {
	Code   string
	CardID string
}

type userCardListAnswer struct {
	envelope
	CardList []struct {
		Code   flexString `json:"code"`
		CardID string     `json:"card_id"`
	} `json:"card_list"`
	HasShareCard flexBool `json:"has_share_card"`
}

// GetUserCardList lists the codes one user holds (card/user/getcardlist), optionally of one card.
func (c *Client) GetUserCardList(ctx context.Context, openID, cardID string) ([]UserCard, error) {
	const endpoint = "/card/user/getcardlist"
	if openID == "" {
		return nil, fmt.Errorf("wxapi: %s: %w: empty openid", endpoint, ErrBadRequest)
	}
	type req struct {
		OpenID string `json:"openid"`
		CardID string `json:"card_id,omitempty"`
	}
	var ans userCardListAnswer
	if err := c.postJSON(ctx, endpoint, req{OpenID: openID, CardID: cardID}, &ans); err != nil {
		return nil, err
	}
	out := make([]UserCard, 0, len(ans.CardList))
	for _, uc := range ans.CardList {
		out = append(out, UserCard{Code: string(uc.Code), CardID: uc.CardID})
	}
	return out, nil
}

// SetPayCell turns the pay-and-redeem cell of a card on or off (card/paycell/set); the card needs stores.
func (c *Client) SetPayCell(ctx context.Context, cardID string, open bool) error {
	const endpoint = "/card/paycell/set"
	if cardID == "" {
		return fmt.Errorf("wxapi: %s: %w: empty card_id", endpoint, ErrBadRequest)
	}
	type req struct {
		CardID string `json:"card_id"`
		IsOpen bool   `json:"is_open"`
	}
	return c.postJSON(ctx, endpoint, req{CardID: cardID, IsOpen: open}, nil)
}

// SetSelfConsumeCell turns self-redemption of a card on or off (card/selfconsumecell/set).
// WeChat spells the verify field need_verify_cod.
func (c *Client) SetSelfConsumeCell(ctx context.Context, cardID string, open, needVerifyCode, needRemarkAmount bool) error {
	const endpoint = "/card/selfconsumecell/set"
	if cardID == "" {
		return fmt.Errorf("wxapi: %s: %w: empty card_id", endpoint, ErrBadRequest)
	}
	type req struct {
		CardID           string `json:"card_id"`
		IsOpen           bool   `json:"is_open"`
		NeedVerifyCod    bool   `json:"need_verify_cod"`
		NeedRemarkAmount bool   `json:"need_remark_amount"`
	}
	return c.postJSON(ctx, endpoint, req{CardID: cardID, IsOpen: open, NeedVerifyCod: needVerifyCode, NeedRemarkAmount: needRemarkAmount}, nil)
}

// maxUpload bounds an image read into memory for uploading; WeChat's own limit is about 1 MB
// (unverified), so the client leaves that check to WeChat.
const maxUpload = 10 << 20

type uploadAnswer struct {
	envelope
	URL string `json:"url"`
}

// UploadImage uploads a logo or picture (cgi-bin/media/uploadimg, multipart field "media") and
// returns the URL to use as logo_url. The image is read into memory so the one token retry can
// send it again.
func (c *Client) UploadImage(ctx context.Context, filename string, r io.Reader) (string, error) {
	const endpoint = "/cgi-bin/media/uploadimg"
	data, err := io.ReadAll(io.LimitReader(r, maxUpload+1))
	if err != nil {
		return "", fmt.Errorf("wxapi: %s: read image: %w", endpoint, err)
	}
	if len(data) == 0 || len(data) > maxUpload {
		return "", fmt.Errorf("wxapi: %s: %w: image of %d bytes", endpoint, ErrBadRequest, len(data))
	}
	if filename == "" {
		filename = "image"
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="media"; filename="%s"`,
		strings.NewReplacer(`"`, "", "\\", "", "\r", "", "\n", "").Replace(filepath.Base(filename))))
	h.Set("Content-Type", http.DetectContentType(data))
	pw, err := mw.CreatePart(h)
	if err == nil {
		_, err = pw.Write(data)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return "", fmt.Errorf("wxapi: %s: build form: %w", endpoint, err)
	}
	var ans uploadAnswer
	if err := c.do(ctx, &call{endpoint: endpoint, body: body.Bytes(), ctype: mw.FormDataContentType()}, &ans); err != nil {
		return "", err
	}
	if ans.URL == "" {
		return "", fmt.Errorf("wxapi: %s: no url in answer: %w", endpoint, ErrBadAnswer)
	}
	return ans.URL, nil
}

// APITicket returns the wx_card api_ticket (cgi-bin/ticket/getticket?type=wx_card) for card_ext
// signatures, cached and refreshed like a token.
func (c *Client) APITicket(ctx context.Context) (string, error) {
	return c.ticket.Token(ctx)
}

// InvalidateAPITicket forgets ticket if it is still the cached one, e.g. after wx.addCard
// reported a bad signature.
func (c *Client) InvalidateAPITicket(ticket string) { c.ticket.Invalidate(ticket) }

// fetchTicket is the api_ticket cache's FetchFunc.
func (c *Client) fetchTicket(ctx context.Context, _ string) (string, time.Duration, error) {
	const endpoint = "/cgi-bin/ticket/getticket"
	var ans tokenAnswer
	if err := c.do(ctx, &call{method: http.MethodGet, endpoint: endpoint, query: "type=wx_card"}, &ans); err != nil {
		return "", 0, err
	}
	if ans.Ticket == "" || ans.ExpiresIn <= 0 {
		return "", 0, fmt.Errorf("wxapi: %s: no ticket in answer: %w", endpoint, ErrBadAnswer)
	}
	return ans.Ticket, time.Duration(ans.ExpiresIn) * time.Second, nil
}
