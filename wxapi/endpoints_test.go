package wxapi

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/cardpos/cardpos/wxapi/wxsim"
)

func wantCode(t *testing.T, err error, code int) {
	t.Helper()
	if got, ok := ErrorCode(err); !ok || got != code {
		t.Fatalf("err = %v, want errcode %d", err, code)
	}
}

func TestGetCodeShapes(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		name := "current"
		if legacy {
			name = "legacy"
		}
		t.Run(name, func(t *testing.T) {
			e := newSimEnv(t, func(o *wxsim.Options, _ *Config) { o.LegacyCodeGet = legacy })
			ctx := context.Background()
			tests := []struct {
				code        string
				check       bool
				wantStatus  CodeStatus
				wantConsume bool
				wantErr     int
				member      bool
				needsCard   bool
				wantPermEnd bool
			}{
				{code: "100000000001", check: true, wantStatus: StatusNormal, wantConsume: true},
				{code: "200000000001", check: true, wantErr: 40099},
				{code: "200000000001", check: false, wantStatus: StatusConsumed},
				{code: "200000000003", check: false, wantStatus: StatusUnavailable},
				{code: "200000000004", check: false, wantStatus: StatusGifting},
				{code: "200000000005", check: true, wantErr: 40127},
				{code: "999999999999", check: true, wantErr: 40056},
				{code: "800000000001", check: true, wantStatus: StatusNormal, wantConsume: true, member: true, wantPermEnd: true},
				{code: "VIP2024A001", check: true, wantStatus: StatusNormal, wantConsume: true, needsCard: true},
			}
			for _, tt := range tests {
				cardID := ""
				if tt.needsCard {
					_, err := e.c.GetCode(ctx, tt.code, "", tt.check)
					wantCode(t, err, 40056)
					cardID = e.sample(t, tt.code).CardID
				}
				info, err := e.c.GetCode(ctx, tt.code, cardID, tt.check)
				if tt.wantErr != 0 {
					wantCode(t, err, tt.wantErr)
					continue
				}
				if err != nil {
					t.Fatalf("GetCode(%s): %v", tt.code, err)
				}
				s := e.sample(t, tt.code)
				if info.Status != tt.wantStatus || info.CanConsume != tt.wantConsume || info.CardID != s.CardID {
					t.Errorf("GetCode(%s) = status %s, can_consume %v, card %s; want %s, %v, %s",
						tt.code, info.Status, info.CanConsume, info.CardID, tt.wantStatus, tt.wantConsume, s.CardID)
				}
				if info.OpenID == "" || info.OpenID != e.sim.CodeOpenID(tt.code) {
					t.Errorf("GetCode(%s).OpenID = %q, want %q", tt.code, info.OpenID, e.sim.CodeOpenID(tt.code))
				}
				if info.BeginTime <= 0 || info.EndTime <= info.BeginTime {
					t.Errorf("GetCode(%s) times = %d..%d", tt.code, info.BeginTime, info.EndTime)
				}
				if tt.wantPermEnd && info.EndTime != 4294967222295 {
					t.Errorf("GetCode(%s).EndTime = %d, want the permanent 4294967222295", tt.code, info.EndTime)
				}
				if tt.member && (info.MembershipNumber != "800000000001" || info.Bonus != 1280 || info.OuterStr != "store-1") {
					t.Errorf("member fields = %q, %d, %q", info.MembershipNumber, info.Bonus, info.OuterStr)
				}
			}
		})
	}
}

func TestDecryptAndConsume(t *testing.T) {
	e := newSimEnv(t)
	ctx := context.Background()
	code, err := e.c.DecryptCode(ctx, e.sample(t, "100000000009").EncryptCode)
	if err != nil || code != "100000000009" {
		t.Fatalf("DecryptCode = %q, %v", code, err)
	}
	_, err = e.c.DecryptCode(ctx, "AAAAAAAAAAAAAAAAAAAAAA==")
	wantCode(t, err, 40075)

	res, err := e.c.ConsumeCode(ctx, "100000000002", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := e.sample(t, "100000000002"); res.CardID != want.CardID || res.OpenID != e.sim.CodeOpenID("100000000002") {
		t.Errorf("ConsumeCode = %+v, want card %s openid %s", res, want.CardID, e.sim.CodeOpenID("100000000002"))
	}
	_, err = e.c.ConsumeCode(ctx, "100000000002", "")
	wantCode(t, err, 40099)
	_, err = e.c.ConsumeCode(ctx, "700000000001", "")
	wantCode(t, err, 40079)
	_, err = e.c.ConsumeCode(ctx, "VIP2024A002", "")
	wantCode(t, err, 40056)
	if _, err := e.c.ConsumeCode(ctx, "VIP2024A002", e.sample(t, "VIP2024A002").CardID); err != nil {
		t.Errorf("custom code with card_id: %v", err)
	}
	if got := e.sim.Consumes("100000000002"); got != 2 {
		t.Errorf("consume calls for 100000000002 = %d, want 2", got)
	}
	if _, err := e.c.ConsumeCode(ctx, "  ", ""); !errors.Is(err, ErrBadRequest) || !IsNotSent(err) {
		t.Errorf("empty code: err = %v, want ErrBadRequest, not sent", err)
	}
}

func TestQRCodes(t *testing.T) {
	e := newSimEnv(t)
	ctx := context.Background()
	cash, gift := e.cardOf(t, CardCash), e.cardOf(t, CardGift)
	one, err := e.c.CreateQRCode(ctx, QRCodeRequest{Cards: []QRCard{{CardID: cash, OuterStr: "table-7", OuterID: 7}}, ExpireSeconds: 1800})
	if err != nil {
		t.Fatal(err)
	}
	if one.URL == "" || one.Ticket == "" || one.ExpireSeconds != 1800 {
		t.Errorf("QR_CARD = %+v", one)
	}
	again, err := e.c.CreateQRCode(ctx, QRCodeRequest{Cards: []QRCard{{CardID: cash, OuterStr: "table-7", OuterID: 7}}, ExpireSeconds: 1800})
	if err != nil || again.URL == "" {
		t.Fatalf("second QR_CARD = %+v, %v", again, err)
	}
	multi, err := e.c.CreateQRCode(ctx, QRCodeRequest{Cards: []QRCard{{CardID: cash, OuterStr: "poster-a"}, {CardID: gift, OuterStr: "poster-a"}}})
	if err != nil || multi.URL == "" || multi.URL == one.URL {
		t.Errorf("QR_MULTIPLE_CARD = %+v, %v", multi, err)
	}
	if _, err := e.c.CreateQRCode(ctx, QRCodeRequest{Cards: []QRCard{{CardID: cash}}, ExpireSeconds: 30}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("expire 30: err = %v, want ErrBadRequest", err)
	}
	_, err = e.c.CreateQRCode(ctx, QRCodeRequest{Cards: []QRCard{{CardID: "pNoSuchCard000000000000000000"}}})
	if !IsPermanent(err) {
		t.Errorf("unknown card: err = %v, want a permanent errcode", err)
	}
}

func TestGetCardAllTypes(t *testing.T) {
	e := newSimEnv(t)
	ctx := context.Background()
	for _, typ := range []CardType{CardCash, CardDiscount, CardGift, CardGroupon, CardGeneralCoupon, CardMember} {
		id := e.cardOf(t, typ)
		card, err := e.c.GetCard(ctx, id)
		if err != nil {
			t.Fatalf("GetCard(%s): %v", typ, err)
		}
		if card.ID != id || card.Type != typ || card.Base.Title == "" || card.Base.BrandName == "" || card.Base.DateInfo.Type == "" {
			t.Errorf("GetCard(%s) = id %s type %s base %+v", typ, card.ID, card.Type, card.Base)
		}
		ok := true
		switch typ {
		case CardCash:
			ok = card.LeastCost == 10000 && card.ReduceCost == 2000
		case CardDiscount:
			ok = card.Discount == 20
		case CardGift:
			ok = card.Gift != ""
		case CardGroupon:
			ok = card.DealDetail != ""
		case CardGeneralCoupon:
			ok = card.DefaultDetail != "" && card.Base.DateInfo.Type == "DATE_TYPE_FIX_TERM" && card.Base.DateInfo.FixedTerm > 0
		case CardMember:
			ok = card.Prerogative != ""
		}
		if !ok {
			t.Errorf("GetCard(%s) value fields: %+v", typ, card)
		}
	}
}

func TestCardManagement(t *testing.T) {
	e := newSimEnv(t, func(o *wxsim.Options, _ *Config) { o.ReviewDelay = -1 })
	ctx := context.Background()
	desc := "满200减50 <b>VIP</b> & friends\u2028第二行"
	card := &Card{Type: CardCash, LeastCost: 20000, ReduceCost: 5000, Base: BaseInfo{
		LogoURL: "http://mmbiz.qpic.cn/logo.png", CodeType: "CODE_TYPE_QRCODE", BrandName: "鲜果时光", Title: "满200减50",
		Color: "Color010", Notice: "请出示二维码", Description: desc, Quantity: 100, GetLimit: 2,
		DateInfo: DateInfo{Type: "DATE_TYPE_FIX_TIME_RANGE", BeginTimestamp: 1796000000, EndTimestamp: 1830000000},
	}}
	id, err := e.c.CreateCard(ctx, card)
	if err != nil {
		t.Fatalf("CreateCard: %v", err)
	}
	got, err := e.c.GetCard(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Base.Description != desc || got.Base.Title != "满200减50" || got.LeastCost != 20000 || got.ReduceCost != 5000 || got.Base.Quantity != 100 {
		t.Errorf("created card reads back as %+v", got)
	}
	notice := "新的须知"
	if _, err := e.c.UpdateCard(ctx, id, CardCash, CardUpdate{Notice: &notice}); err != nil {
		t.Errorf("UpdateCard: %v", err)
	}
	if got, _ := e.c.GetCard(ctx, id); got == nil || got.Base.Notice != notice {
		t.Errorf("notice after update = %+v", got)
	}
	if err := e.c.ModifyStock(ctx, id, 10); err != nil {
		t.Fatal(err)
	}
	if err := e.c.ModifyStock(ctx, id, -30); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.c.GetCard(ctx, id); got == nil || got.Base.Quantity != 80 {
		t.Errorf("stock after +10 -30 = %+v, want 80", got)
	}

	// Paging: 60 more cards make card/batchget need two pages.
	for i := range 60 {
		if _, err := e.sim.AddCard(wxsim.CardSpec{Type: "GIFT", Title: "赠品", Gift: "果汁", Quantity: int64(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	before := e.sim.Calls("/card/batchget")
	ids, err := e.c.BatchGetCards(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) < 67 || !contains(ids, id) {
		t.Errorf("BatchGetCards = %d ids (has new card: %v), want ≥ 67", len(ids), contains(ids, id))
	}
	if pages := e.sim.Calls("/card/batchget") - before; pages < 2 {
		t.Errorf("batchget pages = %d, want ≥ 2", pages)
	}
	seen := map[string]bool{}
	for _, x := range ids {
		if seen[x] {
			t.Errorf("card %s listed twice", x)
		}
		seen[x] = true
	}

	if err := e.c.DeleteCard(ctx, id); err != nil {
		t.Fatal(err)
	}
	if c, err := e.c.GetCard(ctx, id); err == nil && c.Base.Status != "CARD_STATUS_DELETE" {
		t.Errorf("deleted card still reads %+v", c.Base)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestCodeManagement(t *testing.T) {
	e := newSimEnv(t)
	ctx := context.Background()
	vip := e.sample(t, "VIP2024A003")
	if err := e.c.UpdateCode(ctx, vip.CardID, "VIP2024A003", "VIP2024B003"); err != nil {
		t.Fatalf("UpdateCode: %v", err)
	}
	if info, err := e.c.GetCode(ctx, "VIP2024B003", vip.CardID, false); err != nil || info.Status != StatusNormal {
		t.Errorf("new code = %+v, %v", info, err)
	}
	if err := e.c.UnavailableCode(ctx, "", "100000000003", "顾客投诉"); err != nil {
		t.Fatalf("UnavailableCode: %v", err)
	}
	if info, err := e.c.GetCode(ctx, "100000000003", "", false); err != nil || info.Status != StatusUnavailable || info.CanConsume {
		t.Errorf("voided code = %+v, %v", info, err)
	}
	if err := e.c.SetTestWhitelist(ctx, []string{e.sim.CodeOpenID("100000000001")}, []string{"wxid_tester"}); err != nil {
		t.Errorf("SetTestWhitelist: %v", err)
	}
	openID := e.sim.CodeOpenID("100000000001")
	list, err := e.c.GetUserCardList(ctx, openID, "")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, uc := range list {
		found = found || (uc.Code == "100000000001" && uc.CardID == e.sample(t, "100000000001").CardID)
	}
	if !found {
		t.Errorf("GetUserCardList(%s) = %+v, want 100000000001 in it", openID, list)
	}
}

func TestCellsUploadAndTicket(t *testing.T) {
	e := newSimEnv(t)
	ctx := context.Background()
	var withStores string
	for _, typ := range []CardType{CardCash, CardDiscount, CardGift, CardGroupon, CardGeneralCoupon, CardMember} {
		id := e.cardOf(t, typ)
		if err := e.c.SetPayCell(ctx, id, true); err == nil {
			withStores = id
			break
		}
	}
	if withStores == "" {
		id, err := e.sim.AddCard(wxsim.CardSpec{Type: "CASH", Title: "门店券", LeastCost: 1000, ReduceCost: 100, Quantity: 5, LocationIDs: []int64{401}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.c.SetPayCell(ctx, id, true); err != nil {
			t.Fatalf("SetPayCell on a card with stores: %v", err)
		}
		withStores = id
	}
	if err := e.c.SetSelfConsumeCell(ctx, withStores, true, true, false); err != nil {
		t.Errorf("SetSelfConsumeCell: %v", err)
	}
	noStores, err := e.sim.AddCard(wxsim.CardSpec{Type: "GIFT", Title: "无门店", Gift: "x", Quantity: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.SetPayCell(ctx, noStores, true); err == nil {
		t.Errorf("SetPayCell on a card without stores succeeded")
	}

	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	var png1 bytes.Buffer
	if err := png.Encode(&png1, img); err != nil {
		t.Fatal(err)
	}
	url, err := e.c.UploadImage(ctx, "logo.png", bytes.NewReader(png1.Bytes()))
	if err != nil || url == "" {
		t.Fatalf("UploadImage = %q, %v", url, err)
	}
	if _, err := e.c.UploadImage(ctx, "empty.png", bytes.NewReader(nil)); !errors.Is(err, ErrBadRequest) {
		t.Errorf("empty image: err = %v", err)
	}

	t1, err := e.c.APITicket(ctx)
	if err != nil || t1 == "" {
		t.Fatalf("APITicket = %q, %v", t1, err)
	}
	t2, _ := e.c.APITicket(ctx)
	if t2 != t1 || e.sim.Calls("/cgi-bin/ticket/getticket") != 1 {
		t.Errorf("api_ticket not cached: %q then %q after %d fetches", t1, t2, e.sim.Calls("/cgi-bin/ticket/getticket"))
	}
}

func TestClassicTokenSource(t *testing.T) {
	e := newSimEnv(t)
	c := New(Config{BaseURL: e.srv.URL + "/wx", HTTPClient: e.srv.Client(),
		Tokens: NewClassicTokenSource(e.srv.URL+"/wx", e.sim.AppID(), e.sim.Secret(), e.srv.Client())})
	for range 3 {
		if _, err := c.GetCode(context.Background(), "100000000001", "", true); err != nil {
			t.Fatal(err)
		}
	}
	if got, stable := e.sim.Calls("/cgi-bin/token"), e.sim.Calls("/cgi-bin/stable_token"); got != 1 || stable != 0 {
		t.Errorf("classic fetches = %d, stable = %d; want 1, 0", got, stable)
	}
}
