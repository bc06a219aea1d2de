package campaign

import (
	"image"
	"image/color"
	"testing"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/scanner"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
)

// twoMetreDPI is how finely a phone sees a poster two metres away: WeChat's scanner works on a
// 1920-pixel-wide preview with about 65° of horizontal view, which at 2 m spans 2.55 m, so
// 0.75 px per mm, or 19 dpi.
const twoMetreDPI = 19

// boxDown shrinks img by an integer factor, averaging each block like a camera's sensor does.
func boxDown(img *image.RGBA, k int) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx()/k, b.Dy()/k))
	for y := 0; y < out.Rect.Dy(); y++ {
		for x := 0; x < out.Rect.Dx(); x++ {
			var sum int
			for dy := 0; dy < k; dy++ {
				for dx := 0; dx < k; dx++ {
					sum += int(color.GrayModel.Convert(img.At(x*k+dx, y*k+dy)).(color.Gray).Y)
				}
			}
			out.SetGray(x, y, color.Gray{Y: uint8(sum / (k * k))})
		}
	}
	return out
}

// posterAt renders an A4 poster whose code uses level lv, seen at dpi (rendered at 8×dpi and
// averaged down).
func posterAt(t testing.TB, f *Font, lv qrcode.RecoveryLevel, dpi float64) *image.Gray {
	const url = "http://weixin.qq.com/q/02BHWya_zlfioH6fXeL16oAbCd" // 48 bytes, a typical length
	c, err := ContentFor(storage.Campaign{URL: url, Scene: "door", CardIDs: []string{"p"}},
		[]*wxapi.Card{demoCards()["pCASH"]}, i18n.Default(), i18n.ZH, beijing)
	if err != nil {
		t.Fatal(err)
	}
	q, err := qrcode.New(url, lv)
	if err != nil {
		t.Fatal(err)
	}
	q.DisableBorder = true
	c.QR = Matrix{Modules: q.Bitmap()}
	p, err := Layout(SizeA4, c, f)
	if err != nil {
		t.Fatal(err)
	}
	img, err := RenderImage(p, f, 8*dpi)
	if err != nil {
		t.Fatal(err)
	}
	return camera(boxDown(img, 8))
}

// camera adds what a phone adds to the sampled image: lens blur (a 3×3 box, about one pixel) and
// sensor noise (±24 grey levels, from a fixed seed so the test is repeatable).
func camera(g *image.Gray) *image.Gray {
	b := g.Bounds()
	out := image.NewGray(b)
	seed := uint32(1)
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			sum, n := 0, 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if xx, yy := x+dx, y+dy; xx >= 0 && yy >= 0 && xx < b.Dx() && yy < b.Dy() {
						sum += int(g.GrayAt(xx, yy).Y)
						n++
					}
				}
			}
			seed = seed*1664525 + 1013904223
			v := sum/n + int(seed>>24)%49 - 24
			out.SetGray(x, y, color.Gray{Y: uint8(max(0, min(255, v)))})
		}
	}
	return out
}

// TestA4ScansFromTwoMetres checks the choice of QRLevel: the A4 poster's code decodes at the
// resolution a phone has at two metres, and it needs a coarser view than level H would.
func TestA4ScansFromTwoMetres(t *testing.T) {
	f, err := DefaultFont()
	if err != nil {
		t.Fatal(err)
	}
	minDPI := func(lv qrcode.RecoveryLevel) float64 {
		for dpi := 12.0; dpi <= 30; dpi += 0.5 {
			if _, err := scanner.NewDecoder(scanner.DecoderOptions{}).Decode(posterAt(t, f, lv, dpi)); err == nil {
				return dpi
			}
		}
		return 99
	}
	m, h := minDPI(qrcode.Medium), minDPI(qrcode.High)
	t.Logf("A4 poster: smallest view that decodes: level M %.1f dpi, level H %.1f dpi (2 m ≈ %d dpi)", m, h, twoMetreDPI)
	if m > twoMetreDPI {
		t.Errorf("level M needs %.1f dpi, more than the %d dpi a phone has at 2 m", m, twoMetreDPI)
	}
	if m > h {
		t.Errorf("level M needs %.1f dpi, level H %.1f: the choice of M is not paying off", m, h)
	}
}
