package wxapi

// This file holds the typed shapes that the rest of CardPOS uses when it talks about WeChat cards.
// The wire JSON is decoded into private structs in the endpoint files and converted into these.

// CardType is WeChat's card_type value.
type CardType string

// The six card types WeChat knows.
const (
	CardGroupon       CardType = "GROUPON"
	CardCash          CardType = "CASH"
	CardDiscount      CardType = "DISCOUNT"
	CardGift          CardType = "GIFT"
	CardGeneralCoupon CardType = "GENERAL_COUPON"
	CardMember        CardType = "MEMBER_CARD"
)

// CodeStatus is WeChat's user_card_status of one code.
type CodeStatus string

// The code states that code/get reports.
const (
	StatusNormal      CodeStatus = "NORMAL"
	StatusConsumed    CodeStatus = "CONSUMED"
	StatusExpire      CodeStatus = "EXPIRE"
	StatusGifting     CodeStatus = "GIFTING"
	StatusGiftTimeout CodeStatus = "GIFT_TIMEOUT"
	StatusDelete      CodeStatus = "DELETE"
	StatusUnavailable CodeStatus = "UNAVAILABLE"
)

// CodeInfo is the answer of card/code/get, normalised from the current and the legacy shapes.
type CodeInfo struct {
	CardID           string     // card.card_id
	BeginTime        int64      // card.begin_time, unix seconds (0 when absent)
	EndTime          int64      // card.end_time, unix seconds (0 when absent)
	OpenID           string     // who holds the code
	CanConsume       bool       // can_consume, from a bool or the string "true"
	Status           CodeStatus // user_card_status, top level or inside card
	OuterStr         string     // outer_str (member cards)
	MembershipNumber string     // card.membership_number (member cards)
	Bonus            int64      // card.bonus (member cards)
}

// ConsumeResult is the answer of card/code/consume.
type ConsumeResult struct {
	CardID string
	OpenID string
}

// QRCard is one card in a dispatch QR code request.
type QRCard struct {
	CardID       string
	Code         string // only for custom-code cards
	OpenID       string // only for cards bound to one user
	IsUniqueCode bool
	OuterID      int    // legacy integer scene value; 0 = not sent
	OuterStr     string // the scene value; "" = not sent
}

// QRCodeRequest asks for a dispatch QR code. One card makes QR_CARD, several QR_MULTIPLE_CARD.
// ExpireSeconds 0 means a permanent code (the field is left out).
type QRCodeRequest struct {
	Cards         []QRCard
	ExpireSeconds int
}

// QRCode is the answer of card/qrcode/create. URL is what the printed QR encodes.
type QRCode struct {
	Ticket        string
	ExpireSeconds int
	URL           string
	ShowQRCodeURL string
}

// DateInfo is a card's validity rule.
type DateInfo struct {
	Type           string // DATE_TYPE_FIX_TIME_RANGE, DATE_TYPE_FIX_TERM, DATE_TYPE_PERMANENT
	BeginTimestamp int64
	EndTimestamp   int64
	FixedTerm      int // days
	FixedBeginTerm int // days
}

// BaseInfo holds the base_info fields CardPOS reads or writes.
type BaseInfo struct {
	ID            string // read only
	Status        string // read only, e.g. CARD_STATUS_VERIFY_OK
	LogoURL       string
	CodeType      string
	BrandName     string
	Title         string
	Color         string // Color010 … Color102
	Notice        string
	Description   string
	Quantity      int64 // sku.quantity
	DateInfo      DateInfo
	UseCustomCode bool
	BindOpenID    bool
	GetLimit      int
	UseLimit      int
	CanShare      bool
	CanGiveFriend bool
	ServicePhone  string
}

// Card is one card definition as returned by card/get, with the value fields of its type.
// Money is in fen. Only the fields of Type are meaningful.
type Card struct {
	ID            string
	Type          CardType
	Base          BaseInfo
	LeastCost     int64  // CASH: spend at least this much (fen); 0 = no threshold
	ReduceCost    int64  // CASH: amount off (fen)
	Discount      int    // DISCOUNT: percent off (30 = 七折)
	Gift          string // GIFT: what is given
	DealDetail    string // GROUPON: what the deal contains
	DefaultDetail string // GENERAL_COUPON: the offer text
	// MEMBER_CARD fields
	Prerogative     string
	SupplyBonus     bool
	SupplyBalance   bool
	AdvancedInfoRaw []byte // advanced_info as sent, kept for create/update round trips
}

// ColorHex maps WeChat's colour names to RGB hex, for posters and the UI.
var ColorHex = map[string]string{
	"Color010": "#63b359", "Color020": "#2c9f67", "Color030": "#509fc9", "Color040": "#5885cf",
	"Color050": "#9062c0", "Color060": "#d09a45", "Color070": "#e4b138", "Color080": "#ee903c",
	"Color081": "#f08500", "Color082": "#a9d92d", "Color090": "#dd6549", "Color100": "#cc463d",
	"Color101": "#cf3e36", "Color102": "#5E6671",
}
