package redeem

import (
	"fmt"
	"github.com/cardpos/cardpos/money"
	"strings"
	"unicode/utf8"

	"github.com/cardpos/cardpos/scanner"
	"github.com/cardpos/cardpos/wxapi"
)

// The message keys redeem returns. The words are in assets/translations/redeem.*.json.
const (
	// Refusals of a scan, one per cause.
	KeyUsed          = "redeem.reason.used"           // 40099 / CONSUMED
	KeyUsedHere      = "redeem.reason.used_here"      // CONSUMED, and this till's journal has it redeemed
	KeyExpired       = "redeem.reason.expired"        // EXPIRE or past end_time
	KeyNotYetValid   = "redeem.reason.not_yet_valid"  // before begin_time
	KeyDeleted       = "redeem.reason.deleted"        // DELETE
	KeyVoided        = "redeem.reason.voided"         // UNAVAILABLE
	KeyGifting       = "redeem.reason.gifting"        // GIFTING / GIFT_TIMEOUT
	KeyUnknownCode   = "redeem.reason.unknown"        // 40056
	KeyWrongCard     = "redeem.reason.wrong_card"     // the code belongs to another card
	KeyDamaged       = "redeem.reason.damaged"        // 40075
	KeyCannotConsume = "redeem.reason.cannot_consume" // can_consume false with no other reason
	KeyUnusable      = "redeem.reason.unusable"       // 40127 when code/get could not say which
	KeyWeChatPay     = "redeem.reason.wechat_pay"
	KeyAlipay        = "redeem.reason.alipay"
	KeyCampaignQR    = "redeem.reason.campaign_qr"
	KeyProduct       = "redeem.reason.product"
	KeyBadChars      = "redeem.reason.bad_chars"
	KeyTooLong       = "redeem.reason.too_long"
	KeyEmpty         = "redeem.reason.empty"
	KeyNotACode      = "redeem.reason.not_a_code"
	KeyWeChatError   = "redeem.reason.wechat_error" // other errcodes: {{.Code}}
	KeyAlreadyQueued = "redeem.reason.already_queued"
	KeyInProgress    = "redeem.reason.in_progress"
	KeyConflictOpen  = "redeem.reason.conflict_open"

	// Offline refusals and warnings.
	KeyOfflineOff       = "redeem.offline.off"
	KeyOfflineEncrypted = "redeem.offline.encrypted"
	KeyOfflineOverCap   = "redeem.offline.over_cap"     // {{.Value}} {{.Cap}} yuan
	KeyOfflineTooMany   = "redeem.offline.too_many"     // {{.Max}}
	KeyOfflineType      = "redeem.offline.type"         // {{.Type}}
	KeyOfflineUnknown   = "redeem.offline.card_unknown" // type limits cannot be checked
	KeyOfflineUsedHere  = "redeem.offline.used_here"    // our own journal has it redeemed
	KeyOfflineRisk      = "redeem.offline.risk"         // warning on an accepted offline preview
	KeyOfflineQueued    = "redeem.offline.queued"       // outcome: queued, {{.Pending}}
	KeyAnswerLost       = "redeem.offline.answer_lost"  // consume sent, answer lost: confirming

	// Sync and reconciliation.
	KeyConflictUsedElsewhere = "redeem.conflict.used_elsewhere" // 40099 on our first attempt
	KeyConflictStatus        = "redeem.conflict.status"         // {{.Status}}
	KeyConflictUnknown       = "redeem.conflict.unknown"        // 40056
	KeyExpiredOffline        = "redeem.conflict.expired_offline"
	KeyInterrupted           = "redeem.reason.interrupted" // an online redeem cut off by a crash; not consumed
	KeySyncOffline           = "redeem.sync.offline"
	KeySyncQuota             = "redeem.sync.quota"
	KeySyncToken             = "redeem.sync.token"
	KeySyncBusy              = "redeem.sync.busy"
	KeySyncError             = "redeem.sync.error"

	// What to tell the customer.
	KeyTellUsed      = "redeem.tell.used"
	KeyTellExpired   = "redeem.tell.expired"
	KeyTellVoided    = "redeem.tell.voided"
	KeyTellGifting   = "redeem.tell.gifting"
	KeyTellUnknown   = "redeem.tell.unknown"
	KeyTellRefresh   = "redeem.tell.refresh"
	KeyTellPayment   = "redeem.tell.payment"
	KeyTellCampaign  = "redeem.tell.campaign"
	KeyTellProduct   = "redeem.tell.product"
	KeyTellRescan    = "redeem.tell.rescan"
	KeyTellOffline   = "redeem.tell.offline"
	KeyTellOtherCard = "redeem.tell.other_card"

	// Card values.
	KeyValueCash            = "redeem.value.cash"              // 满{{.Least}}减{{.Reduce}}
	KeyValueCashNoThreshold = "redeem.value.cash_no_threshold" // {{.Reduce}}
	KeyValueDiscount        = "redeem.value.discount"          // {{.Zhe}}折 / {{.Off}}% off
	KeyValueGift            = "redeem.value.gift"              // {{.Gift}}
	KeyValueGroupon         = "redeem.value.groupon"           // {{.Detail}}
	KeyValueGeneral         = "redeem.value.general"           // {{.Detail}}
	KeyValueMember          = "redeem.value.member"            // {{.Detail}}
	KeyValueUnknown         = "redeem.value.unknown"

	// Code states in plain words.
	KeyStatusPrefix = "redeem.status." // + lower-case CodeStatus
)

func msg(key string, kv ...any) Message {
	m := Message{Key: key}
	if len(kv) > 0 {
		m.Args = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m.Args[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return m
}

// ValueMessage is the card's value in words: 满100减20, 八折, the gift, the deal.
func ValueMessage(c *wxapi.Card) Message {
	if c == nil {
		return msg(KeyValueUnknown)
	}
	switch c.Type {
	case wxapi.CardCash:
		if c.LeastCost > 0 {
			return msg(KeyValueCash, "Least", money.Short(c.LeastCost), "Reduce", money.Short(c.ReduceCost))
		}
		return msg(KeyValueCashNoThreshold, "Reduce", money.Short(c.ReduceCost))
	case wxapi.CardDiscount:
		pay := 100 - c.Discount // percent paid: 80 → 八折 "8"
		zhe := fmt.Sprintf("%d", pay/10)
		if pay%10 != 0 {
			zhe = fmt.Sprintf("%d.%d", pay/10, pay%10)
		}
		return msg(KeyValueDiscount, "Zhe", zhe, "Off", c.Discount)
	case wxapi.CardGift:
		return msg(KeyValueGift, "Gift", c.Gift)
	case wxapi.CardGroupon:
		return msg(KeyValueGroupon, "Detail", c.DealDetail)
	case wxapi.CardGeneralCoupon:
		return msg(KeyValueGeneral, "Detail", c.DefaultDetail)
	case wxapi.CardMember:
		return msg(KeyValueMember, "Detail", c.Prerogative)
	}
	return msg(KeyValueUnknown)
}

// FaceValue is the money a card takes off, in fen: a cash coupon's reduce_cost, else 0.
func FaceValue(c *wxapi.Card) int64 {
	if c != nil && c.Type == wxapi.CardCash {
		return c.ReduceCost
	}
	return 0
}

// CardTypeMessage is a card type in plain words: 代金券, 折扣券, 兑换券 …
func CardTypeMessage(t wxapi.CardType) Message { return msg("redeem.cardtype." + string(t)) }

// StatusMessage is a code status in plain words.
func StatusMessage(s wxapi.CodeStatus) Message {
	if s == "" {
		return msg(KeyStatusPrefix + "unknown")
	}
	return msg(KeyStatusPrefix + strings.ToLower(string(s)))
}

// Last4 is the last four characters of a code, what screens and receipts show of it.
func Last4(code string) string {
	r := []rune(code)
	if len(r) <= 4 {
		return code
	}
	return string(r[len(r)-4:])
}

// Mask hides all but the last four characters of a code in groups of four: "•••• •••• 5678".
func Mask(code string) string {
	n := utf8.RuneCountInString(code)
	if n <= 4 {
		return code
	}
	return strings.Repeat("•••• ", (n-4+3)/4) + Last4(code)
}

// kindRefusal is the reason and advice for text that is not a coupon.
func kindRefusal(k scanner.Kind) (Message, Message) {
	switch k {
	case scanner.KindWeChatPay:
		return msg(KeyWeChatPay), msg(KeyTellPayment)
	case scanner.KindAlipay:
		return msg(KeyAlipay), msg(KeyTellPayment)
	case scanner.KindCampaignQR:
		return msg(KeyCampaignQR), msg(KeyTellCampaign)
	case scanner.KindProduct:
		return msg(KeyProduct), msg(KeyTellProduct)
	case scanner.KindBadChars:
		return msg(KeyBadChars), Message{}
	case scanner.KindTooLong:
		return msg(KeyTooLong), msg(KeyTellRescan)
	case scanner.KindEmpty:
		return msg(KeyEmpty), Message{}
	}
	return msg(KeyNotACode), msg(KeyTellRescan)
}

// statusRefusal is the reason and advice for a code WeChat reports in status s.
func statusRefusal(s wxapi.CodeStatus) (Message, Message) {
	switch s {
	case wxapi.StatusConsumed:
		return msg(KeyUsed), msg(KeyTellUsed)
	case wxapi.StatusExpire:
		return msg(KeyExpired), msg(KeyTellExpired)
	case wxapi.StatusDelete:
		return msg(KeyDeleted), msg(KeyTellUnknown)
	case wxapi.StatusUnavailable:
		return msg(KeyVoided), msg(KeyTellVoided)
	case wxapi.StatusGifting, wxapi.StatusGiftTimeout:
		return msg(KeyGifting), msg(KeyTellGifting)
	}
	return msg(KeyCannotConsume, "Status", string(s)), msg(KeyTellUnknown)
}

// errRefusal is the reason and advice for a WeChat errcode that refuses a code.
func errRefusal(code int) (Message, Message) {
	switch code {
	case 40099:
		return msg(KeyUsed), msg(KeyTellUsed)
	case 40056:
		return msg(KeyUnknownCode), msg(KeyTellUnknown)
	case 40075:
		return msg(KeyDamaged), msg(KeyTellRefresh)
	case 40079:
		return msg(KeyExpired), msg(KeyTellExpired)
	case 40127:
		return msg(KeyUnusable), msg(KeyTellUnknown)
	}
	return msg(KeyWeChatError, "Code", code), Message{}
}
