package wxapi

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// sortedSHA1 is sha1 hex of the sorted, concatenated parts: the shape of every WeChat signature.
func sortedSHA1(parts ...string) string {
	sort.Strings(parts)
	h := sha1.New()
	for _, p := range parts {
		io.WriteString(h, p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ServerSignature is the signature WeChat puts on a request to the server URL:
// sha1(join(sort([token, timestamp, nonce]))) in hex.
func ServerSignature(token, timestamp, nonce string) string {
	return sortedSHA1(token, timestamp, nonce)
}

// CheckServerSignature reports whether signature is WeChat's for token, timestamp and nonce,
// comparing in constant time. On success the server echoes echostr.
func CheckServerSignature(token, timestamp, nonce, signature string) bool {
	want := ServerSignature(token, timestamp, nonce)
	return subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(signature))) == 1
}

// CardExtSignature is the card_ext signature of wx.addCard: the values api_ticket, timestamp,
// card_id, code, openid and nonce_str sorted as strings, concatenated, sha1 hex. code and openID
// are "" when the card has none.
func CardExtSignature(apiTicket, timestamp, cardID, code, openID, nonceStr string) string {
	return sortedSHA1(apiTicket, timestamp, cardID, code, openID, nonceStr)
}

// MsgSignature is the msg_signature of a safe-mode message: sha1(join(sort([token, timestamp,
// nonce, encrypt]))) in hex.
func MsgSignature(token, timestamp, nonce, encrypt string) string {
	return sortedSHA1(token, timestamp, nonce, encrypt)
}

// ErrMsgCrypt marks a safe-mode message that cannot be opened: bad signature, bad padding, wrong
// appid, damaged ciphertext.
var ErrMsgCrypt = errors.New("wxapi: message crypto")

// msgBlock is the PKCS#7 block size WeChat uses (32 bytes, not AES's 16).
const msgBlock = 32

// MsgCrypt seals and opens safe-mode event messages (AES-256-CBC, key from the EncodingAESKey,
// IV = key[:16], plaintext = 16 random bytes ‖ uint32 big-endian length ‖ message ‖ appid,
// PKCS#7 padding to 32 bytes). It is safe for concurrent use.
type MsgCrypt struct {
	token string
	appID string
	block cipher.Block
	iv    []byte
	rand  io.Reader
}

// NewMsgCrypt makes a MsgCrypt from the server token, the 43-character EncodingAESKey and the appid.
func NewMsgCrypt(token, encodingAESKey, appID string) (*MsgCrypt, error) {
	if len(encodingAESKey) != 43 {
		return nil, fmt.Errorf("%w: EncodingAESKey must be 43 characters, got %d", ErrMsgCrypt, len(encodingAESKey))
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("%w: EncodingAESKey is not base64 of 32 bytes", ErrMsgCrypt)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMsgCrypt, err)
	}
	return &MsgCrypt{token: token, appID: appID, block: block, iv: key[:16], rand: rand.Reader}, nil
}

// Encrypt seals msg and returns the base64 ciphertext (the Encrypt field).
func (m *MsgCrypt) Encrypt(msg []byte) (string, error) {
	var random [16]byte
	if _, err := io.ReadFull(m.rand, random[:]); err != nil {
		return "", fmt.Errorf("%w: random: %v", ErrMsgCrypt, err)
	}
	return m.encryptWith(random[:], msg), nil
}

func (m *MsgCrypt) encryptWith(random, msg []byte) string {
	plain := make([]byte, 0, 20+len(msg)+len(m.appID)+msgBlock)
	plain = append(plain, random...)
	plain = binary.BigEndian.AppendUint32(plain, uint32(len(msg)))
	plain = append(plain, msg...)
	plain = append(plain, m.appID...)
	pad := msgBlock - len(plain)%msgBlock
	plain = append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...)
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(m.block, m.iv).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(out)
}

// Decrypt opens a base64 ciphertext and returns the message, checking the padding and that the
// appid inside is this MsgCrypt's.
func (m *MsgCrypt) Decrypt(encrypt string) ([]byte, error) {
	data, err := base64.StdEncoding.DecodeString(encrypt)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64: %v", ErrMsgCrypt, err)
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: ciphertext of %d bytes", ErrMsgCrypt, len(data))
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(m.block, m.iv).CryptBlocks(plain, data)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > msgBlock || pad > len(plain) {
		return nil, fmt.Errorf("%w: bad padding", ErrMsgCrypt)
	}
	for _, b := range plain[len(plain)-pad:] {
		if int(b) != pad {
			return nil, fmt.Errorf("%w: bad padding", ErrMsgCrypt)
		}
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, fmt.Errorf("%w: plaintext too short", ErrMsgCrypt)
	}
	n := binary.BigEndian.Uint32(plain[16:20])
	if uint64(n) > uint64(len(plain)-20) {
		return nil, fmt.Errorf("%w: bad length", ErrMsgCrypt)
	}
	msg, appID := plain[20:20+n], plain[20+n:]
	if string(appID) != m.appID {
		return nil, fmt.Errorf("%w: message is for another appid", ErrMsgCrypt)
	}
	return msg, nil
}

// EncryptMessage seals msg for sending and signs it: it returns the Encrypt field and its
// msg_signature for timestamp and nonce.
func (m *MsgCrypt) EncryptMessage(msg []byte, timestamp, nonce string) (encrypt, msgSignature string, err error) {
	encrypt, err = m.Encrypt(msg)
	if err != nil {
		return "", "", err
	}
	return encrypt, MsgSignature(m.token, timestamp, nonce, encrypt), nil
}

// DecryptMessage checks msgSignature (in constant time) and opens encrypt.
func (m *MsgCrypt) DecryptMessage(msgSignature, timestamp, nonce, encrypt string) ([]byte, error) {
	want := MsgSignature(m.token, timestamp, nonce, encrypt)
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(msgSignature))) != 1 {
		return nil, fmt.Errorf("%w: msg_signature mismatch", ErrMsgCrypt)
	}
	return m.Decrypt(encrypt)
}
