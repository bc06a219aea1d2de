package scanner

import (
	"image"
	"math"
	"math/rand/v2"
	"testing"
)

// phoneShot renders text as a QR on a phone screen seen by a webcam: tilted by angle degrees,
// module contrast reduced, box-blurred blur times, with sensor noise, centred at (cx, cy) in a
// w×h frame, size px wide; dark inverts it (dark-mode screens), mirror flips it (selfie cams).
func phoneShot(t testing.TB, text string, w, h, cx, cy, px int, angle float64, blur int, dark, mirror bool) *image.YCbCr {
	return phoneShotOf(qrImage(t, text, px), w, h, cx, cy, px, angle, blur, dark, mirror)
}

// phoneShotOf is phoneShot for any code image q.
func phoneShotOf(q image.Image, w, h, cx, cy, px int, angle float64, blur int, dark, mirror bool) *image.YCbCr {
	b := q.Bounds()
	g := image.NewGray(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(7, uint64(px)))
	cos, sin := math.Cos(angle*math.Pi/180), math.Sin(angle*math.Pi/180)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// background: a desk with a soft gradient
			v := 90 + 40*float64(x)/float64(w)
			dx, dy := float64(x-cx), float64(y-cy)
			sx := cos*dx + sin*dy + float64(b.Dx())/2
			sy := -sin*dx + cos*dy + float64(b.Dy())/2
			if mirror {
				sx = float64(b.Dx()) - sx
			}
			bezel := float64(px) * 0.12
			if sx >= -bezel && sy >= -bezel && sx < float64(b.Dx())+bezel && sy < float64(b.Dy())+bezel {
				v = 25 // phone bezel
				if sx >= 0 && sy >= 0 && sx < float64(b.Dx()) && sy < float64(b.Dy()) {
					r, _, _, _ := q.At(b.Min.X+int(sx), b.Min.Y+int(sy)).RGBA()
					on := r < 0x8000
					if dark {
						on = !on
					}
					if on {
						v = 70 // dark module on a bright screen
					} else {
						v = 205
					}
				}
			}
			g.Pix[y*g.Stride+x] = byte(v)
		}
	}
	for i := 0; i < blur; i++ {
		var d Decoder
		p := plane{pix: g.Pix, w: w, h: h, stride: g.Stride}
		box := boxBlur(p, d)
		copy(g.Pix, box)
	}
	for i := range g.Pix {
		g.Pix[i] = byte(min(max(int(g.Pix[i])+rng.IntN(31)-15, 0), 255))
	}
	return toYCbCr(g, w, h)
}

func boxBlur(p plane, _ Decoder) []byte {
	out := make([]byte, p.w*p.h)
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			s, n := 0, 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					xx, yy := x+dx, y+dy
					if xx >= 0 && yy >= 0 && xx < p.w && yy < p.h {
						s += int(p.pix[yy*p.stride+xx])
						n++
					}
				}
			}
			out[y*p.w+x] = byte(s / n)
		}
	}
	return out
}

// TestDecodePhoneScreens: card URLs on phone screens at arm's length, as a 1280×720 webcam sees
// them, read by the budgeted camera decoder within a second of frames.
func TestDecodePhoneScreens(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 720p frames")
	}
	const card = "https://shop.example.com/use?encrypt_code=" + docEncrypt + "&card_id=pFS7Fjg8kV1IdDz01r4SQwMkuCKc"
	tests := []struct {
		name   string
		px     int
		angle  float64
		blur   int
		dark   bool
		mirror bool
	}{
		{"upright sharp", 260, 0, 0, false, false},
		{"tilted 12 degrees", 260, 12, 0, false, false},
		{"tilted 40 degrees", 280, 40, 0, false, false},
		{"out of focus", 300, 5, 2, false, false},
		{"dark mode", 260, 8, 1, true, false},
		{"mirrored selfie camera", 260, -6, 1, false, true},
		{"small, far away", 190, 3, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frame := phoneShot(t, card, 1280, 720, 700, 380, tt.px, tt.angle, tt.blur, tt.dark, tt.mirror)
			d := NewDecoder(DecoderOptions{Budget: FrameBudgetFor(1280, 720)})
			// 30 frames, one second: more than there are optional passes, and every frame runs
			// at least one, so the outcome does not depend on how busy the machine is.
			for i := 1; i <= 30; i++ {
				r, err := d.Decode(frame)
				if err == nil {
					if r.Text != card {
						t.Fatalf("misread %q", r.Text)
					}
					t.Logf("read in frame %d", i)
					return
				}
			}
			t.Errorf("not read in 30 budgeted frames")
		})
	}
}

// TestDecodePhoneScreenBarcodes: Code 128 card codes on a phone screen, as a webcam sees them.
func TestDecodePhoneScreenBarcodes(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 720p frames")
	}
	bar := code128Image(t, "751234212312", 360, 110)
	tests := []struct {
		name  string
		angle float64
		blur  int
		dark  bool
	}{
		{"level", 0, 0, false},
		{"tilted 15 degrees", 15, 0, false},
		{"tilted 45 degrees", 45, 0, false},
		{"vertical", 90, 0, false},
		{"upside down, soft focus", 180, 1, false},
		{"dark mode", 5, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frame := phoneShotOf(bar, 1280, 720, 640, 360, 400, tt.angle, tt.blur, tt.dark, false)
			d := NewDecoder(DecoderOptions{Budget: FrameBudgetFor(1280, 720)})
			// A cashier holds the phone up for a second: 30 frames.
			for i := 1; i <= 30; i++ {
				if r, err := d.Decode(frame); err == nil {
					if r.Text != "751234212312" || r.Format != FormatCode128 {
						t.Fatalf("misread %q %s", r.Text, r.Format)
					}
					t.Logf("read in frame %d", i)
					return
				}
			}
			t.Errorf("not read in 30 budgeted frames")
		})
	}
}

// TestDecodeAnyAngle: a Code 128 with 3-pixel modules and a card QR, turned 0° to 90° in 5° steps
// in a 1280×720 frame, all read by DecodeFile's decoder (every pass).
func TestDecodeAnyAngle(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 38 frames of 720p")
	}
	const card = "https://shop.example.com/use?encrypt_code=" + docEncrypt
	codes := []struct {
		img    image.Image
		px     int
		text   string
		format string
	}{
		{code128Image(t, "751234212312", 360, 110), 400, "751234212312", FormatCode128},
		{qrImage(t, card, 260), 260, card, FormatQRCode},
	}
	for _, c := range codes {
		var failed []float64
		for a := 0.0; a <= 90; a += 5 {
			r, err := NewDecoder(DecoderOptions{}).Decode(phoneShotOf(c.img, 1280, 720, 640, 360, c.px, a, 0, false, false))
			switch {
			case err != nil:
				failed = append(failed, a)
			case r.Text != c.text || r.Format != c.format:
				t.Errorf("%s at %v°: misread %q %s", c.format, a, r.Text, r.Format)
			}
		}
		if len(failed) > 0 {
			t.Errorf("%s not read at %v degrees", c.format, failed)
		}
	}
}
