package wxsim

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cardpos/cardpos/i18n"
)

// TestDemoSeed checks the codes the end-to-end tests and the docs rely on (see SeedDemo).
func TestDemoSeed(t *testing.T) {
	e := demoEnv(t)
	want := map[string][2]string{
		"200000000001": {"CASH", "CONSUMED"}, "200000000002": {"CASH", "EXPIRE"},
		"200000000003": {"CASH", "UNAVAILABLE"}, "200000000004": {"CASH", "GIFTING"},
		"200000000005": {"CASH", "DELETE"}, "200000000006": {"CASH", "GIFT_TIMEOUT"},
		"400000000001": {"GIFT", "NORMAL"}, "500000000001": {"GROUPON", "NORMAL"},
		"600000000001": {"GENERAL_COUPON", "NORMAL"}, "600000000002": {"GENERAL_COUPON", "EXPIRE"},
		"700000000001": {"DISCOUNT", "NORMAL"}, "VIP2024A001": {"CASH", "NORMAL"},
		"VIP2024A004": {"CASH", "CONSUMED"}, "800000000001": {"MEMBER_CARD", "NORMAL"},
	}
	for i := 1; i <= 9; i++ {
		want[fmt.Sprintf("1000000000%02d", i)] = [2]string{"CASH", "NORMAL"}
	}
	for i := 1; i <= 3; i++ {
		want[fmt.Sprintf("3000000000%02d", i)] = [2]string{"DISCOUNT", "NORMAL"}
	}
	got := map[string]Sample{}
	for _, s := range e.sim.Samples() {
		got[s.Code] = s
	}
	zh := i18n.Default()
	for code, w := range want {
		s, ok := got[code]
		if !ok {
			t.Errorf("sample %s missing", code)
			continue
		}
		if s.CardType != w[0] || s.Status != w[1] {
			t.Errorf("%s: %s %s, want %s %s", code, s.CardType, s.Status, w[0], w[1])
		}
	}
	for _, s := range got {
		if !zh.Has(i18n.ZH, s.Note) || !zh.Has(i18n.EN, s.Note) {
			t.Errorf("%s: note key %q is not translated", s.Code, s.Note)
		}
		if dec, ok := e.sim.decryptCode(s.EncryptCode); !ok || dec != s.Code {
			t.Errorf("%s: encrypt_code does not decrypt", s.Code)
		}
	}
	if !got["VIP2024A001"].NeedsCardID || got["100000000001"].NeedsCardID {
		t.Error("NeedsCardID wrong")
	}
	tok := e.classic()
	m := e.post("/card/get", tok, `{"card_id":"`+got["100000000001"].CardID+`"}`)
	cash := m["card"].(map[string]any)["cash"].(map[string]any)
	if cash["least_cost"] != float64(10000) || cash["reduce_cost"] != float64(2000) {
		t.Errorf("满100减20: %v", cash)
	}
	types := map[string]bool{}
	for _, c := range e.sim.st.Cards {
		types[c.Type] = true
	}
	if len(types) != 6 {
		t.Errorf("card types %v, want all six", types)
	}
}

func TestAddCardAndCode(t *testing.T) {
	e := newEnv(t, Options{})
	id, err := e.sim.AddCard(CardSpec{Type: "CASH", Title: "满50减5", LeastCost: 5000, ReduceCost: 500, End: start.Unix() + 86400, Begin: start.Unix() - 86400})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sim.AddCode(CodeSpec{Code: "123412341234", CardID: id}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"duplicate code", e.sim.AddCode(CodeSpec{Code: "123412341234", CardID: id}), ErrDuplicate},
		{"unknown card", e.sim.AddCode(CodeSpec{Code: "999", CardID: "pX"}), ErrUnknownCard},
		{"bad status", e.sim.AddCode(CodeSpec{Code: "998", CardID: id, Status: "USED"}), ErrInvalidSpec},
		{"bad code", e.sim.AddCode(CodeSpec{Code: "12 34", CardID: id}), ErrInvalidSpec},
		{"bad type", func() error { _, err := e.sim.AddCard(CardSpec{Type: "COUPON", Title: "x"}); return err }(), ErrInvalidSpec},
		{"title too long", func() error {
			_, err := e.sim.AddCard(CardSpec{Type: "GIFT", Title: "一二三四五六七八九十", Gift: "x"})
			return err
		}(), ErrInvalidSpec},
		{"duplicate card", func() error {
			_, err := e.sim.AddCard(CardSpec{ID: id, Type: "GIFT", Title: "x", Gift: "x"})
			return err
		}(), ErrDuplicate},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	tok := e.classic()
	if m := e.post("/card/code/consume", tok, `{"code":"123412341234"}`); errcode(m) != 0 {
		t.Errorf("consume added code: %v", m)
	}
	e.clk.Add(48 * time.Hour)
	if st, _ := e.sim.CodeStatus("123412341234"); st != "CONSUMED" {
		t.Errorf("consumed code after its end: %s, want CONSUMED (not EXPIRE)", st)
	}
}
