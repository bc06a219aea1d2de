package wxapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

type skuWire struct {
	Quantity flexInt `json:"quantity"`
}

type dateInfoWire struct {
	Type           flexString `json:"type"`
	BeginTimestamp flexInt    `json:"begin_timestamp,omitempty"`
	EndTimestamp   flexInt    `json:"end_timestamp,omitempty"`
	FixedTerm      flexInt    `json:"fixed_term,omitempty"`
	FixedBeginTerm flexInt    `json:"fixed_begin_term,omitempty"`
}

// baseInfoIn is base_info as card/get answers it.
type baseInfoIn struct {
	ID            string       `json:"id"`
	Status        string       `json:"status"`
	LogoURL       string       `json:"logo_url"`
	CodeType      string       `json:"code_type"`
	BrandName     string       `json:"brand_name"`
	Title         string       `json:"title"`
	Color         string       `json:"color"`
	Notice        string       `json:"notice"`
	Description   string       `json:"description"`
	SKU           skuWire      `json:"sku"`
	DateInfo      dateInfoWire `json:"date_info"`
	UseCustomCode flexBool     `json:"use_custom_code"`
	BindOpenID    flexBool     `json:"bind_openid"`
	GetLimit      flexInt      `json:"get_limit"`
	UseLimit      flexInt      `json:"use_limit"`
	CanShare      flexBool     `json:"can_share"`
	CanGiveFriend flexBool     `json:"can_give_friend"`
	ServicePhone  string       `json:"service_phone"`
}

// cardBodyIn is the body under a card's type key in card/get.
type cardBodyIn struct {
	BaseInfo      baseInfoIn      `json:"base_info"`
	AdvancedInfo  json.RawMessage `json:"advanced_info"`
	LeastCost     flexInt         `json:"least_cost"`
	ReduceCost    flexInt         `json:"reduce_cost"`
	Discount      flexInt         `json:"discount"`
	Gift          string          `json:"gift"`
	DealDetail    string          `json:"deal_detail"`
	DefaultDetail string          `json:"default_detail"`
	Prerogative   string          `json:"prerogative"`
	SupplyBonus   flexBool        `json:"supply_bonus"`
	SupplyBalance flexBool        `json:"supply_balance"`
}

type cardGetAnswer struct {
	envelope
	Card map[string]json.RawMessage `json:"card"`
}

// typeKey is the JSON key of a card type's body: "cash", "member_card", ….
func typeKey(t CardType) (string, bool) {
	switch t {
	case CardGroupon, CardCash, CardDiscount, CardGift, CardGeneralCoupon, CardMember:
		return strings.ToLower(string(t)), true
	}
	return "", false
}

// dateTypeName maps the numeric date types of older answers to their names.
func dateTypeName(s string) string {
	switch s {
	case "1":
		return "DATE_TYPE_FIX_TIME_RANGE"
	case "2":
		return "DATE_TYPE_FIX_TERM"
	}
	return s
}

// GetCard reads one card definition (card/get) with the value fields of its type.
func (c *Client) GetCard(ctx context.Context, cardID string) (*Card, error) {
	const endpoint = "/card/get"
	if cardID == "" {
		return nil, fmt.Errorf("wxapi: %s: %w: empty card_id", endpoint, ErrBadRequest)
	}
	var ans cardGetAnswer
	if err := c.postJSON(ctx, endpoint, map[string]string{"card_id": cardID}, &ans); err != nil {
		return nil, err
	}
	return decodeCard(endpoint, ans.Card)
}

func decodeCard(endpoint string, m map[string]json.RawMessage) (*Card, error) {
	var typ string
	if err := json.Unmarshal(m["card_type"], &typ); err != nil {
		return nil, fmt.Errorf("wxapi: %s: card_type: %w", endpoint, ErrBadAnswer)
	}
	key, ok := typeKey(CardType(typ))
	if !ok {
		return nil, fmt.Errorf("wxapi: %s: unknown card_type %q: %w", endpoint, typ, ErrBadAnswer)
	}
	raw, ok := m[key]
	if !ok {
		return nil, fmt.Errorf("wxapi: %s: no %q body: %w", endpoint, key, ErrBadAnswer)
	}
	var b cardBodyIn
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("wxapi: %s: %s: %w: %v", endpoint, key, ErrBadAnswer, err)
	}
	bi := b.BaseInfo
	card := &Card{
		ID:   bi.ID,
		Type: CardType(typ),
		Base: BaseInfo{
			ID: bi.ID, Status: bi.Status, LogoURL: bi.LogoURL, CodeType: bi.CodeType, BrandName: bi.BrandName,
			Title: bi.Title, Color: bi.Color, Notice: bi.Notice, Description: bi.Description,
			Quantity: int64(bi.SKU.Quantity),
			DateInfo: DateInfo{
				Type:           dateTypeName(string(bi.DateInfo.Type)),
				BeginTimestamp: int64(bi.DateInfo.BeginTimestamp),
				EndTimestamp:   int64(bi.DateInfo.EndTimestamp),
				FixedTerm:      int(bi.DateInfo.FixedTerm),
				FixedBeginTerm: int(bi.DateInfo.FixedBeginTerm),
			},
			UseCustomCode: bi.UseCustomCode.V, BindOpenID: bi.BindOpenID.V,
			GetLimit: int(bi.GetLimit), UseLimit: int(bi.UseLimit),
			CanShare: bi.CanShare.V, CanGiveFriend: bi.CanGiveFriend.V, ServicePhone: bi.ServicePhone,
		},
		LeastCost: int64(b.LeastCost), ReduceCost: int64(b.ReduceCost), Discount: int(b.Discount),
		Gift: b.Gift, DealDetail: b.DealDetail, DefaultDetail: b.DefaultDetail,
		Prerogative: b.Prerogative, SupplyBonus: b.SupplyBonus.V, SupplyBalance: b.SupplyBalance.V,
	}
	if len(b.AdvancedInfo) > 0 && string(b.AdvancedInfo) != "null" {
		card.AdvancedInfoRaw = append([]byte(nil), b.AdvancedInfo...)
	}
	return card, nil
}

type batchGetAnswer struct {
	envelope
	CardIDList []string `json:"card_id_list"`
	TotalNum   int      `json:"total_num"`
}

// batchPage is card/batchget's largest page.
const batchPage = 50

// BatchGetCards lists the card ids of the account (card/batchget), fetching pages of 50 until
// total_num is reached or a page comes back empty. statusList filters by card status; nil means all.
func (c *Client) BatchGetCards(ctx context.Context, statusList []string) ([]string, error) {
	const endpoint = "/card/batchget"
	type req struct {
		Offset     int      `json:"offset"`
		Count      int      `json:"count"`
		StatusList []string `json:"status_list,omitempty"`
	}
	var ids []string
	for offset := 0; ; {
		var ans batchGetAnswer
		if err := c.postJSON(ctx, endpoint, req{Offset: offset, Count: batchPage, StatusList: statusList}, &ans); err != nil {
			return ids, err
		}
		ids = append(ids, ans.CardIDList...)
		offset += len(ans.CardIDList)
		if len(ans.CardIDList) == 0 || offset >= ans.TotalNum {
			return ids, nil
		}
	}
}

// baseInfoOut is base_info as card/create sends it.
type baseInfoOut struct {
	LogoURL       string       `json:"logo_url,omitempty"`
	CodeType      string       `json:"code_type,omitempty"`
	BrandName     string       `json:"brand_name,omitempty"`
	Title         string       `json:"title,omitempty"`
	Color         string       `json:"color,omitempty"`
	Notice        string       `json:"notice,omitempty"`
	Description   string       `json:"description,omitempty"`
	SKU           *skuOut      `json:"sku,omitempty"`
	DateInfo      *dateInfoOut `json:"date_info,omitempty"`
	UseCustomCode *bool        `json:"use_custom_code,omitempty"`
	BindOpenID    *bool        `json:"bind_openid,omitempty"`
	GetLimit      *int         `json:"get_limit,omitempty"`
	UseLimit      *int         `json:"use_limit,omitempty"`
	CanShare      *bool        `json:"can_share,omitempty"`
	CanGiveFriend *bool        `json:"can_give_friend,omitempty"`
	ServicePhone  string       `json:"service_phone,omitempty"`
}

type skuOut struct {
	Quantity int64 `json:"quantity"`
}

type dateInfoOut struct {
	Type           string `json:"type"`
	BeginTimestamp int64  `json:"begin_timestamp,omitempty"`
	EndTimestamp   int64  `json:"end_timestamp,omitempty"`
	FixedTerm      int    `json:"fixed_term,omitempty"`
	FixedBeginTerm *int   `json:"fixed_begin_term,omitempty"`
}

func dateOut(d DateInfo) *dateInfoOut {
	if d.Type == "" {
		return nil
	}
	o := &dateInfoOut{Type: d.Type}
	switch d.Type {
	case "DATE_TYPE_FIX_TIME_RANGE":
		o.BeginTimestamp, o.EndTimestamp = d.BeginTimestamp, d.EndTimestamp
	case "DATE_TYPE_FIX_TERM":
		fb := d.FixedBeginTerm
		o.FixedTerm, o.FixedBeginTerm = d.FixedTerm, &fb
	}
	return o
}

// cardBodyOut is the body under a card's type key in card/create and card/update.
type cardBodyOut struct {
	BaseInfo      *baseInfoOut    `json:"base_info,omitempty"`
	AdvancedInfo  json.RawMessage `json:"advanced_info,omitempty"`
	LeastCost     *int64          `json:"least_cost,omitempty"`
	ReduceCost    *int64          `json:"reduce_cost,omitempty"`
	Discount      *int            `json:"discount,omitempty"`
	Gift          *string         `json:"gift,omitempty"`
	DealDetail    *string         `json:"deal_detail,omitempty"`
	DefaultDetail *string         `json:"default_detail,omitempty"`
	Prerogative   *string         `json:"prerogative,omitempty"`
	SupplyBonus   *bool           `json:"supply_bonus,omitempty"`
	SupplyBalance *bool           `json:"supply_balance,omitempty"`
}

// valueFields fills the fields of card's type into b.
func valueFields(card *Card, b *cardBodyOut) {
	switch card.Type {
	case CardCash:
		lc, rc := card.LeastCost, card.ReduceCost
		b.LeastCost, b.ReduceCost = &lc, &rc
	case CardDiscount:
		d := card.Discount
		b.Discount = &d
	case CardGift:
		g := card.Gift
		b.Gift = &g
	case CardGroupon:
		d := card.DealDetail
		b.DealDetail = &d
	case CardGeneralCoupon:
		d := card.DefaultDetail
		b.DefaultDetail = &d
	case CardMember:
		p, sb, sl := card.Prerogative, card.SupplyBonus, card.SupplyBalance
		b.Prerogative, b.SupplyBonus, b.SupplyBalance = &p, &sb, &sl
	}
}

// cardEnvelope builds {"card_type":T,"<t>":body} as a map so the key follows the type.
func cardEnvelope(t CardType, key string, body *cardBodyOut) map[string]any {
	return map[string]any{"card_type": string(t), key: body}
}

type createAnswer struct {
	envelope
	CardID string `json:"card_id"`
}

// CreateCard creates a card definition (card/create) and returns its card_id. Base.ID, Base.Status
// and card.ID are ignored; AdvancedInfoRaw is sent as advanced_info when set.
func (c *Client) CreateCard(ctx context.Context, card *Card) (string, error) {
	const endpoint = "/card/create"
	if card == nil {
		return "", fmt.Errorf("wxapi: %s: %w: nil card", endpoint, ErrBadRequest)
	}
	key, ok := typeKey(card.Type)
	if !ok {
		return "", fmt.Errorf("wxapi: %s: %w: unknown card type %q", endpoint, ErrBadRequest, card.Type)
	}
	b := card.Base
	if b.Title == "" || b.BrandName == "" || b.DateInfo.Type == "" {
		return "", fmt.Errorf("wxapi: %s: %w: title, brand_name and date_info are required", endpoint, ErrBadRequest)
	}
	bo := &baseInfoOut{
		LogoURL: b.LogoURL, CodeType: b.CodeType, BrandName: b.BrandName, Title: b.Title, Color: b.Color,
		Notice: b.Notice, Description: b.Description, SKU: &skuOut{Quantity: b.Quantity},
		DateInfo: dateOut(b.DateInfo), ServicePhone: b.ServicePhone,
		UseCustomCode: &b.UseCustomCode, BindOpenID: &b.BindOpenID, CanShare: &b.CanShare,
		CanGiveFriend: &b.CanGiveFriend,
	}
	if b.GetLimit > 0 {
		bo.GetLimit = &b.GetLimit
	}
	if b.UseLimit > 0 {
		bo.UseLimit = &b.UseLimit
	}
	body := &cardBodyOut{BaseInfo: bo}
	if len(card.AdvancedInfoRaw) > 0 {
		if !json.Valid(card.AdvancedInfoRaw) {
			return "", fmt.Errorf("wxapi: %s: %w: advanced_info is not JSON", endpoint, ErrBadRequest)
		}
		body.AdvancedInfo = card.AdvancedInfoRaw
	}
	valueFields(card, body)
	var ans createAnswer
	if err := c.postJSON(ctx, endpoint, map[string]any{"card": cardEnvelope(card.Type, key, body)}, &ans); err != nil {
		return "", err
	}
	if ans.CardID == "" {
		return "", fmt.Errorf("wxapi: %s: no card_id in answer: %w", endpoint, ErrBadAnswer)
	}
	return ans.CardID, nil
}

// CardUpdate lists the base_info fields card/update may change; nil fields are left alone.
type CardUpdate struct {
	LogoURL       *string
	Title         *string
	Color         *string
	Notice        *string
	Description   *string
	ServicePhone  *string
	CodeType      *string
	GetLimit      *int
	UseLimit      *int
	CanShare      *bool
	CanGiveFriend *bool
	DateInfo      *DateInfo
	// Value fields of the card's type (member cards: Prerogative, SupplyBonus …) are not part of
	// the update; WeChat rejects most of them once a card is approved.
}

type updateAnswer struct {
	envelope
	SendCheck flexBool `json:"send_check"`
}

// UpdateCard changes a card's base_info (card/update). sendCheck true means the change sends the
// card back to WeChat's review.
func (c *Client) UpdateCard(ctx context.Context, cardID string, typ CardType, u CardUpdate) (sendCheck bool, err error) {
	const endpoint = "/card/update"
	key, ok := typeKey(typ)
	if !ok || cardID == "" {
		return false, fmt.Errorf("wxapi: %s: %w: need card_id and a known card type", endpoint, ErrBadRequest)
	}
	bo := &baseInfoOut{GetLimit: u.GetLimit, UseLimit: u.UseLimit, CanShare: u.CanShare, CanGiveFriend: u.CanGiveFriend}
	for _, f := range []struct {
		dst *string
		src *string
	}{{&bo.LogoURL, u.LogoURL}, {&bo.Title, u.Title}, {&bo.Color, u.Color}, {&bo.Notice, u.Notice},
		{&bo.Description, u.Description}, {&bo.ServicePhone, u.ServicePhone}, {&bo.CodeType, u.CodeType}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if u.DateInfo != nil {
		bo.DateInfo = dateOut(*u.DateInfo)
	}
	var ans updateAnswer
	req := map[string]any{"card_id": cardID, key: &cardBodyOut{BaseInfo: bo}}
	if err := c.postJSON(ctx, endpoint, req, &ans); err != nil {
		return false, err
	}
	return ans.SendCheck.V, nil
}

// DeleteCard deletes a card definition (card/delete); codes already given out stop working.
func (c *Client) DeleteCard(ctx context.Context, cardID string) error {
	const endpoint = "/card/delete"
	if cardID == "" {
		return fmt.Errorf("wxapi: %s: %w: empty card_id", endpoint, ErrBadRequest)
	}
	return c.postJSON(ctx, endpoint, map[string]string{"card_id": cardID}, nil)
}

// ModifyStock changes a card's stock by delta (card/modifystock): positive increases, negative
// reduces. A zero delta sends nothing.
func (c *Client) ModifyStock(ctx context.Context, cardID string, delta int64) error {
	const endpoint = "/card/modifystock"
	if cardID == "" {
		return fmt.Errorf("wxapi: %s: %w: empty card_id", endpoint, ErrBadRequest)
	}
	req := map[string]any{"card_id": cardID}
	switch {
	case delta > 0:
		req["increase_stock_value"] = delta
	case delta < 0:
		req["reduce_stock_value"] = -delta
	default:
		return nil
	}
	return c.postJSON(ctx, endpoint, req, nil)
}
