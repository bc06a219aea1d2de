package scanner

import (
	"errors"
	"image"
	"image/color"
	"image/draw"
	"os"
	"path/filepath"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	qrcode "github.com/skip2/go-qrcode"
)

// qrImage renders text as a QR code of size px with a white quiet zone.
func qrImage(t testing.TB, text string, px int) image.Image {
	t.Helper()
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	return q.Image(px)
}

// code128Image renders text as a Code 128 barcode of w×h on a white margin.
func code128Image(t testing.TB, text string, w, h int) *image.Gray {
	t.Helper()
	m, err := oned.NewCode128Writer().Encode(text, gozxing.BarcodeFormat_CODE_128, w, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := image.NewGray(image.Rect(0, 0, w+40, h+40))
	draw.Draw(g, g.Rect, image.White, image.Point{}, draw.Src)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if m.Get(x, y) {
				g.SetGray(x+20, y+20, color.Gray{})
			}
		}
	}
	return g
}

func invert(src image.Image) *image.Gray {
	b := src.Bounds()
	g := image.NewGray(b)
	draw.Draw(g, b, src, b.Min, draw.Src)
	for i := range g.Pix {
		g.Pix[i] = 255 - g.Pix[i]
	}
	return g
}

// onCanvas places img at (x, y) on a grey w×h camera frame.
func onCanvas(img image.Image, w, h, x, y int) *image.YCbCr {
	g := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(g, g.Rect, image.NewUniform(color.Gray{Y: 140}), image.Point{}, draw.Src)
	draw.Draw(g, img.Bounds().Add(image.Pt(x, y)), img, img.Bounds().Min, draw.Src)
	return toYCbCr(g, w, h)
}

func TestDecode(t *testing.T) {
	const card = "https://shop.example.com/use?encrypt_code=" + docEncrypt + "&card_id=pFS7Fjg8kV1IdDz01r4SQwMkuCKc"
	big := image.NewRGBA(image.Rect(-50, -30, 450, 370)) // bounds not at the origin
	draw.Draw(big, big.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(big, image.Rect(50, 50, 306, 306), qrImage(t, "751234212312", 256), image.Point{}, draw.Src)

	tests := []struct {
		name       string
		img        image.Image
		wantText   string
		wantFormat string
		inside     image.Rectangle // every point must fall here; empty: not checked
	}{
		{"qr paletted", qrImage(t, card, 300), card, FormatQRCode, image.Rect(0, 0, 300, 300)},
		{"qr dark mode", invert(qrImage(t, "751234212312", 256)), "751234212312", FormatQRCode, image.Rectangle{}},
		{"qr in a camera frame", onCanvas(qrImage(t, "751234212312", 200), 640, 480, 380, 220), "751234212312", FormatQRCode, image.Rect(380, 220, 580, 420)},
		{"qr in rgba with offset bounds", big, "751234212312", FormatQRCode, image.Rect(50, 50, 306, 306)},
		{"code 128", code128Image(t, "751234212312", 300, 80), "751234212312", FormatCode128, image.Rect(0, 0, 340, 120)},
		{"code 128 vertical", rotateGray(code128Image(t, "198374613512", 300, 80), 1), "198374613512", FormatCode128, image.Rect(0, 0, 120, 340)},
		{"code 128 upside down", rotateGray(code128Image(t, "198374613512", 300, 80), 2), "198374613512", FormatCode128, image.Rect(0, 0, 340, 120)},
		{"code 128 dark mode", invert(code128Image(t, "AB12cd34", 260, 70)), "AB12cd34", FormatCode128, image.Rectangle{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewDecoder(DecoderOptions{}).Decode(tt.img)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if r.Text != tt.wantText || r.Format != tt.wantFormat {
				t.Errorf("got %q %s, want %q %s", r.Text, r.Format, tt.wantText, tt.wantFormat)
			}
			if len(r.Points) == 0 {
				t.Errorf("no points")
			}
			if !tt.inside.Empty() {
				for _, p := range r.Points {
					if !p.In(tt.inside.Inset(-4)) {
						t.Errorf("point %v outside %v", p, tt.inside)
					}
				}
			}
		})
	}
}

func TestDecodeNothing(t *testing.T) {
	for _, img := range []image.Image{
		image.NewGray(image.Rect(0, 0, 0, 0)),
		image.NewGray(image.Rect(0, 0, 10, 10)),
		toYCbCr(nil, 640, 480),
	} {
		if _, err := NewDecoder(DecoderOptions{}).Decode(img); !errors.Is(err, ErrNotFound) {
			t.Errorf("Decode(%v) = %v, want ErrNotFound", img.Bounds(), err)
		}
	}
}

func TestDecodeBudgetedFramesFindCodeAndUseROI(t *testing.T) {
	frame := onCanvas(qrImage(t, "751234212312", 180), 1280, 720, 900, 400)
	d := NewDecoder(DecoderOptions{Budget: FrameBudgetFor(1280, 720)})
	hits := 0
	for i := 0; i < 10; i++ {
		if r, err := d.Decode(frame); err == nil && r.Text == "751234212312" {
			hits++
		}
	}
	if hits < 9 {
		t.Errorf("%d of 10 budgeted frames read the code, want ≥ 9", hits)
	}
	if d.sinceHit != 0 || d.lastHit.Empty() {
		t.Errorf("no region of interest kept: sinceHit %d, lastHit %v", d.sinceHit, d.lastHit)
	}
}

func TestDecodeFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "code.png")
	if err := writePNG(p, qrImage(t, "751234212312", 200)); err != nil {
		t.Fatal(err)
	}
	if r, err := DecodeFile(p); err != nil || r.Text != "751234212312" {
		t.Errorf("DecodeFile = %q, %v", r.Text, err)
	}
	blank := filepath.Join(dir, "blank.png")
	if err := writePNG(blank, image.NewGray(image.Rect(0, 0, 100, 100))); err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeFile(blank); !errors.Is(err, ErrNotFound) {
		t.Errorf("blank: %v, want ErrNotFound", err)
	}
	if _, err := DecodeFile(filepath.Join(dir, "missing.png")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v, want os.ErrNotExist", err)
	}
}
