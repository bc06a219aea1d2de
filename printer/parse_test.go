package printer

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// parsed is what a printer would do with a job: the text lines (GBK decoded), the QR payloads it
// was asked to store, the raster images, and whether it was initialised and cut.
type parsed struct {
	lines  []string
	qr     []string
	qrOpts []QROptions
	images []*image.Gray
	init   bool
	cut    bool
}

// parseJob walks an ESC/POS job command by command; an unknown command is an error, so a job
// with a wrong length byte fails loudly.
func parseJob(t *testing.T, job []byte) parsed {
	t.Helper()
	var p parsed
	var text []byte
	var opt QROptions
	flush := func() {
		s, err := simplifiedchinese.GBK.NewDecoder().Bytes(text)
		if err != nil {
			t.Fatalf("text is not GBK: %v (% x)", err, text)
		}
		p.lines = append(p.lines, string(s))
		text = text[:0]
	}
	need := func(i, n int) {
		if i+n > len(job) {
			t.Fatalf("command at %d truncated: need %d bytes, have %d", i, n, len(job)-i)
		}
	}
	for i := 0; i < len(job); {
		b := job[i]
		switch {
		case b == lf:
			flush()
			i++
		case b == esc:
			need(i, 2)
			switch job[i+1] {
			case '@':
				p.init = true
				i += 2
			case 'a', 'E', 'd':
				need(i, 3)
				i += 3
			default:
				t.Fatalf("unknown ESC %#x at %d", job[i+1], i)
			}
		case b == gs:
			need(i, 2)
			switch job[i+1] {
			case '!':
				i += 3
			case 'V':
				need(i, 4)
				p.cut = true
				i += 4
			case '(':
				need(i, 5)
				if job[i+2] != 'k' {
					t.Fatalf("GS ( %c at %d", job[i+2], i)
				}
				n := int(job[i+3]) | int(job[i+4])<<8
				need(i, 5+n)
				body := job[i+5 : i+5+n]
				switch string(body[:2]) {
				case "1A":
					opt.Model = int(body[2] - '0')
				case "1C":
					opt.Size = int(body[2])
				case "1E":
					opt.Level = QRLevel(body[2] - '0')
				case "1P":
					p.qr = append(p.qr, string(body[3:]))
					p.qrOpts = append(p.qrOpts, opt)
				case "1Q":
				default:
					t.Fatalf("unknown GS ( k function %q at %d", body[:2], i)
				}
				i += 5 + n
			case 'v':
				need(i, 8)
				wb := int(job[i+4]) | int(job[i+5])<<8
				h := int(job[i+6]) | int(job[i+7])<<8
				need(i, 8+wb*h)
				img := image.NewGray(image.Rect(0, 0, wb*8, h))
				for y := 0; y < h; y++ {
					for x := 0; x < wb*8; x++ {
						c := color.Gray{Y: 0xff}
						if job[i+8+y*wb+x/8]&(0x80>>(x%8)) != 0 {
							c = color.Gray{}
						}
						img.SetGray(x, y, c)
					}
				}
				p.images = append(p.images, img)
				i += 8 + wb*h
			default:
				t.Fatalf("unknown GS %#x at %d", job[i+1], i)
			}
		case b < 0x20:
			t.Fatalf("stray control byte %#x at %d", b, i)
		default:
			text = append(text, b)
			i++
		}
	}
	if len(text) > 0 {
		flush()
	}
	return p
}

// stack joins raster bands vertically into one image.
func stack(imgs []*image.Gray) *image.Gray {
	w, h := 0, 0
	for _, im := range imgs {
		w = max(w, im.Bounds().Dx())
		h += im.Bounds().Dy()
	}
	out := image.NewGray(image.Rect(0, 0, w+64, h+64)) // a white margin for the decoder
	for i := range out.Pix {
		out.Pix[i] = 0xff
	}
	y := 32
	for _, im := range imgs {
		for yy := 0; yy < im.Bounds().Dy(); yy++ {
			copy(out.Pix[(y+yy)*out.Stride+32:], im.Pix[yy*im.Stride:yy*im.Stride+im.Bounds().Dx()])
		}
		y += im.Bounds().Dy()
	}
	return out
}

func hexBytes(s string) []byte {
	var out []byte
	for _, f := range bytes.Fields([]byte(s)) {
		var b byte
		fmt.Sscanf(string(f), "%02X", &b)
		out = append(out, b)
	}
	return out
}

// checker is a w×h image with dark pixels where x+y is even.
func checker(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if (x+y)%2 != 0 {
				img.SetGray(x, y, color.Gray{Y: 0xff})
			}
		}
	}
	return img
}
