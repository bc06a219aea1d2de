package redeem

import (
	"strings"
	"testing"

	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/scanner"
	"github.com/cardpos/cardpos/wxapi"
)

// TestMessagesRenderInBothLanguages renders every message the engine builds, with the
// arguments it builds them with, and checks each has words and no unfilled template.
func TestMessagesRenderInBothLanguages(t *testing.T) {
	var msgs []Message
	add := func(m ...Message) {
		for _, x := range m {
			if x.Key != "" {
				msgs = append(msgs, x)
			}
		}
	}
	for _, c := range []*wxapi.Card{nil,
		{Type: wxapi.CardCash, LeastCost: 10000, ReduceCost: 2000}, {Type: wxapi.CardCash, ReduceCost: 500},
		{Type: wxapi.CardDiscount, Discount: 20}, {Type: wxapi.CardGift, Gift: "橙汁"},
		{Type: wxapi.CardGroupon, DealDetail: "双人餐"}, {Type: wxapi.CardGeneralCoupon, DefaultDetail: "第二杯半价"},
		{Type: wxapi.CardMember, Prerogative: "积分"}} {
		add(ValueMessage(c))
	}
	for _, k := range []scanner.Kind{scanner.KindWeChatPay, scanner.KindAlipay, scanner.KindCampaignQR, scanner.KindProduct,
		scanner.KindBadChars, scanner.KindTooLong, scanner.KindEmpty, scanner.KindUnknown} {
		add(kindRefusal(k))
	}
	for _, s := range []wxapi.CodeStatus{wxapi.StatusConsumed, wxapi.StatusExpire, wxapi.StatusDelete, wxapi.StatusUnavailable,
		wxapi.StatusGifting, wxapi.StatusGiftTimeout, wxapi.StatusNormal} {
		add(statusRefusal(s))
		add(StatusMessage(s))
	}
	add(StatusMessage(""))
	for _, c := range []int{40099, 40056, 40075, 40079, 40127, 48001} {
		add(errRefusal(c))
	}
	add(msg(KeyUsedHere, "At", int64(1700000000), "When", "2023-11-15 06:13", "Cashier", "ann"), msg(KeyNotYetValid, "From", int64(1700000000)),
		msg(KeyWrongCard), msg(KeyAlreadyQueued), msg(KeyInProgress), msg(KeyConflictOpen), msg(KeyInterrupted),
		msg(KeyOfflineOff), msg(KeyOfflineEncrypted), msg(KeyOfflineOverCap, "Value", "600", "Cap", "500"),
		msg(KeyOfflineTooMany, "Max", 200), msg(KeyOfflineType, "Type", "GIFT"), msg(KeyOfflineUnknown),
		msg(KeyOfflineUsedHere), msg(KeyOfflineRisk, "MaxAge", 24), msg(KeyOfflineQueued, "Pending", 3), msg(KeyAnswerLost),
		msg(KeyConflictUsedElsewhere), msg(KeyConflictStatus, "Status", "EXPIRE"), msg(KeyConflictUnknown),
		msg(KeyExpiredOffline), msg(KeySyncOffline), msg(KeySyncQuota), msg(KeySyncToken), msg(KeySyncBusy), msg(KeySyncError),
		msg(KeyTellOtherCard), msg(KeyTellOffline), msg(KeyTellRescan))
	cat := i18n.Default()
	for _, m := range msgs {
		for _, l := range i18n.Langs {
			var got string
			if m.Args != nil {
				got = cat.In(l, m.Key, m.Args)
			} else {
				got = cat.In(l, m.Key)
			}
			if got == m.Key || got == "" || strings.Contains(got, "{{") || strings.Contains(got, "<no value>") {
				t.Errorf("%s in %s = %q", m.Key, l, got)
			}
		}
	}
	if got := cat.In(i18n.ZH, KeyValueCash, ValueMessage(&wxapi.Card{Type: wxapi.CardCash, LeastCost: 10000, ReduceCost: 2000}).Args); got != "满100减20" {
		t.Errorf("cash value in zh = %q, want 满100减20", got)
	}
	if got := cat.In(i18n.ZH, KeyValueDiscount, ValueMessage(&wxapi.Card{Type: wxapi.CardDiscount, Discount: 20}).Args); got != "8折" {
		t.Errorf("discount value in zh = %q, want 8折", got)
	}
}
