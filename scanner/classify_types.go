package scanner

// Kind says what a scanned text is, decided before any network call.
type Kind string

// The kinds of text a counter meets.
const (
	KindCode       Kind = "code"        // a plain card code (digits, or a custom code up to 20 characters)
	KindEncrypted  Kind = "encrypted"   // a bare encrypt_code (standard base64)
	KindCardURL    Kind = "card_url"    // a URL carrying encrypt_code and/or card_id (and maybe code)
	KindCampaignQR Kind = "campaign_qr" // a dispatch QR url (weixin.qq.com/q/...): a poster, not a coupon
	KindWeChatPay  Kind = "wechat_pay"  // a WeChat Pay payment code (18 digits starting 10–15)
	KindAlipay     Kind = "alipay"      // an Alipay payment code (16–24 digits starting 25–30)
	KindProduct    Kind = "product"     // a product barcode (EAN-13 / EAN-8 / UPC-A with a valid check digit)
	KindTooLong    Kind = "too_long"    // longer than any code or URL we accept
	KindBadChars   Kind = "bad_chars"   // control characters, CJK or IME garbage: wrong input method
	KindEmpty      Kind = "empty"       // nothing left after trimming
	KindUnknown    Kind = "unknown"     // none of the above
)

// Classification is the result of Classify. Code, EncryptCode and CardID are filled as the kind
// allows; an encrypt_code taken from a URL has been URL-decoded exactly once.
type Classification struct {
	Kind        Kind
	Text        string // the input, trimmed of surrounding whitespace and line endings
	Code        string
	EncryptCode string
	CardID      string
}

// Redeemable reports whether the text may be sent to WeChat as a coupon.
func (c Classification) Redeemable() bool {
	return c.Kind == KindCode || c.Kind == KindEncrypted || c.Kind == KindCardURL
}
