package campaign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/cardpos/cardpos/money"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/printer"
	"github.com/cardpos/cardpos/scanner"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
)

// fakeWX stands in for *wxapi.Client where a test needs to see the exact requests or make WeChat
// fail; the emulator test (emulator_test.go) covers the real client.
type fakeWX struct {
	mu    sync.Mutex
	cards map[string]*wxapi.Card
	reqs  []wxapi.QRCodeRequest
	err   error
}

func (f *fakeWX) CreateQRCode(ctx context.Context, req wxapi.QRCodeRequest) (*wxapi.QRCode, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
	if f.err != nil {
		return nil, f.err
	}
	h := sha256.Sum256([]byte(fmt.Sprintf("%+v", req)))
	id := hex.EncodeToString(h[:10])
	return &wxapi.QRCode{Ticket: "tk" + id, ExpireSeconds: req.ExpireSeconds,
		URL: "http://weixin.qq.com/q/02" + id}, nil
}

func (f *fakeWX) GetCard(ctx context.Context, id string) (*wxapi.Card, error) {
	c, ok := f.cards[id]
	if !ok {
		return nil, &wxapi.Error{Code: 40073, Msg: "invalid card id"}
	}
	return c, nil
}

func demoCards() map[string]*wxapi.Card {
	return map[string]*wxapi.Card{
		"pCASH": {ID: "pCASH", Type: wxapi.CardCash, LeastCost: 10000, ReduceCost: 2000,
			Base: wxapi.BaseInfo{BrandName: "喜茶 HEYTEA", Title: "满100减20代金券", Color: "Color090",
				DateInfo: wxapi.DateInfo{Type: "DATE_TYPE_FIX_TIME_RANGE", BeginTimestamp: 1764547200, EndTimestamp: 1772236800}}},
		"pDISC": {ID: "pDISC", Type: wxapi.CardDiscount, Discount: 20,
			Base: wxapi.BaseInfo{BrandName: "喜茶 HEYTEA", Title: "全场八折券", Color: "Color010",
				DateInfo: wxapi.DateInfo{Type: "DATE_TYPE_FIX_TERM", FixedTerm: 30}}},
		"pGIFT": {ID: "pGIFT", Type: wxapi.CardGift, Gift: "免费小食一份",
			Base: wxapi.BaseInfo{BrandName: "喜茶", Title: "到店礼", Color: "Color040",
				DateInfo: wxapi.DateInfo{Type: "DATE_TYPE_PERMANENT"}}},
	}
}

var beijing = time.FixedZone("CST", 8*3600)

func newService(t testing.TB, api QRCreator) (*Service, *storage.DB) {
	t.Helper()
	db, err := storage.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(api, db, Options{Location: beijing,
		Now: func() time.Time { return time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

func TestCreate(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  CreateRequest
		want wxapi.QRCodeRequest
		err  error
	}{
		{"one card permanent", CreateRequest{CardIDs: []string{"pCASH"}, Scene: "door", CreatedBy: "王经理"},
			wxapi.QRCodeRequest{Cards: []wxapi.QRCard{{CardID: "pCASH", OuterStr: "door"}}}, nil},
		{"one card unique, 30 min", CreateRequest{CardIDs: []string{"pCASH"}, Scene: "t1", Unique: true, ExpireSeconds: 1800},
			wxapi.QRCodeRequest{ExpireSeconds: 1800, Cards: []wxapi.QRCard{{CardID: "pCASH", OuterStr: "t1", IsUniqueCode: true}}}, nil},
		{"several cards", CreateRequest{CardIDs: []string{"pCASH", "pDISC"}, Scene: "till"},
			wxapi.QRCodeRequest{Cards: []wxapi.QRCard{{CardID: "pCASH", OuterStr: "till"}, {CardID: "pDISC", OuterStr: "till"}}}, nil},
		{"no card", CreateRequest{Scene: "x"}, wxapi.QRCodeRequest{}, ErrNoCards},
		{"blank card", CreateRequest{CardIDs: []string{" "}}, wxapi.QRCodeRequest{}, ErrNoCards},
		{"six cards", CreateRequest{CardIDs: []string{"a", "b", "c", "d", "e", "f"}}, wxapi.QRCodeRequest{}, ErrTooManyCards},
		{"expiry 30 s", CreateRequest{CardIDs: []string{"pCASH"}, ExpireSeconds: 30}, wxapi.QRCodeRequest{}, ErrBadExpiry},
		{"expiry 1 h", CreateRequest{CardIDs: []string{"pCASH"}, ExpireSeconds: 3600}, wxapi.QRCodeRequest{}, ErrBadExpiry},
		{"scene too long", CreateRequest{CardIDs: []string{"pCASH"}, Scene: strings.Repeat("s", 129)}, wxapi.QRCodeRequest{}, ErrSceneTooLong},
	} {
		api := &fakeWX{cards: demoCards()}
		s, db := newService(t, api)
		c, err := s.Create(context.Background(), tc.req)
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: error = %v, want %v", tc.name, err, tc.err)
			continue
		}
		if tc.err != nil {
			if len(api.reqs) != 0 {
				t.Errorf("%s: %d requests sent for an invalid request", tc.name, len(api.reqs))
			}
			continue
		}
		if diff := cmp.Diff([]wxapi.QRCodeRequest{tc.want}, api.reqs); diff != "" {
			t.Errorf("%s: request (-want +got):\n%s", tc.name, diff)
		}
		saved, err := db.CampaignByID(context.Background(), c.ID)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if diff := cmp.Diff(c, saved); diff != "" {
			t.Errorf("%s: saved (-returned +stored):\n%s", tc.name, diff)
		}
		if c.URL == "" || c.Ticket == "" || c.CreatedAt != time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC).UnixMilli() {
			t.Errorf("%s: campaign %+v", tc.name, c)
		}
		if c.Name != tc.req.Scene || c.CreatedBy != tc.req.CreatedBy || c.Unique != tc.req.Unique {
			t.Errorf("%s: name/creator/unique = %q %q %v", tc.name, c.Name, c.CreatedBy, c.Unique)
		}
	}
}

func TestCreateWeChatErrorIsKept(t *testing.T) {
	api := &fakeWX{cards: demoCards(), err: &wxapi.Error{Code: 45031, Msg: "stock is empty"}}
	s, db := newService(t, api)
	_, err := s.Create(context.Background(), CreateRequest{CardIDs: []string{"pCASH"}})
	var we *wxapi.Error
	if !errors.As(err, &we) || we.Code != 45031 {
		t.Fatalf("error = %v, want *wxapi.Error 45031", err)
	}
	if list, _ := db.Campaigns(context.Background()); len(list) != 0 {
		t.Errorf("%d campaigns saved after a failed create", len(list))
	}
}

func TestValueAndValidityWords(t *testing.T) {
	cat := i18n.Default()
	for _, tc := range []struct {
		card   wxapi.Card
		zh, en string
	}{
		{wxapi.Card{Type: wxapi.CardCash, LeastCost: 10000, ReduceCost: 2000}, "满100减20", "¥20 off orders over ¥100"},
		{wxapi.Card{Type: wxapi.CardCash, ReduceCost: 550}, "立减5.5元", "¥5.5 off"},
		{wxapi.Card{Type: wxapi.CardDiscount, Discount: 20}, "8折", "20% off"},
		{wxapi.Card{Type: wxapi.CardDiscount, Discount: 15}, "8.5折", "15% off"},
		{wxapi.Card{Type: wxapi.CardGift, Gift: "可乐一杯"}, "可乐一杯", "可乐一杯"},
		{wxapi.Card{Type: wxapi.CardGroupon, DealDetail: "双人套餐"}, "双人套餐", "双人套餐"},
		{wxapi.Card{Type: wxapi.CardMember}, "会员卡", "Member card"},
	} {
		m := ValueMessage(&tc.card)
		if got := cat.In(i18n.ZH, m.Key, m.Args); got != tc.zh {
			t.Errorf("%+v zh = %q, want %q", tc.card, got, tc.zh)
		}
		if got := cat.In(i18n.EN, m.Key, m.Args); got != tc.en {
			t.Errorf("%+v en = %q, want %q", tc.card, got, tc.en)
		}
	}
	for _, tc := range []struct {
		d    wxapi.DateInfo
		want string
	}{
		// 2025-11-30 16:00 UTC is 2025-12-01 in Beijing.
		{wxapi.DateInfo{Type: "DATE_TYPE_FIX_TIME_RANGE", BeginTimestamp: 1764518400, EndTimestamp: 1772236800}, "有效期：2025-12-01 至 2026-02-28"},
		{wxapi.DateInfo{Type: "DATE_TYPE_FIX_TERM", FixedTerm: 30}, "领取后30天内有效"},
		{wxapi.DateInfo{Type: "DATE_TYPE_FIX_TERM", FixedTerm: 7, FixedBeginTerm: 1}, "领取1天后生效，有效7天"},
		{wxapi.DateInfo{Type: "DATE_TYPE_PERMANENT"}, "长期有效"},
		{wxapi.DateInfo{}, ""},
	} {
		m := ValidityMessage(tc.d, beijing)
		got := ""
		if m.Key != "" {
			got = cat.In(i18n.ZH, m.Key, m.Args)
		}
		if got != tc.want {
			t.Errorf("%+v = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestYuan(t *testing.T) {
	for fen, want := range map[int64]string{0: "0", 10000: "100", 1050: "10.5", 1005: "10.05", 99: "0.99", -250: "-2.5"} {
		if got := money.Short(fen); got != want {
			t.Errorf("money.Short(%d) = %q, want %q", fen, got, want)
		}
	}
}

// TestLayoutFitsAndHasGlyphs checks every size: text stays inside its face, every character has
// a glyph in the embedded font (no tofu), the code keeps its quiet zone on white, and the
// modules are as large as the format allows.
func TestLayoutFitsAndHasGlyphs(t *testing.T) {
	f, err := DefaultFont()
	if err != nil {
		t.Fatal(err)
	}
	c := storage.Campaign{URL: "http://weixin.qq.com/q/02BHWya_zlfioH6fXeL16o", Scene: "table-30", CardIDs: []string{"pCASH"}}
	cards := demoCards()
	content, err := ContentFor(c, []*wxapi.Card{cards["pCASH"]}, i18n.Default(), i18n.ZH, beijing)
	if err != nil {
		t.Fatal(err)
	}
	content.Title = "一个非常非常长的卡券标题，长到任何一张海报都放不下，必须缩小或截断才能显示完整的内容"
	minModule := map[Size]float64{SizeA4: 3.5, SizeA5: 2.4, SizeA6: 1.6, SizeTent: 1.4, SizeSticker: 0.9}
	for _, z := range Sizes {
		p, err := Layout(z, content, f)
		if err != nil {
			t.Fatalf("%s: %v", z, err)
		}
		wantFaces := 1
		if z == SizeTent {
			wantFaces = 2
		}
		if len(p.Faces) != wantFaces {
			t.Errorf("%s: %d faces, want %d", z, len(p.Faces), wantFaces)
		}
		for fi, face := range p.Faces {
			var texts []string
			var qr *Item
			for i, it := range face.Items {
				switch it.Kind {
				case ItemText:
					texts = append(texts, it.Text)
					if w := f.Width(it.Text, it.PT); w > it.W+0.01 || it.X < 0 || it.X+it.W > face.W+0.01 {
						t.Errorf("%s face %d: %q is %.1f mm wide in a %.1f mm box at x=%.1f", z, fi, it.Text, w, it.W, it.X)
					}
					if it.Y <= 0 || it.Y > face.H {
						t.Errorf("%s face %d: %q baseline %.1f outside the face", z, fi, it.Text, it.Y)
					}
					if m := f.Missing(it.Text); len(m) > 0 {
						t.Errorf("%s: no glyph for %q in %q", z, string(m), it.Text)
					}
				case ItemQR:
					qr = &face.Items[i]
					white := face.Items[i-1]
					mod := it.W / float64(it.QR.Size())
					if white.Kind != ItemRect || white.Color != (color.RGBA{0xff, 0xff, 0xff, 0xff}) || white.W < it.W {
						t.Errorf("%s: no white quiet zone before the code", z)
					}
					if q := it.X - white.X; q < QuietZone*mod-0.01 {
						t.Errorf("%s: quiet zone %.2f mm, want ≥ %d modules (%.2f mm)", z, q, QuietZone, QuietZone*mod)
					}
					if mod < minModule[z] {
						t.Errorf("%s: module %.2f mm, want ≥ %.2f", z, mod, minModule[z])
					}
					t.Logf("%s: code %.1f mm, %d modules of %.2f mm", z, it.W, it.QR.Size(), mod)
				}
			}
			if qr == nil {
				t.Errorf("%s face %d: no QR code", z, fi)
			}
			joined := strings.Join(texts, "|")
			for _, want := range []string{"微信扫一扫领取", "满100减20", "喜茶 HEYTEA", "场景：table-30", "有效期："} {
				if !strings.Contains(joined, want) {
					t.Errorf("%s face %d: %q missing from %q", z, fi, want, joined)
				}
			}
			if !strings.Contains(joined, "…") {
				t.Errorf("%s face %d: the over-long title was not cut: %q", z, fi, joined)
			}
		}
	}
}

// decodeImage decodes the QR code in img with the till's own decoder (package scanner).
func decodeImage(t *testing.T, img image.Image) string {
	t.Helper()
	res, err := scanner.NewDecoder(scanner.DecoderOptions{}).Decode(img)
	if err != nil {
		t.Errorf("QR does not decode: %v", err)
		return ""
	}
	return res.Text
}

func TestPosterPNGDecodes(t *testing.T) {
	for _, z := range Sizes {
		api := &fakeWX{cards: demoCards()}
		s, _ := newService(t, api)
		var buf bytes.Buffer
		list, err := s.Poster(context.Background(), PosterRequest{CardIDs: []string{"pCASH"}, Scenes: []string{"door"}, Size: z}, &buf, FormatPNG)
		if err != nil {
			t.Fatalf("%s: %v", z, err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatalf("%s: %v", z, err)
		}
		w, h := z.PageSize()
		if got, want := img.Bounds().Dx(), int(w/25.4*PreviewDPI+0.5); got != want {
			t.Errorf("%s: png %d px wide, want %d (%.0f mm at %d dpi)", z, got, want, w, PreviewDPI)
		}
		_ = h
		if z == SizeTent {
			// Both faces carry the code; decode the upright (bottom) one.
			img = img.(interface {
				SubImage(image.Rectangle) image.Image
			}).SubImage(image.Rect(0, img.Bounds().Dy()/2, img.Bounds().Dx(), img.Bounds().Dy()))
		}
		if os.Getenv("CAMPAIGN_KEEP") != "" {
			var out bytes.Buffer
			png.Encode(&out, img)
			os.WriteFile(filepath.Join(os.Getenv("CAMPAIGN_KEEP"), string(z)+".png"), out.Bytes(), 0o644)
		}
		if got := decodeImage(t, img); got != list[0].URL {
			t.Errorf("%s: png QR = %q, want %q", z, got, list[0].URL)
		}
	}
}

func TestPosterChecksBeforeDispatch(t *testing.T) {
	for _, tc := range []struct {
		name   string
		req    PosterRequest
		format Format
		err    error
	}{
		{"png with two scenes", PosterRequest{CardIDs: []string{"pCASH"}, Scenes: []string{"a", "b"}}, FormatPNG, ErrPNGOnePage},
		{"duplicate scene", PosterRequest{CardIDs: []string{"pCASH"}, Scenes: []string{"a", "b", "a"}}, FormatPDF, ErrDuplicateScene},
		{"bad size", PosterRequest{CardIDs: []string{"pCASH"}, Size: "a3"}, FormatPDF, ErrUnknownSize},
		{"bad format", PosterRequest{CardIDs: []string{"pCASH"}}, Format("svg"), ErrUnknownFormat},
		{"unknown card", PosterRequest{CardIDs: []string{"pNOPE"}, Scenes: []string{"a"}}, FormatPDF, nil},
	} {
		api := &fakeWX{cards: demoCards()}
		s, db := newService(t, api)
		_, err := s.Poster(context.Background(), tc.req, &bytes.Buffer{}, tc.format)
		if tc.err != nil && !errors.Is(err, tc.err) {
			t.Errorf("%s: error = %v, want %v", tc.name, err, tc.err)
		}
		if tc.err == nil {
			var we *wxapi.Error
			if !errors.As(err, &we) || we.Code != 40073 {
				t.Errorf("%s: error = %v, want the card/get error 40073", tc.name, err)
			}
		}
		if tc.err != nil && ErrorKey(err) == "" {
			t.Errorf("%s: no translation key for %v", tc.name, err)
		}
		if len(api.reqs) != 0 {
			t.Errorf("%s: %d codes made before the request was found wrong", tc.name, len(api.reqs))
		}
		if list, _ := db.Campaigns(context.Background()); len(list) != 0 {
			t.Errorf("%s: %d campaigns saved", tc.name, len(list))
		}
	}
}

func TestErrorKeysTranslated(t *testing.T) {
	cat := i18n.Default()
	for _, err := range []error{ErrNoCards, ErrTooManyCards, ErrBadExpiry, ErrDuplicateScene, ErrSceneTooLong,
		ErrUnknownSize, ErrUnknownFormat, ErrPNGOnePage, ErrEmptyURL, ErrNoPages, ErrFontNotLoaded} {
		k := ErrorKey(fmt.Errorf("wrapped: %w", err))
		if k == "" || !cat.Has(i18n.ZH, k) || !cat.Has(i18n.EN, k) {
			t.Errorf("%v: key %q not in both languages", err, k)
		}
	}
	for _, z := range Sizes {
		if !cat.Has(i18n.ZH, z.MessageKey()) || !cat.Has(i18n.EN, z.MessageKey()) {
			t.Errorf("size %s: no name", z)
		}
	}
}

// pdfTools skips the test when poppler or zbar are missing.
func pdfTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"pdftoppm", "pdftotext", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (apt-get install poppler-utils zbar-tools): skipping the PDF render check", tool)
		}
	}
}

// renderPDF rasterises every page at 150 dpi with pdftoppm and returns the PNG paths in order.
func renderPDF(t *testing.T, pdf []byte) []string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "out.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "150", "-png", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	sort.Strings(pages)
	return pages
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "t.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return string(out)
}

// zbar decodes every QR code in a PNG with zbarimg.
func zbar(t *testing.T, path string) []string {
	t.Helper()
	out, err := exec.Command("zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", path).Output()
	if err != nil {
		t.Fatalf("zbarimg %s: %v (no code found)", filepath.Base(path), err)
	}
	return strings.Fields(string(out))
}

func TestPosterPDFEverySize(t *testing.T) {
	pdfTools(t)
	for _, z := range Sizes {
		api := &fakeWX{cards: demoCards()}
		s, _ := newService(t, api)
		var buf bytes.Buffer
		list, err := s.Poster(context.Background(), PosterRequest{CardIDs: []string{"pCASH", "pDISC"}, Scenes: []string{"door"}, Size: z}, &buf, FormatPDF)
		if err != nil {
			t.Fatalf("%s: %v", z, err)
		}
		pages := renderPDF(t, buf.Bytes())
		if len(pages) != 1 {
			t.Fatalf("%s: %d pages, want 1", z, len(pages))
		}
		want := []string{list[0].URL}
		if z == SizeTent {
			want = append(want, list[0].URL) // both faces, one upside down
		}
		if got := zbar(t, pages[0]); !cmp.Equal(got, want) {
			t.Errorf("%s: zbarimg = %q, want %q", z, got, want)
		}
		text := pdfText(t, buf.Bytes())
		for _, w := range []string{"微信扫一扫领取", "满100减20 · 8折", "场景：door"} {
			if !strings.Contains(text, w) {
				t.Errorf("%s: pdftotext lacks %q:\n%s", z, w, text)
			}
		}
	}
}

// checkBatch renders pdf and checks page i's code decodes, with zbarimg and with package
// scanner, to exactly list[i].URL, and that the Chinese words are in the text layer.
func checkBatch(t *testing.T, pdf []byte, list []storage.Campaign) {
	t.Helper()
	pages := renderPDF(t, pdf)
	if len(pages) != len(list) {
		t.Fatalf("%d pages, want %d", len(pages), len(list))
	}
	for i, page := range pages {
		if got := zbar(t, page); !cmp.Equal(got, []string{list[i].URL}) {
			t.Errorf("page %d: zbarimg = %q, want [%q]", i+1, got, list[i].URL)
		}
		res, err := scanner.DecodeFile(page)
		if err != nil {
			t.Errorf("page %d: scanner.DecodeFile: %v", i+1, err)
		} else if res.Text != list[i].URL {
			t.Errorf("page %d: scanner.DecodeFile = %q, want %q", i+1, res.Text, list[i].URL)
		}
	}
	text := pdfText(t, pdf)
	for _, c := range list {
		if !strings.Contains(text, "场景："+c.Scene) {
			t.Errorf("pdftotext lacks the scene %q", c.Scene)
		}
	}
	if n := strings.Count(text, "微信扫一扫领取"); n != len(list) {
		t.Errorf("pdftotext has the call to action %d times, want %d", n, len(list))
	}
}

func TestPosterTwoScenesAndReprint(t *testing.T) {
	pdfTools(t)
	api := &fakeWX{cards: demoCards()}
	s, db := newService(t, api)
	ctx := context.Background()
	var buf bytes.Buffer
	list, err := s.Poster(ctx, PosterRequest{Name: "双十二", CardIDs: []string{"pCASH"},
		Scenes: []string{"table-01", "table-02"}, Size: SizeA4, CreatedBy: "王经理"}, &buf, FormatPDF)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Scene != "table-01" || list[1].Scene != "table-02" || list[0].URL == list[1].URL {
		t.Fatalf("campaigns %+v", list)
	}
	if list[0].Name != "双十二 table-01" {
		t.Errorf("name = %q", list[0].Name)
	}
	for i, r := range api.reqs {
		if got := r.Cards[0].OuterStr; got != list[i].Scene {
			t.Errorf("request %d outer_str = %q, want %q", i, got, list[i].Scene)
		}
	}
	checkBatch(t, buf.Bytes(), list)

	saved, err := db.Campaigns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != 2 {
		t.Fatalf("%d campaigns saved, want 2", len(saved))
	}
	// Reprinting from storage makes the same codes without asking WeChat for new ones.
	before := len(api.reqs)
	buf.Reset()
	again, err := s.Reprint(ctx, []int64{list[0].ID, list[1].ID}, SizeA4, &buf, FormatPDF)
	if err != nil {
		t.Fatal(err)
	}
	if len(api.reqs) != before {
		t.Errorf("reprint made %d new codes", len(api.reqs)-before)
	}
	if diff := cmp.Diff(list, again); diff != "" {
		t.Errorf("reprint campaigns (-made +reprinted):\n%s", diff)
	}
	checkBatch(t, buf.Bytes(), again)
	if _, err := s.Reprint(ctx, []int64{999}, SizeA4, &buf, FormatPDF); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("reprint of an unknown id: %v, want storage.ErrNotFound", err)
	}
	slip, err := s.Slip(ctx, list[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := (printer.CampaignSlip{Brand: "喜茶 HEYTEA", Title: "满100减20代金券", Value: "满100减20",
		Validity: "有效期：2025-12-01 至 2026-02-28", Scene: "table-02", URL: list[1].URL}); slip != want {
		t.Errorf("slip = %+v, want %+v", slip, want)
	}
	img, err := s.Preview(ctx, list[1].ID, SizeTent, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeImage(t, img); got != list[1].URL {
		t.Errorf("preview decodes to %q, want %q", got, list[1].URL)
	}
}

func TestBatchOf30(t *testing.T) {
	pdfTools(t)
	api := &fakeWX{cards: demoCards()}
	s, db := newService(t, api)
	scenes := make([]string, 30)
	for i := range scenes {
		scenes[i] = fmt.Sprintf("table-%02d", i+1)
	}
	var buf bytes.Buffer
	list, err := s.Poster(context.Background(), PosterRequest{CardIDs: []string{"pGIFT"}, Scenes: scenes, Size: SizeTent}, &buf, FormatPDF)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "batch.pdf")
	if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	// 72 dpi is plenty for a clean render (a tent's module is 2 mm, 5.6 px) and keeps this quick.
	if out, err := exec.Command("pdftoppm", "-r", "72", "-gray", in, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "p-*.pgm"))
	sort.Strings(pages)
	if len(pages) != 30 {
		t.Fatalf("%d pages, want 30", len(pages))
	}
	for i, p := range pages {
		want := []string{list[i].URL, list[i].URL}
		if got := zbar(t, p); !cmp.Equal(got, want) {
			t.Errorf("page %d (%s): zbarimg = %q, want both faces %q", i+1, list[i].Scene, got, list[i].URL)
		}
	}
	if saved, _ := db.Campaigns(context.Background()); len(saved) != 30 {
		t.Errorf("%d campaigns saved, want 30", len(saved))
	}
}

func TestBrokenFontIsRefused(t *testing.T) {
	f, err := DefaultFont()
	if err != nil {
		t.Fatal(err)
	}
	for name, ttf := range map[string][]byte{
		"truncated":  bytes.Clone(f.ttf[:len(f.ttf)/2]),
		"not a font": []byte("definitely not a TrueType font, just text"),
	} {
		if _, err := LoadFont(ttf); !errors.Is(err, ErrFontNotLoaded) {
			t.Errorf("LoadFont(%s) error = %v, want ErrFontNotLoaded", name, err)
		}
	}
	// fpdf is given bytes it cannot read: WritePDF must notice, not write a PDF of blanks.
	broken := &Font{ttf: []byte("not a font"), face: f.face, upem: f.upem, adv: map[rune]float64{}}
	if err := WritePDF(&bytes.Buffer{}, []Page{{W: 50, H: 50}}, broken); !errors.Is(err, ErrFontNotLoaded) {
		t.Errorf("WritePDF with unreadable font bytes: %v, want ErrFontNotLoaded", err)
	}
	if err := WritePDF(&bytes.Buffer{}, nil, f); !errors.Is(err, ErrNoPages) {
		t.Errorf("no pages: %v, want ErrNoPages", err)
	}
}

func TestWriteQRPNG(t *testing.T) {
	s, _ := newService(t, &fakeWX{cards: demoCards()})
	const url = "http://weixin.qq.com/q/02BHWya_zlfioH6fXeL16o"
	path := filepath.Join(t.TempDir(), "code.png")
	if err := s.WriteQRPNG(url, path); err != nil {
		t.Fatal(err)
	}
	res, err := scanner.DecodeFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != url {
		t.Errorf("decoded %q, want %q", res.Text, url)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := EncodeQR(url)
	if got, want := img.Bounds().Dx(), (m.Size()+2*QuietZone)*QRModulePx; got != want {
		t.Errorf("png is %d px, want %d (modules + quiet zone at %d px)", got, want, QRModulePx)
	}
	// The quiet zone is white all round.
	for i := 0; i < QuietZone*QRModulePx; i++ {
		if c := color.GrayModel.Convert(img.At(i, i)).(color.Gray); c.Y != 0xff {
			t.Fatalf("quiet zone pixel (%d,%d) = %d, want white", i, i, c.Y)
		}
	}
	if err := s.WriteQRPNG("", filepath.Join(t.TempDir(), "x.png")); !errors.Is(err, ErrEmptyURL) {
		t.Errorf("empty url: %v, want ErrEmptyURL", err)
	}
	if err := s.WriteQRPNG(url, filepath.Join(t.TempDir(), "no", "such", "dir.png")); err == nil {
		t.Error("write into a missing folder succeeded")
	}
}

// The PNG preview and the printed PDF come from one layout: the code sits at the same place in
// both (checked on the decoder's finder points, 150 dpi).
func TestPNGMatchesPDF(t *testing.T) {
	pdfTools(t)
	f, err := DefaultFont()
	if err != nil {
		t.Fatal(err)
	}
	c, err := ContentFor(storage.Campaign{URL: "http://weixin.qq.com/q/02parity", Scene: "door", CardIDs: []string{"pCASH"}},
		[]*wxapi.Card{demoCards()["pCASH"]}, i18n.Default(), i18n.ZH, beijing)
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range []Size{SizeA5, SizeSticker} {
		p, err := Layout(z, c, f)
		if err != nil {
			t.Fatal(err)
		}
		var pdf bytes.Buffer
		if err := WritePDF(&pdf, []Page{p}, f); err != nil {
			t.Fatal(err)
		}
		pages := renderPDF(t, pdf.Bytes())
		fromPDF, err := scanner.DecodeFile(pages[0])
		if err != nil {
			t.Fatalf("%s: pdf render: %v", z, err)
		}
		img, err := RenderImage(p, f, 150)
		if err != nil {
			t.Fatal(err)
		}
		fromPNG, err := scanner.NewDecoder(scanner.DecoderOptions{}).Decode(img)
		if err != nil {
			t.Fatalf("%s: png: %v", z, err)
		}
		if len(fromPDF.Points) == 0 || len(fromPDF.Points) != len(fromPNG.Points) {
			t.Fatalf("%s: points %v vs %v", z, fromPDF.Points, fromPNG.Points)
		}
		t.Logf("%s: finder points pdf %v png %v", z, fromPDF.Points, fromPNG.Points)
		for i := range fromPDF.Points {
			d := fromPDF.Points[i].Sub(fromPNG.Points[i])
			if d.X < -3 || d.X > 3 || d.Y < -3 || d.Y > 3 {
				t.Errorf("%s: finder %d at %v in the PDF, %v in the PNG", z, i, fromPDF.Points[i], fromPNG.Points[i])
			}
		}
	}
}
