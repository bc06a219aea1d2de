// Package scanner turns counter input into scan events: keyboard-wedge scanners typing into the
// window, scanners in serial (USB-COM) mode, and webcam frames read by a QR / Code 128 decoder. It
// also classifies what was read (a card code, an encrypt_code, a card URL, a payment code, junk)
// before anything is sent to WeChat. It knows nothing of the UI: the ui package adapts it.
package scanner

import (
	"encoding/base64"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Limits applied by Classify.
const (
	// MaxTextLength is the longest text, in bytes after trimming, that Classify accepts; anything
	// longer is KindTooLong. Card URLs carrying an encrypt_code and a card_id are about 200 bytes.
	MaxTextLength = 2048
	// MinCodeLength and MaxCodeLength bound a plain or custom card code.
	MinCodeLength = 4
	MaxCodeLength = 20
)

// Classify decides what a scanned text is, without any network call. It trims surrounding ASCII
// whitespace and line endings (invalid UTF-8 in Text is replaced by U+FFFD), then, in this order:
//
//   - nothing left: KindEmpty; more than MaxTextLength bytes: KindTooLong;
//   - invalid UTF-8, control characters, or any non-ASCII rune (CJK, full-width digits from an IME,
//     emoji): KindBadChars, the "wrong input method" case;
//   - an http(s) URL to weixin.qq.com/q/…: KindCampaignQR; any other URL carrying a valid
//     encrypt_code and/or a card_id: KindCardURL (EncryptCode, CardID and Code filled);
//   - 18 digits starting 10–15: KindWeChatPay; 16–24 digits starting 25–30: KindAlipay;
//   - 13 digits with a valid EAN-13 check digit: KindProduct;
//   - 4–20 letters and digits: KindCode;
//   - longer standard base64 that decodes to whole 16-byte blocks: KindEncrypted;
//   - anything else: KindUnknown.
//
// URL query values are percent-decoded exactly once, and a raw '+' stays a '+': an encrypt_code is
// standard base64, WeChat puts it into the card's jump URL unescaped, and form decoding would turn
// its '+' into a space. Since base64 never contains a space, a space in a decoded encrypt_code (a
// '+' some page mangled into "%20") is restored to '+'. A left-over "%2B" after the single decoding
// is not decoded again: that encrypt_code is invalid and the URL is KindUnknown.
//
// EAN-8 and UPC-A are deliberately not classified as products: they have the same lengths as card
// codes (12 digits is WeChat's standard code length; the reference's example code "12312313" is a
// valid EAN-8), and one in ten random codes has a valid check digit. Rejecting a real coupon is
// worse than one code/get call that answers "invalid code".
func Classify(text string) Classification {
	t := strings.Trim(text, " \t\r\n\v\f")
	c := Classification{Kind: KindUnknown, Text: t}
	if !utf8.ValidString(t) {
		c.Text = strings.ToValidUTF8(t, "\uFFFD")
	}
	switch {
	case t == "":
		c.Kind = KindEmpty
		return c
	case len(t) > MaxTextLength:
		c.Kind = KindTooLong
		return c
	case !printableASCII(t):
		c.Kind = KindBadChars
		return c
	}
	if isHTTPURL(t) {
		classifyURL(&c)
		return c
	}
	if allDigits(t) {
		p := (t[0]-'0')*10 + (t[1] - '0')
		n := len(t)
		switch {
		case n == 18 && p >= 10 && p <= 15:
			c.Kind = KindWeChatPay
			return c
		case n >= 16 && n <= 24 && p >= 25 && p <= 30:
			c.Kind = KindAlipay
			return c
		case n == 13 && validGTIN(t):
			c.Kind = KindProduct
			return c
		}
	}
	if len(t) >= MinCodeLength && len(t) <= MaxCodeLength && alnum(t) {
		c.Kind = KindCode
		c.Code = t
		return c
	}
	if len(t) > MaxCodeLength && validEncryptCode(t) {
		c.Kind = KindEncrypted
		c.EncryptCode = t
		return c
	}
	return c
}

// MessageKey returns the translation key (in assets/translations/scanner.*.json) that names the
// kind for the cashier, e.g. "scanner.kind.wechat_pay".
func (c Classification) MessageKey() string {
	switch c.Kind {
	case KindCode, KindEncrypted, KindCardURL, KindCampaignQR, KindWeChatPay, KindAlipay,
		KindProduct, KindTooLong, KindBadChars, KindEmpty:
		return "scanner.kind." + string(c.Kind)
	}
	return "scanner.kind.unknown"
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z') {
			return false
		}
	}
	return true
}

// validGTIN checks the GS1 mod-10 check digit of an all-digit string (EAN-8, UPC-A, EAN-13).
func validGTIN(s string) bool {
	sum := 0
	for i := len(s) - 2; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-2-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return (10-sum%10)%10 == int(s[len(s)-1]-'0')
}

func isHTTPURL(s string) bool {
	l := strings.ToLower(s[:min(len(s), 8)])
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// validEncryptCode reports whether s is standard base64 (with or without padding) of one or more
// whole AES blocks, as WeChat's encrypt_code is.
func validEncryptCode(s string) bool {
	if len(s) < 22 {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '+' || b == '/' || b == '=') {
			return false
		}
	}
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	raw, err := enc.DecodeString(s)
	return err == nil && len(raw) > 0 && len(raw)%16 == 0
}

// validCardID reports whether s looks like a WeChat card_id (e.g. "pFS7Fjg8kV1IdDz01r4SQwMkuCKc").
func validCardID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || b == '-') {
			return false
		}
	}
	return true
}

func classifyURL(c *Classification) {
	u, err := url.Parse(c.Text)
	if err != nil || u.Host == "" {
		return
	}
	if strings.EqualFold(u.Hostname(), "weixin.qq.com") && strings.HasPrefix(u.EscapedPath(), "/q/") && len(u.EscapedPath()) > 3 {
		c.Kind = KindCampaignQR
		return
	}
	// Single-page merchant sites put the parameters after a '?' inside the fragment.
	queries := []string{u.RawQuery}
	if i := strings.IndexByte(u.Fragment, '?'); i >= 0 {
		queries = append(queries, u.Fragment[i+1:])
	}
	var enc, cardID, code string
	var haveEnc, haveCard, haveCode bool
	for _, q := range queries {
		for q != "" {
			var kv string
			kv, q, _ = strings.Cut(q, "&")
			k, v, _ := strings.Cut(kv, "=")
			v, err := url.PathUnescape(v) // exactly once; a raw '+' stays '+'
			if err != nil {
				continue
			}
			switch k {
			case "encrypt_code":
				if !haveEnc {
					enc, haveEnc = strings.ReplaceAll(v, " ", "+"), true
				}
			case "card_id":
				if !haveCard {
					cardID, haveCard = v, true
				}
			case "code":
				if !haveCode {
					code, haveCode = v, true
				}
			}
		}
	}
	if haveEnc && !validEncryptCode(enc) {
		return
	}
	if haveCard && !validCardID(cardID) {
		return
	}
	if !haveEnc && !haveCard {
		return
	}
	if haveCode && !(len(code) >= MinCodeLength && len(code) <= MaxCodeLength && alnum(code)) {
		code = ""
	}
	c.Kind, c.EncryptCode, c.CardID, c.Code = KindCardURL, enc, cardID, code
}
