// Package printer drives receipt printers and the OS print queue. It has its own small ESC/POS
// encoder (init, GBK text, alignment, size, bold, QR codes through GS ( k with a GS v 0 raster
// fallback, feed, cut), transports for raw TCP 9100, device files such as /dev/usb/lp0 and plain
// files, the redemption and campaign slips, and printing PDFs with lp. It imports no Fyne.
package printer

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Errors callers branch on.
var (
	ErrQRTooLong    = errors.New("printer: qr payload longer than 7089 bytes")
	ErrBadQROption  = errors.New("printer: qr size must be 1–16")
	ErrImageTooWide = errors.New("printer: image wider than the paper")
	ErrEmptyImage   = errors.New("printer: empty image")
)

// Command bytes.
const (
	esc = 0x1b
	gs  = 0x1d
	lf  = 0x0a
)

// Align is ESC a's justification.
type Align byte

// Justifications.
const (
	Left   Align = 0
	Center Align = 1
	Right  Align = 2
)

// QRLevel is the GS ( k error-correction level.
type QRLevel byte

// Error-correction levels; the zero value is L, the printer's own default.
const (
	QRLevelL QRLevel = iota
	QRLevelM
	QRLevelQ
	QRLevelH
)

// QROptions are the GS ( k settings. Zero values mean model 2, module size 3 dots, level L.
type QROptions struct {
	Model int // 1 or 2
	Size  int // module size in dots, 1–16
	Level QRLevel
}

// Doc builds one ESC/POS job. Methods append commands and return the Doc so they chain; the first
// error is kept and returned by Bytes. A Doc is not safe for concurrent use.
type Doc struct {
	buf bytes.Buffer
	err error
}

// NewDoc starts a job with ESC @ (initialise: clears modes left by the previous job).
func NewDoc() *Doc {
	d := &Doc{}
	d.buf.Write([]byte{esc, '@'})
	return d
}

// Bytes returns the job, or the first error met while building it.
func (d *Doc) Bytes() ([]byte, error) {
	if d.err != nil {
		return nil, d.err
	}
	return bytes.Clone(d.buf.Bytes()), nil
}

func (d *Doc) fail(err error) *Doc {
	if d.err == nil {
		d.err = err
	}
	return d
}

// Align sets the justification of the following lines (ESC a n).
func (d *Doc) Align(a Align) *Doc {
	d.buf.Write([]byte{esc, 'a', byte(a)})
	return d
}

// Size sets character width and height multipliers, 1–8 each (GS ! n).
func (d *Doc) Size(w, h int) *Doc {
	w, h = clamp(w, 1, 8), clamp(h, 1, 8)
	d.buf.Write([]byte{gs, '!', byte((w-1)<<4 | (h - 1))})
	return d
}

// Bold turns emphasis on or off (ESC E n).
func (d *Doc) Bold(on bool) *Doc {
	var n byte
	if on {
		n = 1
	}
	d.buf.Write([]byte{esc, 'E', n})
	return d
}

// Text writes s in GBK, the code page of Chinese receipt printers. A character GBK lacks
// (an emoji, say) prints as '?'. Control characters other than LF are dropped so that text can
// never inject a command.
func (d *Doc) Text(s string) *Doc {
	d.buf.Write(GBK(s))
	return d
}

// Line writes s and a line feed.
func (d *Doc) Line(s string) *Doc {
	return d.Text(s).LF()
}

// LF feeds one line.
func (d *Doc) LF() *Doc {
	d.buf.WriteByte(lf)
	return d
}

// Feed prints and feeds n lines (ESC d n).
func (d *Doc) Feed(n int) *Doc {
	d.buf.Write([]byte{esc, 'd', byte(clamp(n, 0, 255))})
	return d
}

// Cut feeds to the cutter and makes a partial cut (GS V 66 0).
func (d *Doc) Cut() *Doc {
	d.buf.Write([]byte{gs, 'V', 66, 0})
	return d
}

// QR prints data as a QR code with the printer's own generator (GS ( k: model, module size,
// error level, store, print).
func (d *Doc) QR(data string, o QROptions) *Doc {
	model, size := o.Model, o.Size
	if model == 0 {
		model = 2
	}
	if size == 0 {
		size = 3
	}
	if size < 1 || size > 16 || (model != 1 && model != 2) || o.Level > QRLevelH {
		return d.fail(ErrBadQROption)
	}
	if len(data) > 7089 {
		return d.fail(ErrQRTooLong)
	}
	n := len(data) + 3
	d.buf.Write([]byte{gs, '(', 'k', 4, 0, '1', 'A', byte('0' + model), 0})
	d.buf.Write([]byte{gs, '(', 'k', 3, 0, '1', 'C', byte(size)})
	d.buf.Write([]byte{gs, '(', 'k', 3, 0, '1', 'E', byte('0' + o.Level)})
	d.buf.Write([]byte{gs, '(', 'k', byte(n), byte(n >> 8), '1', 'P', '0'})
	d.buf.WriteString(data)
	d.buf.Write([]byte{gs, '(', 'k', 3, 0, '1', 'Q', '0'})
	return d
}

// QRImage prints data as a QR code drawn here and sent as a raster image, for printers without
// GS ( k. dots is the module size in printer dots; the quiet zone is four modules.
func (d *Doc) QRImage(data string, dots int, level QRLevel, paperDots int) *Doc {
	lv := []qrcode.RecoveryLevel{qrcode.Low, qrcode.Medium, qrcode.High, qrcode.Highest}[min(int(level), 3)]
	q, err := qrcode.New(data, lv)
	if err != nil {
		return d.fail(fmt.Errorf("printer: qr: %w", err))
	}
	bm := q.Bitmap() // includes the four-module quiet zone
	dots = max(dots, 1)
	for dots > 1 && len(bm)*dots > paperDots {
		dots--
	}
	img := image.NewGray(image.Rect(0, 0, len(bm)*dots, len(bm)*dots))
	for y, row := range bm {
		for x, dark := range row {
			c := color.Gray{Y: 0xff}
			if dark {
				c = color.Gray{}
			}
			for dy := 0; dy < dots; dy++ {
				for dx := 0; dx < dots; dx++ {
					img.SetGray(x*dots+dx, y*dots+dy, c)
				}
			}
		}
	}
	return d.Image(img, paperDots)
}

// Image prints img as 1-bit raster (GS v 0), dark where luminance is below half, in bands of at
// most 256 rows so printers with small buffers keep up. paperDots limits the width (0: no limit).
func (d *Doc) Image(img image.Image, paperDots int) *Doc {
	b := img.Bounds()
	if b.Empty() {
		return d.fail(ErrEmptyImage)
	}
	if paperDots > 0 && b.Dx() > paperDots {
		return d.fail(fmt.Errorf("%w: %d > %d dots", ErrImageTooWide, b.Dx(), paperDots))
	}
	wb := (b.Dx() + 7) / 8
	for y0 := b.Min.Y; y0 < b.Max.Y; y0 += 256 {
		h := min(256, b.Max.Y-y0)
		d.buf.Write([]byte{gs, 'v', '0', 0, byte(wb), byte(wb >> 8), byte(h), byte(h >> 8)})
		row := make([]byte, wb)
		for y := y0; y < y0+h; y++ {
			clear(row)
			for x := b.Min.X; x < b.Max.X; x++ {
				if color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y < 0x80 {
					i := x - b.Min.X
					row[i/8] |= 0x80 >> (i % 8)
				}
			}
			d.buf.Write(row)
		}
	}
	return d
}

// GBK encodes s for the printer: GBK bytes, '?' for characters GBK lacks, control characters
// other than LF removed.
func GBK(s string) []byte {
	enc := simplifiedchinese.GBK.NewEncoder()
	out := make([]byte, 0, len(s)*2)
	var one [utf8.UTFMax]byte
	for _, r := range s {
		switch {
		case r == '\n':
			out = append(out, lf)
			continue
		case r < 0x20 || r == 0x7f:
			continue
		case r < 0x80:
			out = append(out, byte(r))
			continue
		}
		n := utf8.EncodeRune(one[:], r)
		b, err := enc.Bytes(one[:n])
		if err != nil || len(b) == 0 {
			out = append(out, '?')
			continue
		}
		out = append(out, b...)
	}
	return out
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }
