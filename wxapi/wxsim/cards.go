package wxsim

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// The card statuses of base_info.status.
const (
	cardNotVerify  = "CARD_STATUS_NOT_VERIFY"
	cardVerifyFail = "CARD_STATUS_VERIFY_FAIL"
	cardVerifyOK   = "CARD_STATUS_VERIFY_OK"
	cardDelete     = "CARD_STATUS_DELETE"
	cardDispatch   = "CARD_STATUS_DISPATCH"
)

// cardTypes maps each card_type to its key under "card".
var cardTypes = map[string]string{
	"GROUPON": "groupon", "CASH": "cash", "DISCOUNT": "discount", "GIFT": "gift",
	"GENERAL_COUPON": "general_coupon", "MEMBER_CARD": "member_card",
}

// colors are the colour names WeChat accepts.
var colors = map[string]bool{
	"Color010": true, "Color020": true, "Color030": true, "Color040": true, "Color050": true,
	"Color060": true, "Color070": true, "Color080": true, "Color081": true, "Color082": true,
	"Color090": true, "Color100": true, "Color101": true, "Color102": true,
}

// codeTypes are the code_type values WeChat accepts.
var codeTypes = map[string]bool{
	"CODE_TYPE_TEXT": true, "CODE_TYPE_BARCODE": true, "CODE_TYPE_QRCODE": true,
	"CODE_TYPE_ONLY_QRCODE": true, "CODE_TYPE_ONLY_BARCODE": true, "CODE_TYPE_NONE": true,
}

// approveDue approves cards whose review time has come; callers hold s.mu.
func (s *Sim) approveDue() {
	now := s.now().Unix()
	for _, c := range s.st.Cards {
		if c.Status == cardNotVerify && c.ApproveAt != 0 && now >= c.ApproveAt {
			c.Status = cardVerifyOK
			c.ApproveAt = 0
			s.changed()
		}
	}
}

// liveCard finds a card for a management call: 41012 without an id, 40073 unknown or deleted.
func (s *Sim) liveCard(id string) (*card, *apiError) {
	if id == "" {
		return nil, errMissingCardID
	}
	c, ok := s.cardByID[id]
	if !ok || c.Status == cardDelete {
		return nil, errCardID
	}
	return c, nil
}

// newCardID derives a realistic, deterministic card id ("p" + 27 url-safe characters).
func (s *Sim) newCardID(seed string) string {
	for {
		s.st.Seq++
		h := sha256.Sum256([]byte(fmt.Sprintf("card|%s|%s|%d", s.appID, seed, s.st.Seq)))
		id := "p" + base64.RawURLEncoding.EncodeToString(h[:])[:27]
		if _, taken := s.cardByID[id]; !taken {
			return id
		}
	}
}

// cardJSON renders a card as card/get answers it.
func (s *Sim) cardJSON(c *card) map[string]any {
	var base map[string]any
	b, _ := json.Marshal(c.Base)
	_ = json.Unmarshal(b, &base)
	base["id"] = c.ID
	base["status"] = c.Status
	obj := map[string]any{"base_info": base}
	if len(c.Advanced) > 0 {
		obj["advanced_info"] = c.Advanced
	}
	switch c.Type {
	case "CASH":
		obj["least_cost"] = c.LeastCost
		obj["reduce_cost"] = c.ReduceCost
	case "DISCOUNT":
		obj["discount"] = c.Discount
	case "GIFT":
		obj["gift"] = c.Gift
	case "GROUPON":
		obj["deal_detail"] = c.DealDetail
	case "GENERAL_COUPON":
		obj["default_detail"] = c.DefaultDetail
	case "MEMBER_CARD":
		obj["prerogative"] = c.Prerogative
		obj["supply_bonus"] = c.SupplyBonus
		obj["supply_balance"] = c.SupplyBalance
	}
	if len(c.Extra) > 0 {
		var extra map[string]json.RawMessage
		if json.Unmarshal(c.Extra, &extra) == nil {
			for k, v := range extra {
				if _, set := obj[k]; !set {
					obj[k] = v
				}
			}
		}
	}
	return map[string]any{"card_type": c.Type, cardTypes[c.Type]: obj}
}

// typeBody is the object under the card type key in card/create.
type typeBody struct {
	BaseInfo      *baseInfo       `json:"base_info"`
	AdvancedInfo  json.RawMessage `json:"advanced_info"`
	LeastCost     int64           `json:"least_cost"`
	ReduceCost    int64           `json:"reduce_cost"`
	Discount      int             `json:"discount"`
	Gift          string          `json:"gift"`
	DealDetail    string          `json:"deal_detail"`
	DefaultDetail string          `json:"default_detail"`
	Prerogative   string          `json:"prerogative"`
	SupplyBonus   bool            `json:"supply_bonus"`
	SupplyBalance bool            `json:"supply_balance"`
}

// validateBase checks base_info the way card/create does.
func validateBase(b *baseInfo) *apiError {
	if b.LogoURL == "" || b.CodeType == "" || b.BrandName == "" || b.Title == "" || b.Color == "" ||
		b.Notice == "" || b.Description == "" || b.DateInfo.Type == "" {
		return errMissingFields
	}
	if utf8.RuneCountInString(b.BrandName) > 12 || utf8.RuneCountInString(b.Title) > 9 ||
		utf8.RuneCountInString(b.Notice) > 16 || utf8.RuneCountInString(b.Description) > 1024 {
		return errFieldLength
	}
	if !colors[b.Color] {
		return errf(40097, "invalid args, unknown color %s", b.Color)
	}
	if !codeTypes[b.CodeType] {
		return errf(40072, "invalid code type")
	}
	if b.SKU.Quantity < 0 || b.SKU.Quantity > 100000000 {
		return errf(40122, "invalid quantity")
	}
	switch di := b.DateInfo; di.Type {
	case "DATE_TYPE_FIX_TIME_RANGE":
		if di.BeginTimestamp <= 0 || di.EndTimestamp <= di.BeginTimestamp {
			return errf(40100, "invalid time range")
		}
	case "DATE_TYPE_FIX_TERM":
		if di.FixedTerm <= 0 || di.FixedBeginTerm < 0 {
			return errf(40100, "invalid time range")
		}
	case "DATE_TYPE_PERMANENT":
	default:
		return errf(40100, "invalid time range, unknown date_info type")
	}
	return nil
}

// validateValue checks the value fields of a card type.
func validateValue(typ string, t *typeBody) *apiError {
	switch typ {
	case "CASH":
		if t.ReduceCost <= 0 || t.LeastCost < 0 {
			return errMissingFields
		}
	case "DISCOUNT":
		if t.Discount <= 0 || t.Discount >= 100 {
			return errf(40097, "invalid args, discount must be 1..99")
		}
	case "GIFT":
		if t.Gift == "" {
			return errMissingFields
		}
	case "GROUPON":
		if t.DealDetail == "" {
			return errMissingFields
		}
	case "GENERAL_COUPON":
		if t.DefaultDetail == "" {
			return errMissingFields
		}
	case "MEMBER_CARD":
		if t.Prerogative == "" {
			return errMissingFields
		}
	}
	return nil
}

// cardCreate is POST /card/create. A new card waits in review (CARD_STATUS_NOT_VERIFY) for
// Options.ReviewDelay.
func (s *Sim) cardCreate(c *call) (map[string]any, *apiError) {
	var req struct {
		Card map[string]json.RawMessage `json:"card"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	if req.Card == nil {
		return nil, errMissingFields
	}
	var typ string
	if raw, ok := req.Card["card_type"]; !ok || json.Unmarshal(raw, &typ) != nil {
		return nil, errCardType
	}
	key, ok := cardTypes[typ]
	if !ok {
		return nil, errCardType
	}
	raw, ok := req.Card[key]
	if !ok {
		return nil, errMissingFields
	}
	var tb typeBody
	if err := json.Unmarshal(raw, &tb); err != nil {
		return nil, errDataFormat
	}
	if tb.BaseInfo == nil {
		return nil, errMissingFields
	}
	if e := validateBase(tb.BaseInfo); e != nil {
		return nil, e
	}
	if e := validateValue(typ, &tb); e != nil {
		return nil, e
	}
	now := s.now().Unix()
	cd := &card{
		ID: s.newCardID(tb.BaseInfo.Title), Type: typ, Status: cardNotVerify, Base: *tb.BaseInfo,
		LeastCost: tb.LeastCost, ReduceCost: tb.ReduceCost, Discount: tb.Discount, Gift: tb.Gift,
		DealDetail: tb.DealDetail, DefaultDetail: tb.DefaultDetail, Prerogative: tb.Prerogative,
		SupplyBonus: tb.SupplyBonus, SupplyBalance: tb.SupplyBalance, Advanced: tb.AdvancedInfo,
		Extra: raw, Created: now,
	}
	cd.Base.SKU.TotalQuantity = cd.Base.SKU.Quantity
	s.scheduleReview(cd, now)
	s.st.Cards = append(s.st.Cards, cd)
	s.cardByID[cd.ID] = cd
	s.changed()
	resp := okBody()
	resp["card_id"] = cd.ID
	return resp, nil
}

// scheduleReview puts a card into review until the review delay has passed.
func (s *Sim) scheduleReview(cd *card, now int64) {
	if s.reviewDelay < 0 {
		cd.Status, cd.ApproveAt = cardVerifyOK, 0
		return
	}
	cd.Status = cardNotVerify
	cd.ApproveAt = now + max(1, int64(s.reviewDelay.Seconds()))
}

// cardGet is POST /card/get.
func (s *Sim) cardGet(c *call) (map[string]any, *apiError) {
	var req struct {
		CardID string `json:"card_id"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	cd, e := s.liveCard(req.CardID)
	if e != nil {
		return nil, e
	}
	resp := okBody()
	resp["card"] = s.cardJSON(cd)
	return resp, nil
}

// cardBatchGet is POST /card/batchget: card ids in creation order, count ≤ 50.
func (s *Sim) cardBatchGet(c *call) (map[string]any, *apiError) {
	var req struct {
		Offset     int      `json:"offset"`
		Count      *int     `json:"count"`
		StatusList []string `json:"status_list"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	if req.Count == nil {
		return nil, errMissingFields
	}
	if *req.Count <= 0 || *req.Count > 50 || req.Offset < 0 {
		return nil, errf(40097, "invalid args, count must be 1..50")
	}
	ids := []string{}
	for _, cd := range s.st.Cards {
		if len(req.StatusList) > 0 && !slices.Contains(req.StatusList, cd.Status) {
			continue
		}
		if len(req.StatusList) == 0 && cd.Status == cardDelete {
			continue
		}
		ids = append(ids, cd.ID)
	}
	total := len(ids)
	page := []string{}
	if req.Offset < total {
		page = ids[req.Offset:min(total, req.Offset+*req.Count)]
	}
	resp := okBody()
	resp["card_id_list"] = page
	resp["total_num"] = total
	return resp, nil
}

// reviewFields are the base_info fields whose change sends a card back to review.
var reviewFields = map[string]bool{"title": true, "logo_url": true, "brand_name": true}

// updatable are the base_info fields card/update may change.
var updatable = map[string]bool{
	"title": true, "logo_url": true, "brand_name": true, "color": true, "notice": true,
	"description": true, "service_phone": true, "code_type": true, "get_limit": true,
	"use_limit": true, "can_share": true, "can_give_friend": true, "location_id_list": true,
	"custom_url_name": true, "custom_url": true, "custom_url_sub_title": true, "date_info": true,
}

// cardUpdate is POST /card/update: change base_info fields; some send the card back to review.
func (s *Sim) cardUpdate(c *call) (map[string]any, *apiError) {
	var req map[string]json.RawMessage
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	var id string
	if raw, ok := req["card_id"]; ok {
		if json.Unmarshal(raw, &id) != nil {
			return nil, errDataFormat
		}
	}
	cd, e := s.liveCard(id)
	if e != nil {
		return nil, e
	}
	key := cardTypes[cd.Type]
	raw, ok := req[key]
	if !ok {
		for k := range req {
			if k != "card_id" {
				return nil, errCardType
			}
		}
		return nil, errMissingFields
	}
	var body struct {
		BaseInfo map[string]json.RawMessage `json:"base_info"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, errDataFormat
	}
	for k := range body.BaseInfo {
		if !updatable[k] {
			return nil, errf(40097, "invalid args, %s cannot be updated", k)
		}
	}
	// Merge: encode the current base_info, overlay the changes, decode and validate the result.
	var merged map[string]json.RawMessage
	cur, _ := json.Marshal(cd.Base)
	_ = json.Unmarshal(cur, &merged)
	sendCheck := false
	for k, v := range body.BaseInfo {
		if reviewFields[k] && !bytes.Equal(merged[k], v) {
			sendCheck = true
		}
		merged[k] = v
	}
	mb, _ := json.Marshal(merged)
	var nb baseInfo
	if err := json.Unmarshal(mb, &nb); err != nil {
		return nil, errDataFormat
	}
	nb.SKU = cd.Base.SKU
	nb.UseCustomCode, nb.BindOpenID = cd.Base.UseCustomCode, cd.Base.BindOpenID
	if e := validateBase(&nb); e != nil {
		return nil, e
	}
	if nb.DateInfo.Type != cd.Base.DateInfo.Type ||
		(nb.DateInfo.Type == "DATE_TYPE_FIX_TIME_RANGE" && (nb.DateInfo.EndTimestamp < cd.Base.DateInfo.EndTimestamp ||
			nb.DateInfo.BeginTimestamp != cd.Base.DateInfo.BeginTimestamp)) {
		return nil, errf(40100, "invalid time range, validity can only be extended")
	}
	cd.Base = nb
	if sendCheck {
		s.scheduleReview(cd, s.now().Unix())
	}
	s.changed()
	resp := okBody()
	resp["send_check"] = sendCheck
	return resp, nil
}

// cardDelete is POST /card/delete.
func (s *Sim) cardDelete(c *call) (map[string]any, *apiError) {
	var req struct {
		CardID string `json:"card_id"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	cd, e := s.liveCard(req.CardID)
	if e != nil {
		return nil, e
	}
	cd.Status = cardDelete
	s.changed()
	return okBody(), nil
}

// cardModifyStock is POST /card/modifystock: exactly one of increase_stock_value or
// reduce_stock_value; stock never goes below zero.
func (s *Sim) cardModifyStock(c *call) (map[string]any, *apiError) {
	var req struct {
		CardID   string `json:"card_id"`
		Increase int64  `json:"increase_stock_value"`
		Reduce   int64  `json:"reduce_stock_value"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	cd, e := s.liveCard(req.CardID)
	if e != nil {
		return nil, e
	}
	switch {
	case req.Increase < 0 || req.Reduce < 0 || (req.Increase > 0 && req.Reduce > 0):
		return nil, errf(40097, "invalid args")
	case req.Increase == 0 && req.Reduce == 0:
		return nil, errMissingFields
	case req.Reduce > cd.Base.SKU.Quantity:
		return nil, errf(40122, "invalid quantity, reduce_stock_value exceeds the stock")
	case cd.Base.SKU.Quantity+req.Increase > 100000000:
		return nil, errf(40122, "invalid quantity")
	}
	cd.Base.SKU.Quantity += req.Increase - req.Reduce
	cd.Base.SKU.TotalQuantity += req.Increase - req.Reduce
	s.changed()
	return okBody(), nil
}

// testWhitelistSet is POST /card/testwhitelist/set.
func (s *Sim) testWhitelistSet(c *call) (map[string]any, *apiError) {
	var req struct {
		OpenID   []string `json:"openid"`
		Username []string `json:"username"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	if len(req.OpenID) == 0 && len(req.Username) == 0 {
		return nil, errMissingFields
	}
	if len(req.OpenID)+len(req.Username) > 10 {
		return nil, errf(40097, "invalid args, at most 10 whitelist members")
	}
	s.st.WhiteOpenIDs = req.OpenID
	s.st.WhiteUsernames = req.Username
	s.changed()
	resp := okBody()
	resp["white_list_size"] = len(req.OpenID) + len(req.Username)
	resp["success_openid"] = nonNil(req.OpenID)
	resp["success_username"] = nonNil(req.Username)
	return resp, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// cellSet is the shared body of paycell/set and selfconsumecell/set: the card needs stores.
func (s *Sim) cellSet(c *call, apply func(*card, bool)) (map[string]any, *apiError) {
	var req struct {
		CardID string `json:"card_id"`
		IsOpen *bool  `json:"is_open"`
	}
	if e := c.decode(&req); e != nil {
		return nil, e
	}
	cd, e := s.liveCard(req.CardID)
	if e != nil {
		return nil, e
	}
	if req.IsOpen == nil {
		return nil, errMissingFields
	}
	if *req.IsOpen && len(cd.Base.LocationIDList) == 0 {
		return nil, errf(40097, "invalid args, the card has no location_id_list")
	}
	apply(cd, *req.IsOpen)
	s.changed()
	return okBody(), nil
}

// payCellSet is POST /card/paycell/set.
func (s *Sim) payCellSet(c *call) (map[string]any, *apiError) {
	return s.cellSet(c, func(cd *card, open bool) { cd.PayCell = open })
}

// selfConsumeCellSet is POST /card/selfconsumecell/set.
func (s *Sim) selfConsumeCellSet(c *call) (map[string]any, *apiError) {
	return s.cellSet(c, func(cd *card, open bool) { cd.SelfConsume = open })
}

// maxImage is the largest logo uploadimg takes.
const maxImage = 1 << 20

// uploadImg is POST /cgi-bin/media/uploadimg: multipart field "media", a JPEG or PNG of at most
// 1 MB; the url is derived from the content, so the same image gives the same url.
func (s *Sim) uploadImg(c *call) (map[string]any, *apiError) {
	mt, params, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, errf(41005, "media data missing")
	}
	if len(c.body) >= maxBody {
		return nil, errf(40009, "invalid image size")
	}
	mr := multipart.NewReader(bytes.NewReader(c.body), params["boundary"])
	var data []byte
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errf(41005, "media data missing")
		}
		if p.FormName() == "media" {
			data, err = io.ReadAll(io.LimitReader(p, maxImage+1))
			if err != nil {
				return nil, errf(41005, "media data missing")
			}
			break
		}
	}
	if len(data) == 0 {
		return nil, errf(41005, "media data missing")
	}
	if len(data) > maxImage {
		return nil, errf(40009, "invalid image size")
	}
	kind := ""
	switch http.DetectContentType(data) {
	case "image/png":
		kind = "png"
	case "image/jpeg":
		kind = "jpg"
	default:
		return nil, errf(40005, "invalid file type")
	}
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:])
	u, ok := s.st.Images[key]
	if !ok {
		u = "http://mmbiz.qpic.cn/mmbiz_" + kind + "/" + strings.TrimRight(base64.RawURLEncoding.EncodeToString(sum[:]), "=") + "/0"
		s.st.Images[key] = u
		s.changed()
	}
	resp := okBody()
	resp["url"] = u
	return resp, nil
}
