package wxsim

import "fmt"

// SeedDemo is the Options.Seed of the demo account: the account of a fruit-and-tea shop, 鲜果时光, with one card of every
// type and codes in every state. Dates are relative to the clock at seeding (Beijing days). The
// end-to-end tests, the training-mode UI and the docs rely on these codes:
//
//	code            card                          type            state
//	100000000001 …  满100减20元券 (least_cost 10000, CASH            NORMAL
//	100000000009    reduce_cost 2000)
//	200000000001    满100减20元券                 CASH            CONSUMED
//	200000000002    满100减20元券                 CASH            EXPIRE
//	200000000003    满100减20元券                 CASH            UNAVAILABLE (voided by the merchant)
//	200000000004    满100减20元券                 CASH            GIFTING (being given to a friend)
//	200000000005    满100减20元券                 CASH            DELETE (deleted by the user)
//	200000000006    满100减20元券                 CASH            GIFT_TIMEOUT
//	300000000001 …  全场八折券 (discount 20)      DISCOUNT        NORMAL
//	300000000003
//	400000000001,2  免费鲜榨果汁                  GIFT            NORMAL (bind_openid card)
//	500000000001,2  双人下午茶套餐                GROUPON         NORMAL
//	600000000001    第二杯半价 (30 days from      GENERAL_COUPON  NORMAL
//	                receipt, DATE_TYPE_FIX_TERM)
//	600000000002    第二杯半价, received 40 days  GENERAL_COUPON  EXPIRE by date
//	                ago
//	700000000001    新年八八折 (valid from 10     DISCOUNT        NORMAL, not yet valid: consume
//	                days on)                                      answers 40079
//	VIP2024A001 …   VIP专享立减50 (use_custom_     CASH            NORMAL; code/get and consume
//	VIP2024A003     code, least_cost 20000,                       need card_id, else 40056
//	                reduce_cost 5000)
//	VIP2024A004     VIP专享立减50                 CASH            CONSUMED
//	800000000001,2  鲜果时光会员卡                MEMBER_CARD     NORMAL, with membership_number
//	                                                              and bonus
//
// A sixth card, 圣诞满50减10, stays CARD_STATUS_NOT_VERIFY (qrcode/create answers 40078); it has
// no codes. Every code has an encrypt_code (Sim.EncryptCode, Sample.EncryptCode); the one for
// 100000000009 is what the encrypt_code exercises use. With the demo appid it is (checked by a
// test)
//
//	3RXtMkpfISssLyqaqFV+prI19kWCcmRrSHeF6iRXKjAO+YUK20oaVBEfiA2/Y35J
const SeedDemo = "demo"

// seedDemo fills an empty account with the SeedDemo cards and codes.
func (s *Sim) seedDemo() error {
	now := s.now().Unix()
	today := dayStart(now)
	const day = 86400
	users := make([]string, 5)
	for i := range users {
		users[i] = openIDFor(s.appID, fmt.Sprintf("demo-user-%d", i))
	}
	user := func(i int) string { return users[i%len(users)] }

	cash, err := s.addCard(CardSpec{
		Type: "CASH", Title: "满100减20元券", Color: "Color100", LeastCost: 10000, ReduceCost: 2000,
		Quantity: 10000, Begin: today - 30*day, End: today + 365*day - 1,
		Notice: "结账时出示券码", Description: "消费满100元立减20元，每单限用一张，不与其他优惠同享",
		LocationIDs: []int64{401234567},
	})
	if err != nil {
		return err
	}
	discount, err := s.addCard(CardSpec{
		Type: "DISCOUNT", Title: "全场八折券", Color: "Color080", Discount: 20, Quantity: 5000,
		Begin: today - 7*day, End: today + 180*day - 1, Notice: "结账时出示券码",
		Description: "全场饮品八折，特价商品除外",
	})
	if err != nil {
		return err
	}
	gift, err := s.addCard(CardSpec{
		Type: "GIFT", Title: "免费鲜榨果汁", Color: "Color030", Gift: "鲜榨橙汁一杯（中杯）", Quantity: 500,
		Begin: today - 7*day, End: today + 90*day - 1, BindOpenID: true, CodeType: "CODE_TYPE_BARCODE",
		Description: "凭券到店领取鲜榨橙汁一杯",
	})
	if err != nil {
		return err
	}
	groupon, err := s.addCard(CardSpec{
		Type: "GROUPON", Title: "双人下午茶套餐", Color: "Color060",
		DealDetail: "双人下午茶：水果茶两杯 + 蛋糕两份，周一至周五 14:00–17:00 可用", Quantity: 300,
		Begin: today - 14*day, End: today + 60*day - 1,
	})
	if err != nil {
		return err
	}
	general, err := s.addCard(CardSpec{
		Type: "GENERAL_COUPON", Title: "第二杯半价", Color: "Color040",
		DefaultDetail: "任意饮品第二杯半价", Quantity: 2000, DateType: "DATE_TYPE_FIX_TERM", FixedTerm: 30,
	})
	if err != nil {
		return err
	}
	future, err := s.addCard(CardSpec{
		Type: "DISCOUNT", Title: "新年八八折", Color: "Color090", Discount: 12, Quantity: 1000,
		Begin: today + 10*day, End: today + 40*day - 1, Description: "新年期间全场八八折",
	})
	if err != nil {
		return err
	}
	custom, err := s.addCard(CardSpec{
		Type: "CASH", Title: "VIP专享立减50", Color: "Color050", LeastCost: 20000, ReduceCost: 5000,
		Quantity: 100, Begin: today - 30*day, End: today + 365*day - 1, UseCustomCode: true,
		CodeType: "CODE_TYPE_BARCODE", Description: "VIP会员专享：消费满200元立减50元",
	})
	if err != nil {
		return err
	}
	member, err := s.addCard(CardSpec{
		Type: "MEMBER_CARD", Title: "鲜果时光会员卡", Color: "Color010", Quantity: 100000,
		Prerogative: "会员消费享积分，每满10元积1分，积分可兑换饮品", SupplyBonus: true,
		Description: "出示会员卡享会员价",
	})
	if err != nil {
		return err
	}
	if _, err := s.addCard(CardSpec{
		Type: "CASH", Title: "圣诞满50减10", Color: "Color101", LeastCost: 5000, ReduceCost: 1000, Quantity: 800,
		Begin: today, End: today + 30*day - 1, Status: cardNotVerify,
	}); err != nil {
		return err
	}

	var codes []CodeSpec
	for i := 1; i <= 9; i++ {
		note := "wxsim.sample.normal_cash"
		if i == 9 {
			note = "wxsim.sample.encrypt"
		}
		codes = append(codes, CodeSpec{Code: fmt.Sprintf("1000000000%02d", i), CardID: cash, OpenID: user(i), Note: note})
	}
	for i, st := range []string{stConsumed, stExpire, stUnavailable, stGifting, stDelete, stGiftTimeout} {
		codes = append(codes, CodeSpec{Code: fmt.Sprintf("2000000000%02d", i+1), CardID: cash, OpenID: user(i),
			Status: st, Note: "wxsim.sample." + map[string]string{
				stConsumed: "consumed", stExpire: "expire", stUnavailable: "unavailable", stGifting: "gifting",
				stDelete: "delete", stGiftTimeout: "gift_timeout"}[st]})
	}
	for i := 1; i <= 3; i++ {
		codes = append(codes, CodeSpec{Code: fmt.Sprintf("3000000000%02d", i), CardID: discount, OpenID: user(i + 1), Note: "wxsim.sample.normal_discount"})
	}
	for i := 1; i <= 2; i++ {
		codes = append(codes, CodeSpec{Code: fmt.Sprintf("4000000000%02d", i), CardID: gift, OpenID: user(i + 2), Note: "wxsim.sample.normal_gift"})
	}
	for i := 1; i <= 2; i++ {
		codes = append(codes, CodeSpec{Code: fmt.Sprintf("5000000000%02d", i), CardID: groupon, OpenID: user(i + 3), Note: "wxsim.sample.normal_groupon"})
	}
	codes = append(codes,
		CodeSpec{Code: "600000000001", CardID: general, OpenID: user(0), ReceivedAt: now - 2*day, Note: "wxsim.sample.normal_general"},
		CodeSpec{Code: "600000000002", CardID: general, OpenID: user(1), ReceivedAt: now - 40*day, Note: "wxsim.sample.expired_by_date"},
		CodeSpec{Code: "700000000001", CardID: future, OpenID: user(2), Note: "wxsim.sample.not_yet_valid"},
	)
	for i := 1; i <= 3; i++ {
		codes = append(codes, CodeSpec{Code: fmt.Sprintf("VIP2024A%03d", i), CardID: custom, OpenID: user(i), Note: "wxsim.sample.custom_code"})
	}
	codes = append(codes,
		CodeSpec{Code: "VIP2024A004", CardID: custom, OpenID: user(4), Status: stConsumed, Note: "wxsim.sample.consumed"},
		CodeSpec{Code: "800000000001", CardID: member, OpenID: user(0), MembershipNumber: "800000000001", Bonus: 1280, OuterStr: "store-1", Note: "wxsim.sample.member"},
		CodeSpec{Code: "800000000002", CardID: member, OpenID: user(1), MembershipNumber: "800000000002", Bonus: 35, Note: "wxsim.sample.member"},
	)
	for _, c := range codes {
		c.Sample = true
		if err := s.addCode(c); err != nil {
			return err
		}
	}
	return nil
}
