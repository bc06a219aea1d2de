package campaign

import (
	"fmt"
	"github.com/cardpos/cardpos/money"
	"strconv"
	"strings"
	"time"

	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
)

// Message is a user-facing text as a translation key and its template data, the same shape as
// redeem.Message (campaign does not import redeem, so it builds while the domain changes).
type Message struct {
	Key  string
	Args map[string]any
}

// ValueMessage is the value line of a card: 满100减20, 8折, the gift, the deal.
func ValueMessage(c *wxapi.Card) Message {
	switch c.Type {
	case wxapi.CardCash:
		if c.LeastCost > 0 {
			return Message{Key: "campaign.value.cash_threshold",
				Args: map[string]any{"Least": money.Short(c.LeastCost), "Reduce": money.Short(c.ReduceCost)}}
		}
		return Message{Key: "campaign.value.cash", Args: map[string]any{"Reduce": money.Short(c.ReduceCost)}}
	case wxapi.CardDiscount:
		pay := 100 - c.Discount // percent paid: 30 % off → 70 → 7折
		zhe := strconv.Itoa(pay / 10)
		if pay%10 != 0 {
			zhe = strconv.FormatFloat(float64(pay)/10, 'f', 1, 64)
		}
		return Message{Key: "campaign.value.discount", Args: map[string]any{"Zhe": zhe, "Off": c.Discount}}
	case wxapi.CardGift:
		return Message{Key: "campaign.value.gift", Args: map[string]any{"Gift": c.Gift}}
	case wxapi.CardGroupon:
		return Message{Key: "campaign.value.groupon", Args: map[string]any{"Detail": c.DealDetail}}
	case wxapi.CardGeneralCoupon:
		return Message{Key: "campaign.value.general", Args: map[string]any{"Detail": c.DefaultDetail}}
	case wxapi.CardMember:
		return Message{Key: "campaign.value.member"}
	}
	return Message{Key: "campaign.value.general", Args: map[string]any{"Detail": c.Base.Title}}
}

// ValidityMessage is the validity line of a card's date rule, dates shown in loc. It returns a
// zero Message when the rule is unknown.
func ValidityMessage(d wxapi.DateInfo, loc *time.Location) Message {
	day := func(sec int64) string { return time.Unix(sec, 0).In(loc).Format("2006-01-02") }
	switch d.Type {
	case "DATE_TYPE_FIX_TIME_RANGE":
		return Message{Key: "campaign.validity.range",
			Args: map[string]any{"From": day(d.BeginTimestamp), "To": day(d.EndTimestamp)}}
	case "DATE_TYPE_FIX_TERM":
		if d.FixedBeginTerm > 0 {
			return Message{Key: "campaign.validity.term_later",
				Args: map[string]any{"Begin": d.FixedBeginTerm, "Days": d.FixedTerm}}
		}
		return Message{Key: "campaign.validity.term", Args: map[string]any{"Days": d.FixedTerm}}
	case "DATE_TYPE_PERMANENT":
		return Message{Key: "campaign.validity.permanent"}
	}
	return Message{}
}

// ContentFor builds the words of a poster for campaign c from its cards (in c.CardIDs order), in
// language lang. The first card gives brand, colour and validity; with several cards the title
// says how many and the value line lists each card's value.
func ContentFor(c storage.Campaign, cards []*wxapi.Card, cat *i18n.Catalog, lang i18n.Lang, loc *time.Location) (Content, error) {
	if len(cards) == 0 || cards[0] == nil {
		return Content{}, fmt.Errorf("campaign: content: %w", ErrNoCards)
	}
	m, err := EncodeQR(c.URL)
	if err != nil {
		return Content{}, err
	}
	tr := func(msg Message) string {
		if msg.Key == "" {
			return ""
		}
		return cat.In(lang, msg.Key, msg.Args)
	}
	first := cards[0]
	out := Content{
		Brand:    first.Base.BrandName,
		Title:    first.Base.Title,
		Validity: tr(ValidityMessage(first.Base.DateInfo, loc)),
		CTA:      cat.In(lang, "campaign.poster.cta"),
		Color:    ParseHex(wxapi.ColorHex[first.Base.Color]),
		QR:       m,
	}
	if len(cards) > 1 {
		out.Title = cat.In(lang, "campaign.poster.multi_title",
			map[string]any{"Title": first.Base.Title, "N": len(cards), "More": len(cards) - 1})
	}
	values := make([]string, 0, len(cards))
	for _, card := range cards {
		if card != nil {
			values = append(values, tr(ValueMessage(card)))
		}
	}
	out.Value = strings.Join(values, " · ")
	if c.Scene != "" {
		out.Scene = cat.In(lang, "campaign.poster.scene", map[string]any{"Scene": c.Scene})
	}
	return out, nil
}
