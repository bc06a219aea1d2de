package wxsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

// grouponCreate is the doc's card/create example with a full base_info.
const grouponCreate = `{"card":{"card_type":"GROUPON","groupon":{"base_info":{
 "logo_url":"http://mmbiz.qpic.cn/mmbiz/iaL1LJM1mF9aRKPZ/0","code_type":"CODE_TYPE_QRCODE",
 "brand_name":"鲜果时光","title":"周末双人套餐","color":"Color010","notice":"使用时向服务员出示此券",
 "description":"不可与其他优惠同享","sku":{"quantity":500},
 "date_info":{"type":"DATE_TYPE_FIX_TIME_RANGE","begin_timestamp":1796313600,"end_timestamp":1798905599},
 "get_limit":3,"can_share":true,"can_give_friend":true},
 "advanced_info":{"use_condition":{"can_use_with_other_discount":false}},
 "deal_detail":"双人套餐：果茶两杯、蛋糕两份"}}}`

func TestCardLifecycle(t *testing.T) {
	e := demoEnv(t)
	tok := e.classic()

	m := e.post("/card/batchget", tok, `{"offset":0,"count":50}`)
	if got, want := m["total_num"], float64(9); got != want {
		t.Errorf("demo total_num %v, want %v", got, want)
	}
	m = e.post("/card/batchget", tok, `{"offset":0,"count":2,"status_list":["CARD_STATUS_VERIFY_OK","CARD_STATUS_DISPATCH"]}`)
	if ids := m["card_id_list"].([]any); len(ids) != 2 || m["total_num"] != float64(8) {
		t.Errorf("batchget page: %v", m)
	}
	if got := errcode(e.post("/card/batchget", tok, `{"offset":0,"count":51}`)); got != 40097 {
		t.Errorf("count 51: %d, want 40097", got)
	}

	cash := e.cardID("100000000001")
	m = e.post("/card/get", tok, `{"card_id":"`+cash+`"}`)
	c := m["card"].(map[string]any)
	cb := c["cash"].(map[string]any)
	if c["card_type"] != "CASH" || cb["least_cost"] != float64(10000) || cb["reduce_cost"] != float64(2000) {
		t.Errorf("card/get cash: %v", m)
	}
	base := cb["base_info"].(map[string]any)
	if base["id"] != cash || base["status"] != "CARD_STATUS_VERIFY_OK" || base["title"] != "满100减20元券" {
		t.Errorf("cash base_info: %v", base)
	}
	m = e.post("/card/get", tok, `{"card_id":"`+e.cardID("300000000001")+`"}`)
	if d := m["card"].(map[string]any)["discount"].(map[string]any)["discount"]; d != float64(20) {
		t.Errorf("八折 discount = %v, want 20", d)
	}

	m = e.post("/card/create", tok, grouponCreate)
	id, _ := m["card_id"].(string)
	if errcode(m) != 0 || !strings.HasPrefix(id, "p") || len(id) != 28 {
		t.Fatalf("card/create: %v", m)
	}
	m = e.post("/card/get", tok, `{"card_id":"`+id+`"}`)
	g := m["card"].(map[string]any)["groupon"].(map[string]any)
	if g["deal_detail"] != "双人套餐：果茶两杯、蛋糕两份" || g["base_info"].(map[string]any)["status"] != "CARD_STATUS_NOT_VERIFY" ||
		g["advanced_info"] == nil {
		t.Errorf("created card: %v", m)
	}
	qr := `{"action_name":"QR_CARD","action_info":{"card":{"card_id":"` + id + `","outer_str":"table-7"}}}`
	if got := errcode(e.post("/card/qrcode/create", tok, qr)); got != 40078 {
		t.Errorf("QR of a card in review: %d, want 40078", got)
	}
	e.clk.Add(11 * time.Minute) // review takes 10 minutes
	tok = e.classic()
	if got := errcode(e.post("/card/qrcode/create", tok, qr)); got != 0 {
		t.Errorf("QR after review: %d, want 0", got)
	}

	steps := []struct {
		name, path, body string
		want             int
	}{
		{"update notice", "/card/update", `{"card_id":"` + id + `","groupon":{"base_info":{"notice":"请出示券码"}}}`, 0},
		{"update wrong type key", "/card/update", `{"card_id":"` + id + `","cash":{"base_info":{"notice":"x"}}}`, 40071},
		{"update sku", "/card/update", `{"card_id":"` + id + `","groupon":{"base_info":{"sku":{"quantity":1}}}}`, 40097},
		{"update title too long", "/card/update", `{"card_id":"` + id + `","groupon":{"base_info":{"title":"一二三四五六七八九十"}}}`, 45021},
		{"stock +100", "/card/modifystock", `{"card_id":"` + id + `","increase_stock_value":100}`, 0},
		{"stock -600", "/card/modifystock", `{"card_id":"` + id + `","reduce_stock_value":600}`, 0},
		{"stock -1 at zero", "/card/modifystock", `{"card_id":"` + id + `","reduce_stock_value":1}`, 40122},
		{"stock neither", "/card/modifystock", `{"card_id":"` + id + `"}`, 41011},
		{"unique QR out of stock", "/card/qrcode/create", `{"action_name":"QR_CARD","action_info":{"card":{"card_id":"` + id + `","is_unique_code":true}}}`, 45031},
		{"paycell without stores", "/card/paycell/set", `{"card_id":"` + id + `","is_open":true}`, 40097},
		{"paycell with stores", "/card/paycell/set", `{"card_id":"` + cash + `","is_open":true}`, 0},
		{"selfconsume with stores", "/card/selfconsumecell/set", `{"card_id":"` + cash + `","is_open":true,"need_verify_cod":false,"need_remark_amount":false}`, 0},
		{"selfconsume no is_open", "/card/selfconsumecell/set", `{"card_id":"` + cash + `"}`, 41011},
		{"delete", "/card/delete", `{"card_id":"` + id + `"}`, 0},
		{"get deleted", "/card/get", `{"card_id":"` + id + `"}`, 40073},
		{"delete again", "/card/delete", `{"card_id":"` + id + `"}`, 40073},
	}
	for _, s := range steps {
		if got := errcode(e.post(s.path, tok, s.body)); got != s.want {
			t.Errorf("%s: errcode %d, want %d", s.name, got, s.want)
		}
	}
	m = e.post("/card/update", tok, `{"card_id":"`+cash+`","cash":{"base_info":{"title":"满100减20"}}}`)
	if errcode(m) != 0 || m["send_check"] != true {
		t.Errorf("title change: %v, want send_check true", m)
	}
	m = e.post("/card/update", tok, `{"card_id":"`+e.cardID("300000000001")+`","discount":{"base_info":{"description":"新说明"}}}`)
	if errcode(m) != 0 || m["send_check"] != false {
		t.Errorf("description change: %v, want send_check false", m)
	}
}

func TestCardCreateValidation(t *testing.T) {
	e := demoEnv(t)
	tok := e.classic()
	replace := func(old, new string) string { return strings.Replace(grouponCreate, old, new, 1) }
	for _, tc := range []struct {
		name, body string
		want       int
	}{
		{"ok", grouponCreate, 0},
		{"unknown type", replace(`"card_type":"GROUPON"`, `"card_type":"COUPON"`), 40071},
		{"type key missing", replace(`"groupon":{`, `"cash":{`), 41011},
		{"no title", replace(`"title":"周末双人套餐",`, ``), 41011},
		{"title 10 characters", replace(`周末双人套餐`, `周末双人套餐周末双人`), 45021},
		{"bad color", replace(`Color010`, `#63b359`), 40097},
		{"bad code type", replace(`CODE_TYPE_QRCODE`, `CODE_TYPE_PDF417`), 40072},
		{"end before begin", replace(`1798905599`, `1796313599`), 40100},
		{"no deal_detail", replace(`"deal_detail":"双人套餐：果茶两杯、蛋糕两份"`, `"deal_detail":""`), 41011},
		{"quantity as text", replace(`{"quantity":500}`, `{"quantity":"500"}`), 47001},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := errcode(e.post("/card/create", tok, tc.body)); got != tc.want {
				t.Errorf("errcode %d, want %d", got, tc.want)
			}
		})
	}
	discount := `{"card":{"card_type":"DISCOUNT","discount":{"base_info":{"logo_url":"http://x/0","code_type":"CODE_TYPE_TEXT","brand_name":"鲜果时光","title":"七折","color":"Color020","notice":"出示","description":"说明","sku":{"quantity":1},"date_info":{"type":"DATE_TYPE_FIX_TERM","fixed_term":15,"fixed_begin_term":0}},"discount":%d}}}`
	for d, want := range map[int]int{30: 0, 0: 40097, 100: 40097} {
		if got := errcode(e.post("/card/create", tok, fmt.Sprintf(discount, d))); got != want {
			t.Errorf("discount %d: errcode %d, want %d", d, got, want)
		}
	}
}

// TestQRCodeCreate: the doc's examples, deterministic ticket and url, and the errors.
func TestQRCodeCreate(t *testing.T) {
	e := demoEnv(t)
	tok := e.classic()
	cash, gift, vip := e.cardID("100000000001"), e.cardID("400000000001"), e.cardID("VIP2024A001")
	single := `{"action_name":"QR_CARD","expire_seconds":1800,"action_info":{"card":{"card_id":"` + cash + `","is_unique_code":false,"outer_id":1,"outer_str":"12b"}}}`
	a := e.post("/card/qrcode/create", tok, single)
	b := e.post("/card/qrcode/create", tok, single)
	if errcode(a) != 0 || a["url"] != b["url"] || a["ticket"] != b["ticket"] {
		t.Fatalf("same request twice: %v / %v, want the same ticket and url", a, b)
	}
	u, _ := a["url"].(string)
	if !strings.HasPrefix(u, "http://weixin.qq.com/q/") || a["expire_seconds"] != float64(1800) ||
		!strings.HasPrefix(a["show_qrcode_url"].(string), "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=") {
		t.Errorf("answer shape: %v", a)
	}
	other := e.post("/card/qrcode/create", tok, strings.Replace(single, `"12b"`, `"13c"`, 1))
	if other["url"] == a["url"] {
		t.Error("another outer_str gave the same url")
	}
	perm := e.post("/card/qrcode/create", tok, `{"action_name":"QR_CARD","action_info":{"card":{"card_id":"`+cash+`"}}}`)
	if _, has := perm["expire_seconds"]; has || errcode(perm) != 0 {
		t.Errorf("permanent QR: %v", perm)
	}
	multi := `{"action_name":"QR_MULTIPLE_CARD","action_info":{"multiple_card":{"card_list":[{"card_id":"` + cash + `","outer_str":"12b"},{"card_id":"` + gift + `","outer_str":"12b"}]}}}`
	if m := e.post("/card/qrcode/create", tok, multi); errcode(m) != 0 || m["url"] == a["url"] {
		t.Errorf("multiple: %v", m)
	}
	six := `{"action_name":"QR_MULTIPLE_CARD","action_info":{"multiple_card":{"card_list":[` +
		strings.TrimSuffix(strings.Repeat(`{"card_id":"`+cash+`"},`, 6), ",") + `]}}}`
	var notVerify string
	for _, c := range e.sim.st.Cards {
		if c.Status == cardNotVerify {
			notVerify = c.ID
		}
	}
	for _, tc := range []struct {
		name, body string
		want       int
	}{
		{"six cards", six, 40053},
		{"no action_info", `{"action_name":"QR_CARD"}`, 40053},
		{"bad action_name", `{"action_name":"QR_SCENE","action_info":{"card":{"card_id":"` + cash + `"}}}`, 40053},
		{"no card_id", `{"action_name":"QR_CARD","action_info":{"card":{"outer_str":"x"}}}`, 41012},
		{"unknown card", `{"action_name":"QR_CARD","action_info":{"card":{"card_id":"pNOPE"}}}`, 40073},
		{"not approved", `{"action_name":"QR_CARD","action_info":{"card":{"card_id":"` + notVerify + `"}}}`, 40078},
		{"expire 30", `{"action_name":"QR_CARD","expire_seconds":30,"action_info":{"card":{"card_id":"` + cash + `"}}}`, 40097},
		{"code on a non-custom card", `{"action_name":"QR_CARD","action_info":{"card":{"card_id":"` + cash + `","code":"198374613512"}}}`, 40053},
		{"code on the custom card", `{"action_name":"QR_CARD","action_info":{"card":{"card_id":"` + vip + `","code":"VIP2025X001"}}}`, 0},
		{"openid on a card not bound", `{"action_name":"QR_CARD","action_info":{"card":{"card_id":"` + cash + `","openid":"oFS7Fjl0WsZ9AMZqrI80nbIq8xrA"}}}`, 40112},
		{"openid on the bind_openid card", `{"action_name":"QR_CARD","action_info":{"card":{"card_id":"` + gift + `","openid":"oFS7Fjl0WsZ9AMZqrI80nbIq8xrA"}}}`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := errcode(e.post("/card/qrcode/create", tok, tc.body)); got != tc.want {
				t.Errorf("errcode %d, want %d", got, tc.want)
			}
		})
	}
}

func TestTestWhitelist(t *testing.T) {
	e := demoEnv(t)
	tok := e.classic()
	m := e.post("/card/testwhitelist/set", tok, `{"openid":["o1","o2"],"username":["wxid_abc"]}`)
	if errcode(m) != 0 || m["white_list_size"] != float64(3) {
		t.Errorf("testwhitelist: %v", m)
	}
	if got := errcode(e.post("/card/testwhitelist/set", tok, `{}`)); got != 41011 {
		t.Errorf("empty whitelist: %d, want 41011", got)
	}
}

func TestUploadImg(t *testing.T) {
	e := demoEnv(t)
	tok := e.classic()
	var pngBuf bytes.Buffer
	_ = png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 8, 8)))
	upload := func(field string, data []byte) map[string]any {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile(field, "logo.png")
		_, _ = fw.Write(data)
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/cgi-bin/media/uploadimg?access_token="+tok, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		return m
	}
	a, b := upload("media", pngBuf.Bytes()), upload("media", pngBuf.Bytes())
	if u, _ := a["url"].(string); !strings.HasPrefix(u, "http://mmbiz.qpic.cn/") || a["url"] != b["url"] {
		t.Errorf("uploadimg: %v / %v", a, b)
	}
	for _, tc := range []struct {
		name  string
		field string
		data  []byte
		want  int
	}{
		{"wrong field", "file", pngBuf.Bytes(), 41005},
		{"not an image", "media", []byte("GIF89a-not-really"), 40005},
		{"too big", "media", append(append([]byte{}, pngBuf.Bytes()...), make([]byte, 1<<20)...), 40009},
		{"far too big", "media", append(append([]byte{}, pngBuf.Bytes()...), make([]byte, 3<<20)...), 40009},
	} {
		if got := errcode(upload(tc.field, tc.data)); got != tc.want {
			t.Errorf("%s: errcode %d, want %d", tc.name, got, tc.want)
		}
	}
}
