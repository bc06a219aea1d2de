package campaign

import (
	"fmt"

	qrcode "github.com/skip2/go-qrcode"
)

// QRLevel is the error-correction level of printed dispatch codes: M (15 % recovery).
//
// Why M and not H: a poster is read from up to two metres, where what limits a phone is the size of
// one module, not damage. A WeChat dispatch url (about 30–45 bytes) fits version 3–4 at M
// (29–33 modules) but needs version 5–6 at H (37–41 modules); at the same printed width M gives
// modules about 25 % larger, which is what makes the code scan first time from across a room.
// 15 % still covers a scuffed corner, a glare spot on a laminated tent or a thumb on a sticker.
const QRLevel = qrcode.Medium

// QuietZone is the white margin kept around every printed code, in modules. ISO/IEC 18004 asks for
// four; we keep four and always draw them on white, because the poster's coloured band must never
// touch the finder patterns (a coloured quiet zone is the most common reason a printed code fails).
const QuietZone = 4

// Matrix is a QR symbol without quiet zone: Modules[y][x] is true for a dark module.
type Matrix struct {
	Modules [][]bool
}

// Size is the number of modules on one side.
func (m Matrix) Size() int { return len(m.Modules) }

// EncodeQR encodes text locally with go-qrcode at QRLevel.
func EncodeQR(text string) (Matrix, error) {
	if text == "" {
		return Matrix{}, fmt.Errorf("campaign: encode qr: %w", ErrEmptyURL)
	}
	q, err := qrcode.New(text, QRLevel)
	if err != nil {
		return Matrix{}, fmt.Errorf("campaign: encode qr: %w", err)
	}
	q.DisableBorder = true
	return Matrix{Modules: q.Bitmap()}, nil
}
