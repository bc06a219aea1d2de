package wxsim

import (
	"errors"
	"fmt"
	"slices"
)

// Errors of the seeding helpers.
var (
	ErrDuplicate   = errors.New("wxsim: already exists")
	ErrUnknownCard = errors.New("wxsim: unknown card")
	ErrUnknownCode = errors.New("wxsim: unknown code")
	ErrInvalidSpec = errors.New("wxsim: invalid spec")
)

// CardSpec describes a card for AddCard. Empty fields get workable defaults; money is in fen.
type CardSpec struct {
	ID          string // "" derives a realistic id
	Type        string // CASH, DISCOUNT, GIFT, GROUPON, GENERAL_COUPON or MEMBER_CARD
	Title       string // ≤ 9 characters
	Brand       string // ≤ 12 characters; "" = "鲜果时光"
	Color       string // Color010 … Color102; "" = Color010
	CodeType    string // "" = CODE_TYPE_QRCODE
	Notice      string
	Description string
	LogoURL     string

	LeastCost, ReduceCost int64  // CASH
	Discount              int    // DISCOUNT: percent off (20 = 八折)
	Gift                  string // GIFT
	DealDetail            string // GROUPON
	DefaultDetail         string // GENERAL_COUPON
	Prerogative           string // MEMBER_CARD
	SupplyBonus           bool   // MEMBER_CARD

	Quantity int64 // sku.quantity (stock)
	// DateType is DATE_TYPE_FIX_TIME_RANGE (Begin/End, unix seconds), DATE_TYPE_FIX_TERM
	// (FixedTerm/FixedBeginTerm days from receipt) or DATE_TYPE_PERMANENT; "" picks
	// FIX_TIME_RANGE when End is set, else PERMANENT.
	DateType                  string
	Begin, End                int64
	FixedTerm, FixedBeginTerm int

	UseCustomCode, BindOpenID bool
	LocationIDs               []int64
	Status                    string // "" = CARD_STATUS_VERIFY_OK
}

// AddCard adds a card definition directly (no review) and returns its card_id.
func (s *Sim) AddCard(spec CardSpec) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := s.addCard(spec)
	if err == nil {
		s.changed()
	}
	return id, err
}

func (s *Sim) addCard(spec CardSpec) (string, error) {
	if _, ok := cardTypes[spec.Type]; !ok {
		return "", fmt.Errorf("%w: card type %q", ErrInvalidSpec, spec.Type)
	}
	if spec.ID != "" {
		if _, taken := s.cardByID[spec.ID]; taken {
			return "", fmt.Errorf("%w: card %s", ErrDuplicate, spec.ID)
		}
	}
	def := func(v, d string) string {
		if v == "" {
			return d
		}
		return v
	}
	dt := spec.DateType
	if dt == "" {
		dt = "DATE_TYPE_PERMANENT"
		if spec.End != 0 {
			dt = "DATE_TYPE_FIX_TIME_RANGE"
		}
	}
	cd := &card{
		ID:     spec.ID,
		Type:   spec.Type,
		Status: def(spec.Status, cardVerifyOK),
		Base: baseInfo{
			LogoURL:     def(spec.LogoURL, "http://mmbiz.qpic.cn/mmbiz_png/wxsimDemoLogo0000000000000000000000000000/0"),
			CodeType:    def(spec.CodeType, "CODE_TYPE_QRCODE"),
			BrandName:   def(spec.Brand, "鲜果时光"),
			Title:       spec.Title,
			Color:       def(spec.Color, "Color010"),
			Notice:      def(spec.Notice, "请出示二维码核销"),
			Description: def(spec.Description, "不可与其他优惠同享"),
			SKU:         sku{Quantity: spec.Quantity, TotalQuantity: spec.Quantity},
			DateInfo: dateInfo{Type: dt, BeginTimestamp: spec.Begin, EndTimestamp: spec.End,
				FixedTerm: spec.FixedTerm, FixedBeginTerm: spec.FixedBeginTerm},
			UseCustomCode:  spec.UseCustomCode,
			BindOpenID:     spec.BindOpenID,
			GetLimit:       1,
			CanShare:       true,
			CanGiveFriend:  true,
			LocationIDList: slices.Clone(spec.LocationIDs),
		},
		LeastCost: spec.LeastCost, ReduceCost: spec.ReduceCost, Discount: spec.Discount, Gift: spec.Gift,
		DealDetail: spec.DealDetail, DefaultDetail: spec.DefaultDetail, Prerogative: spec.Prerogative,
		SupplyBonus: spec.SupplyBonus, Created: s.now().Unix(),
	}
	if e := validateBase(&cd.Base); e != nil {
		return "", fmt.Errorf("%w: %s", ErrInvalidSpec, e.msg)
	}
	tb := typeBody{LeastCost: cd.LeastCost, ReduceCost: cd.ReduceCost, Discount: cd.Discount, Gift: cd.Gift,
		DealDetail: cd.DealDetail, DefaultDetail: cd.DefaultDetail, Prerogative: cd.Prerogative}
	if e := validateValue(cd.Type, &tb); e != nil {
		return "", fmt.Errorf("%w: %s", ErrInvalidSpec, e.msg)
	}
	if cd.ID == "" {
		cd.ID = s.newCardID(spec.Title)
	}
	s.st.Cards = append(s.st.Cards, cd)
	s.cardByID[cd.ID] = cd
	return cd.ID, nil
}

// CodeSpec describes a code for AddCode.
type CodeSpec struct {
	Code       string
	CardID     string
	OpenID     string // "" derives one from the code
	Status     string // "" = NORMAL; CONSUMED, EXPIRE, GIFTING, GIFT_TIMEOUT, DELETE, UNAVAILABLE
	ReceivedAt int64  // unix seconds; 0 = now (matters for DATE_TYPE_FIX_TERM cards)
	// Member cards.
	OuterStr         string
	MembershipNumber string
	Bonus            int64
	// Sample lists the code in Samples with Note, a translation key describing it.
	Sample bool
	Note   string
}

// codeStatuses are the statuses a code may be given.
var codeStatuses = []string{stNormal, stConsumed, stExpire, stGifting, stGiftTimeout, stDelete, stUnavailable}

// AddCode gives a code of an existing card to a user.
func (s *Sim) AddCode(spec CodeSpec) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.addCode(spec); err != nil {
		return err
	}
	s.changed()
	return nil
}

func (s *Sim) addCode(spec CodeSpec) error {
	if !validCustomCode(spec.Code) {
		return fmt.Errorf("%w: code %q", ErrInvalidSpec, spec.Code)
	}
	if _, taken := s.codeByCode[spec.Code]; taken {
		return fmt.Errorf("%w: code %s", ErrDuplicate, spec.Code)
	}
	if _, ok := s.cardByID[spec.CardID]; !ok {
		return fmt.Errorf("%w: %s", ErrUnknownCard, spec.CardID)
	}
	st := spec.Status
	if st == "" {
		st = stNormal
	}
	if !slices.Contains(codeStatuses, st) {
		return fmt.Errorf("%w: status %q", ErrInvalidSpec, st)
	}
	now := s.now().Unix()
	c := &code{
		Code: spec.Code, CardID: spec.CardID, OpenID: spec.OpenID, Status: st, ReceivedAt: spec.ReceivedAt,
		OuterStr: spec.OuterStr, MembershipNumber: spec.MembershipNumber, Bonus: spec.Bonus,
		Sample: spec.Sample, Note: spec.Note,
	}
	if c.OpenID == "" {
		c.OpenID = openIDFor(s.appID, spec.Code)
	}
	if c.ReceivedAt == 0 {
		c.ReceivedAt = now
	}
	if st == stConsumed {
		c.ConsumedAt = now
	}
	s.st.Codes = append(s.st.Codes, c)
	s.codeByCode[c.Code] = c
	return nil
}

// SetCodeStatus changes a code's stored status, as the customer or WeChat would: DELETE (the
// customer deleted it), GIFTING / GIFT_TIMEOUT (handed to a friend), EXPIRE, UNAVAILABLE,
// CONSUMED (redeemed elsewhere, e.g. FROM_MOBILE_HELPER) or NORMAL again.
func (s *Sim) SetCodeStatus(codeStr, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codeByCode[codeStr]
	if !ok {
		return fmt.Errorf("%w: code %s", ErrUnknownCode, codeStr)
	}
	if !slices.Contains(codeStatuses, status) {
		return fmt.Errorf("%w: status %q", ErrInvalidSpec, status)
	}
	c.Status = status
	if status == stConsumed {
		c.ConsumedAt = s.now().Unix()
	}
	s.changed()
	return nil
}

// ApproveCard ends a card's review at once (CARD_STATUS_VERIFY_OK).
func (s *Sim) ApproveCard(cardID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cd, ok := s.cardByID[cardID]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownCard, cardID)
	}
	cd.Status, cd.ApproveAt = cardVerifyOK, 0
	s.changed()
	return nil
}

// CodeStatus reports a code's user_card_status now (EXPIRE by date included), and whether the
// code exists.
func (s *Sim) CodeStatus(codeStr string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codeByCode[codeStr]
	if !ok {
		return "", false
	}
	return s.status(c), true
}

// CodeOpenID reports who holds a code ("" if the code does not exist).
func (s *Sim) CodeOpenID(codeStr string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.codeByCode[codeStr]; ok {
		return c.OpenID
	}
	return ""
}

// Sample is one seeded code, for the training-mode UI and the docs.
type Sample struct {
	Code        string `json:"code"`
	CardID      string `json:"card_id"`
	Title       string `json:"title"`         // the card's title as WeChat holds it
	CardType    string `json:"card_type"`     // CASH, DISCOUNT, …
	Status      string `json:"status"`        // user_card_status now
	Note        string `json:"note"`          // translation key (assets/translations/wxsim.*.json)
	EncryptCode string `json:"encrypt_code"`  // the code's encrypt_code, for the scan-a-URL exercise
	NeedsCardID bool   `json:"needs_card_id"` // a custom-code card: code/get and consume need card_id
}

// Samples lists the seeded sample codes in seed order, with their status now.
func (s *Sim) Samples() []Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.approveDue()
	out := []Sample{}
	for _, c := range s.st.Codes {
		if !c.Sample {
			continue
		}
		cd := s.cardByID[c.CardID]
		out = append(out, Sample{
			Code: c.Code, CardID: c.CardID, Title: cd.Base.Title, CardType: cd.Type, Status: s.status(c),
			Note: c.Note, EncryptCode: s.EncryptCode(c.Code), NeedsCardID: cd.Base.UseCustomCode,
		})
	}
	return out
}
