package scanner

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf8"
)

const docEncrypt = "XXIzTtMqCxwOaawoE91+VJdsFmv7b8g0VZIZkqf4GWA60Fzpc8ksZ/5ZZ0DVkXdE"

func TestClassify(t *testing.T) {
	long := "https://m.example.com/c?card_id=pFS7Fjg8kV1IdDz01r4SQwMkuCKc&x=" + strings.Repeat("a", MaxTextLength)
	tests := []struct {
		name string
		in   string
		want Classification
	}{
		{"empty", "", Classification{Kind: KindEmpty}},
		{"only line ending", " \r\n", Classification{Kind: KindEmpty}},
		{"plain 12 digits", "751234212312\r\n", Classification{Kind: KindCode, Text: "751234212312", Code: "751234212312"}},
		{"doc example 8 digits is a code though a valid EAN-8", "12312313", Classification{Kind: KindCode, Text: "12312313", Code: "12312313"}},
		{"12 digits with a valid UPC-A check digit stays a code", "036000291452", Classification{Kind: KindCode, Text: "036000291452", Code: "036000291452"}},
		{"custom alphanumeric code", "AbC123xyz", Classification{Kind: KindCode, Text: "AbC123xyz", Code: "AbC123xyz"}},
		{"20 character custom code", "ABCDEFGHIJ0123456789", Classification{Kind: KindCode, Text: "ABCDEFGHIJ0123456789", Code: "ABCDEFGHIJ0123456789"}},
		{"too short", "12", Classification{Kind: KindUnknown, Text: "12"}},
		{"punctuation in a code", "ABC-123", Classification{Kind: KindUnknown, Text: "ABC-123"}},
		{"21 alphanumerics not base64 blocks", "ABCDEFGHIJ0123456789K", Classification{Kind: KindUnknown, Text: "ABCDEFGHIJ0123456789K"}},
		{"bare encrypt_code", docEncrypt, Classification{Kind: KindEncrypted, Text: docEncrypt, EncryptCode: docEncrypt}},
		{"bare encrypt_code with padding", base64.StdEncoding.EncodeToString(make([]byte, 32)), Classification{Kind: KindEncrypted, Text: base64.StdEncoding.EncodeToString(make([]byte, 32)), EncryptCode: base64.StdEncoding.EncodeToString(make([]byte, 32))}},
		{"base64 but not whole blocks", base64.StdEncoding.EncodeToString(make([]byte, 30)), Classification{Kind: KindUnknown, Text: base64.StdEncoding.EncodeToString(make([]byte, 30))}},
		{"wechat pay", "134567890123456789", Classification{Kind: KindWeChatPay, Text: "134567890123456789"}},
		{"18 digits starting 16 is a code", "164567890123456789", Classification{Kind: KindCode, Text: "164567890123456789", Code: "164567890123456789"}},
		{"alipay 16", "2812345678901234", Classification{Kind: KindAlipay, Text: "2812345678901234"}},
		{"alipay 24", "301234567890123456789012", Classification{Kind: KindAlipay, Text: "301234567890123456789012"}},
		{"alipay 25 digits is not", "3012345678901234567890123", Classification{Kind: KindUnknown, Text: "3012345678901234567890123"}},
		{"ean-13 product", "6901234567892", Classification{Kind: KindProduct, Text: "6901234567892"}},
		{"13 digits with bad check digit is a code", "6901234567891", Classification{Kind: KindCode, Text: "6901234567891", Code: "6901234567891"}},
		{"campaign qr", "http://weixin.qq.com/q/02aBcDeFgHiJk10000g07Q", Classification{Kind: KindCampaignQR, Text: "http://weixin.qq.com/q/02aBcDeFgHiJk10000g07Q"}},
		{"campaign qr https upper case host", "HTTPS://Weixin.QQ.com/q/abc", Classification{Kind: KindCampaignQR, Text: "HTTPS://Weixin.QQ.com/q/abc"}},
		{"other weixin url", "https://weixin.qq.com/r/abc", Classification{Kind: KindUnknown, Text: "https://weixin.qq.com/r/abc"}},
		{"card url raw plus kept", "https://shop.example.com/use?encrypt_code=" + docEncrypt + "&card_id=pFS7Fjg8kV1IdDz01r4SQwMkuCKc",
			Classification{Kind: KindCardURL, Text: "https://shop.example.com/use?encrypt_code=" + docEncrypt + "&card_id=pFS7Fjg8kV1IdDz01r4SQwMkuCKc", EncryptCode: docEncrypt, CardID: "pFS7Fjg8kV1IdDz01r4SQwMkuCKc"}},
		{"card url percent-encoded once", "https://shop.example.com/use?card_id=pFS7&encrypt_code=" + strings.NewReplacer("+", "%2B", "/", "%2F").Replace(docEncrypt),
			Classification{Kind: KindCardURL, Text: "https://shop.example.com/use?card_id=pFS7&encrypt_code=" + strings.NewReplacer("+", "%2B", "/", "%2F").Replace(docEncrypt), EncryptCode: docEncrypt, CardID: "pFS7"}},
		{"card url double-encoded is not decoded twice", "https://s.example.com/?encrypt_code=" + strings.ReplaceAll(docEncrypt, "+", "%252B"),
			Classification{Kind: KindUnknown, Text: "https://s.example.com/?encrypt_code=" + strings.ReplaceAll(docEncrypt, "+", "%252B")}},
		{"plus mangled to %20 is restored", "https://s.example.com/?encrypt_code=" + strings.ReplaceAll(docEncrypt, "+", "%20"),
			Classification{Kind: KindCardURL, Text: "https://s.example.com/?encrypt_code=" + strings.ReplaceAll(docEncrypt, "+", "%20"), EncryptCode: docEncrypt}},
		{"card id and code only", "https://s.example.com/p?card_id=pFS7Fjg8kV1IdDz01r4SQwMkuCKc&code=198374613512",
			Classification{Kind: KindCardURL, Text: "https://s.example.com/p?card_id=pFS7Fjg8kV1IdDz01r4SQwMkuCKc&code=198374613512", CardID: "pFS7Fjg8kV1IdDz01r4SQwMkuCKc", Code: "198374613512"}},
		{"params in an spa fragment", "https://s.example.com/#/use?encrypt_code=" + docEncrypt,
			Classification{Kind: KindCardURL, Text: "https://s.example.com/#/use?encrypt_code=" + docEncrypt, EncryptCode: docEncrypt}},
		{"url without card params", "https://example.com/?code=123456", Classification{Kind: KindUnknown, Text: "https://example.com/?code=123456"}},
		{"bad card_id", "https://example.com/?card_id=p%22x", Classification{Kind: KindUnknown, Text: "https://example.com/?card_id=p%22x"}},
		{"too long", long, Classification{Kind: KindTooLong, Text: long}},
		{"control char", "7512\x1b34212312", Classification{Kind: KindBadChars, Text: "7512\x1b34212312"}},
		{"cjk ime text", "七五一二三四", Classification{Kind: KindBadChars, Text: "七五一二三四"}},
		{"full-width digits", "７５１２３４２１２３１２", Classification{Kind: KindBadChars, Text: "７５１２３４２１２３１２"}},
		{"invalid utf-8", "75\xff12", Classification{Kind: KindBadChars, Text: "75\uFFFD12"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.in); got != tt.want {
				t.Errorf("Classify(%q)\n got  %+v\n want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedeemableAndMessageKey(t *testing.T) {
	for _, tt := range []struct {
		in         string
		redeemable bool
		key        string
	}{
		{"751234212312", true, "scanner.kind.code"},
		{docEncrypt, true, "scanner.kind.encrypted"},
		{"134567890123456789", false, "scanner.kind.wechat_pay"},
		{"http://weixin.qq.com/q/x", false, "scanner.kind.campaign_qr"},
		{"ab-c", false, "scanner.kind.unknown"},
	} {
		c := Classify(tt.in)
		if got := c.Redeemable(); got != tt.redeemable {
			t.Errorf("Classify(%q).Redeemable() = %v, want %v", tt.in, got, tt.redeemable)
		}
		if got := c.MessageKey(); got != tt.key {
			t.Errorf("Classify(%q).MessageKey() = %q, want %q", tt.in, got, tt.key)
		}
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"", "751234212312", docEncrypt, "https://a.b/?encrypt_code=" + docEncrypt + "&card_id=pX&code=1234",
		"http://weixin.qq.com/q/a", "134567890123456789", "2812345678901234", "6901234567892", "七", "\x00", "https://%zz", "https://a/#?card_id=p"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c := Classify(in)
		if c.Kind == "" {
			t.Fatalf("empty kind for %.80q", in)
		}
		if !utf8.ValidString(c.Text) {
			t.Fatalf("Text %.80q is not valid UTF-8", c.Text)
		}
		if again := Classify(c.Text); utf8.ValidString(in) && again != c {
			t.Fatalf("not idempotent: %+v then %+v", c, again)
		}
		if c.Kind != KindBadChars && c.Kind != KindTooLong && c.Kind != KindEmpty && !printableASCII(c.Text) {
			t.Fatalf("kind %s for non-printable %.80q", c.Kind, c.Text)
		}
		switch c.Kind {
		case KindCode:
			if c.Code != c.Text || len(c.Code) < MinCodeLength || len(c.Code) > MaxCodeLength {
				t.Fatalf("bad code %+v", c)
			}
		case KindEncrypted:
			if c.EncryptCode != c.Text || !validEncryptCode(c.EncryptCode) {
				t.Fatalf("bad encrypted %+v", c)
			}
		case KindCardURL:
			if c.EncryptCode == "" && c.CardID == "" {
				t.Fatalf("card url without encrypt_code or card_id: %+v", c)
			}
			if c.EncryptCode != "" && !validEncryptCode(c.EncryptCode) {
				t.Fatalf("card url with bad encrypt_code: %+v", c)
			}
		default:
			if c.Code != "" || c.EncryptCode != "" || c.CardID != "" {
				t.Fatalf("fields set for kind %s: %+v", c.Kind, c)
			}
		}
		if len(c.Text) > MaxTextLength && c.Kind != KindTooLong {
			t.Fatalf("kind %s for %d bytes", c.Kind, len(c.Text))
		}
	})
}
