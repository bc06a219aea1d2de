package wxapi

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestServerSignatureVector(t *testing.T) {
	const want = "2066e920f171fa8015b45e177bb11695ef28558a"
	if got := ServerSignature("pos-test-token", "1700000000", "123456789"); got != want {
		t.Fatalf("ServerSignature = %s, want %s", got, want)
	}
	if !CheckServerSignature("pos-test-token", "1700000000", "123456789", strings.ToUpper(want)) {
		t.Error("CheckServerSignature refused the right signature")
	}
	if CheckServerSignature("pos-test-token", "1700000001", "123456789", want) {
		t.Error("CheckServerSignature accepted a signature for another timestamp")
	}
}

func TestCardExtSignatureVectors(t *testing.T) {
	const ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
	tests := []struct {
		code, openID, want string
	}{
		{"", "", "22dce6bad4db532d4a2ef82ca2ca7bbe1e10ef28"},
		{"random_code", "", "2e9c6d12952246e071717d7baeab20c30420b5cd"},
		{"random_code", "random_openid", "950dc1842852457ea573d4d6af34879c1ec093c8"},
	}
	for _, tt := range tests {
		if got := CardExtSignature(ticket, "1414587457", "random_card_id", tt.code, tt.openID, "Wm3WZYTPz0wzccnW"); got != tt.want {
			t.Errorf("CardExtSignature(code %q, openid %q) = %s, want %s", tt.code, tt.openID, got, tt.want)
		}
	}
}

// The ciphertext below was made outside Go with
// `openssl enc -aes-256-cbc -nopad -K <key hex> -iv <key[:16] hex>` over the plaintext
// "0123456789abcdef" ‖ uint32(len) ‖ msg ‖ appid padded with PKCS#7 to 32 bytes (pad 9).
const (
	vecAESKey = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
	vecAppID  = "wx49f0ab532d5d035a"
	vecMsg    = "<xml><ToUserName><![CDATA[gh_cardpos]]></ToUserName><Content><![CDATA[核销 user_consume_card]]></Content></xml>"
	vecCipher = "pxDvIKtJjb6ivztGO70jSq33So5PxyZQLnUSCNV83g0VrF5Vt2hGPrWDuyyXE69scpdMDLtUM6IG7g6MQLMAszTzs8U6aZsLm1o/3H1RCQ7Qf+ynbaXzLpN0kk7CDzTvzuH27de1CO1b3Ke86dggHuo6Tvt4ADZKDzlyu5dZNcjA9D43T3MtAtHT+o1pgVxUtVc8INcnCq2LV7DIXfAHUw=="
)

func TestMsgCryptVector(t *testing.T) {
	m, err := NewMsgCrypt("pos-test-token", vecAESKey, vecAppID)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.encryptWith([]byte("0123456789abcdef"), []byte(vecMsg)); got != vecCipher {
		t.Fatalf("encrypt =\n%s\nwant\n%s", got, vecCipher)
	}
	got, err := m.Decrypt(vecCipher)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != vecMsg {
		t.Fatalf("decrypt = %q, want %q", got, vecMsg)
	}
}

func TestMsgCryptRoundTripAndRefusals(t *testing.T) {
	m, err := NewMsgCrypt("pos-test-token", vecAESKey, vecAppID)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, 11, 12, 43, 44, 1000} {
		msg := bytes.Repeat([]byte("卡"), n)
		enc, sig, err := m.EncryptMessage(msg, "1700000000", "nonce")
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.DecryptMessage(sig, "1700000000", "nonce", enc)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("len %d: round trip = %q, %v", n, got, err)
		}
		if _, err := m.DecryptMessage(sig, "1700000001", "nonce", enc); !errors.Is(err, ErrMsgCrypt) {
			t.Errorf("len %d: wrong timestamp: err = %v, want ErrMsgCrypt", n, err)
		}
	}
	other, _ := NewMsgCrypt("pos-test-token", vecAESKey, "wxother")
	if _, err := other.Decrypt(vecCipher); !errors.Is(err, ErrMsgCrypt) {
		t.Errorf("other appid: err = %v, want ErrMsgCrypt", err)
	}
	if _, err := m.Decrypt("!!!"); !errors.Is(err, ErrMsgCrypt) {
		t.Errorf("not base64: err = %v", err)
	}
	if _, err := NewMsgCrypt("t", "short", vecAppID); !errors.Is(err, ErrMsgCrypt) {
		t.Errorf("short key: err = %v", err)
	}
}
