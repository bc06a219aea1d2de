package campaign

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"

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

// QRModulePx is the module size of a bare QR PNG: 10 px, so a 33-module code with its quiet zone
// is 410 px, sharp when placed at 35 mm in a 300 dpi layout.
const QRModulePx = 10

// EncodeQRPNG writes text as a bare QR code PNG (level QRLevel, a QuietZone-module white margin,
// modulePx pixels per module, QRModulePx when 0), for managers who lay out their own artwork.
func EncodeQRPNG(w io.Writer, text string, modulePx int) error {
	m, err := EncodeQR(text)
	if err != nil {
		return err
	}
	if modulePx <= 0 {
		modulePx = QRModulePx
	}
	n := (m.Size() + 2*QuietZone) * modulePx
	img := image.NewGray(image.Rect(0, 0, n, n))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y, row := range m.Modules {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := 0; dy < modulePx; dy++ {
				off := img.PixOffset((x+QuietZone)*modulePx, (y+QuietZone)*modulePx+dy)
				clear(img.Pix[off : off+modulePx])
			}
		}
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("campaign: write qr png: %w", err)
	}
	return nil
}

// WriteQRPNG writes url as a bare QR code PNG to path (`cardpos qrcode -o code.png`). The file
// appears complete or not at all: it is written beside path and renamed into place.
func (s *Service) WriteQRPNG(url, path string) error {
	var buf bytes.Buffer
	if err := EncodeQRPNG(&buf, url, QRModulePx); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cardpos-qr-*.png")
	if err != nil {
		return fmt.Errorf("campaign: write %s: %w", path, err)
	}
	_, werr := tmp.Write(buf.Bytes())
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("campaign: write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("campaign: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("campaign: write %s: %w", path, err)
	}
	return nil
}
