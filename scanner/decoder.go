package scanner

import (
	"errors"
	"fmt"
	"image"
	_ "image/gif" // DecodeFile reads GIF
	_ "image/jpeg"
	_ "image/png"
	"math"
	"os"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// ErrNotFound is returned by Decode when no QR code or Code 128 barcode was read in the image
// within the decoder's budget.
var ErrNotFound = errors.New("scanner: no barcode found")

// The formats a Result can have: WeChat cards show one or the other.
const (
	FormatQRCode  = "QR_CODE"
	FormatCode128 = "CODE_128"
)

// FrameBudgetFor is the decode time per camera frame of w×h the camera pipeline gives its
// decoder: 7 ms for 640×480, growing with the pixel count (21 ms for 1280×720) up to 24 ms, so
// a frame, with the pass that may cross the budget, stays within the 33 ms of a 30 fps camera.
func FrameBudgetFor(w, h int) time.Duration {
	b := time.Duration(float64(7*time.Millisecond) * float64(w*h) / (640 * 480))
	return min(max(b, 3*time.Millisecond), 24*time.Millisecond)
}

// Result is one barcode read from an image.
type Result struct {
	Text   string        // the decoded text, exactly as encoded (may contain CR/LF)
	Format string        // FormatQRCode or FormatCode128
	Points []image.Point // corner / finder points in the image's own coordinates
}

// DecoderOptions tunes a Decoder.
type DecoderOptions struct {
	// Budget bounds the time spent on one image. The first passes (region of interest around the
	// last hit, then the whole frame with the hybrid binarizer) always run; later passes run
	// while time is left. Zero means no limit: every pass runs (files, `cardpos decode`).
	Budget time.Duration
	// ROIFrames is how many Decode calls after a hit the region around it is tried first
	// (default 15, about half a second of camera frames).
	ROIFrames int
}

// Decoder reads QR codes and Code 128 barcodes with gozxing, in several passes: region of
// interest around the last hit, hybrid and global-histogram binarizers, inverted luminance for
// dark-mode screens, 90° and 45° rotations for 1-D codes, and downscaled or upscaled copies.
// With a budget, the optional passes that did not fit in one frame start the next frame's round,
// so a still code is eventually tried every way. A Decoder keeps its buffers between calls and
// is not safe for concurrent use: use one per goroutine.
type Decoder struct {
	opts  DecoderOptions
	qr    gozxing.Reader
	c128  gozxing.Reader
	hints map[gozxing.DecodeHintType]interface{} // TRY_HARDER
	fast  map[gozxing.DecodeHintType]interface{} // none: 1-D readers scan 15 rows

	gray       image.Gray      // conversion buffer for images that are neither Gray nor YCbCr
	bufs       [7][]byte       // scratch planes for crops, scales and rotations
	cost       []time.Duration // measured cost of each optional pass on frames of costPixels
	costPixels int
	lastHit    image.Rectangle
	sinceHit   int
	lastPass   int // optional pass that read the last hit, -1 for the first pass
	next       int // first optional pass of the next budgeted call
}

// NewDecoder returns a Decoder with opts.
func NewDecoder(opts DecoderOptions) *Decoder {
	if opts.ROIFrames <= 0 {
		opts.ROIFrames = 15
	}
	return &Decoder{
		opts:     opts,
		qr:       qrcode.NewQRCodeReader(),
		c128:     oned.NewCode128Reader(),
		hints:    map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true},
		fast:     map[gozxing.DecodeHintType]interface{}{},
		sinceHit: math.MaxInt32,
	}
}

// plane is a luminance view with a map back to the source image's coordinates.
type plane struct {
	pix    []byte
	w, h   int
	stride int
	xf     affine
	lazy   gozxing.LuminanceSource // when set, rows are computed on demand and pix is nil
}

// affine maps plane coordinates (x, y) to source coordinates (a*x+b*y+c, d*x+e*y+f).
type affine struct{ a, b, c, d, e, f float64 }

var identity = affine{a: 1, e: 1}

func (m affine) apply(x, y float64) (float64, float64) {
	return m.a*x + m.b*y + m.c, m.d*x + m.e*y + m.f
}

// then returns the map that applies n first, then m.
func (m affine) after(n affine) affine {
	return affine{
		a: m.a*n.a + m.b*n.d, b: m.a*n.b + m.b*n.e, c: m.a*n.c + m.b*n.f + m.c,
		d: m.d*n.a + m.e*n.d, e: m.d*n.b + m.e*n.e, f: m.d*n.c + m.e*n.f + m.f,
	}
}

type binarizerKind int

const (
	hybrid binarizerKind = iota
	global
)

// pass is one attempt: a plane derived from the full frame, a binarizer, inversion, readers.
type pass struct {
	derive func(d *Decoder, full plane) (plane, bool)
	bin    binarizerKind
	invert bool
	qr     bool
	c128   bool
	// hard reads Code 128 on every row even with a budget; otherwise budgeted frames read it on
	// 15 rows (TRY_HARDER off).
	hard bool
	// budgetOnly passes repeat what the first pass already does when there is no budget.
	budgetOnly bool
	// filesOnly passes cost too much for a camera frame: they run only without a budget.
	filesOnly bool
}

func fullPlane(_ *Decoder, full plane) (plane, bool) { return full, true }

// optionalPasses run after the always-on full-frame pass, in this order, while the budget lasts.
var optionalPasses = []pass{
	{derive: fullPlane, bin: global, qr: true, c128: true},
	{derive: fullPlane, bin: hybrid, c128: true, hard: true, budgetOnly: true},
	{derive: fullPlane, bin: hybrid, invert: true, qr: true, c128: true},
	{derive: (*Decoder).sharpened, bin: hybrid, qr: true, c128: true},
	{derive: (*Decoder).barSmoothed, bin: hybrid, c128: true, hard: true},
	{derive: (*Decoder).half, bin: hybrid, qr: true, c128: true},
	{derive: (*Decoder).threeQuarter, bin: hybrid, qr: true},
	{derive: (*Decoder).rotated90, bin: hybrid, c128: true, qr: true},
	{derive: (*Decoder).half, bin: global, qr: true},
	{derive: fullPlane, bin: global, invert: true, qr: true},
	{derive: (*Decoder).double, bin: hybrid, qr: true},
	{derive: rotatedAt(45), bin: hybrid, c128: true},
	{derive: rotatedAt(-45), bin: hybrid, c128: true},
	{derive: rotatedAt(45), bin: hybrid, qr: true, filesOnly: true}, // skewed photos: 60 ms at 720p
	{derive: rotatedAt(-45), bin: hybrid, qr: true, filesOnly: true},
	{derive: rotatedAt(45), bin: global, qr: true, filesOnly: true},
	{derive: (*Decoder).rotated90, bin: global, c128: true},
	{derive: (*Decoder).barSmoothed, bin: global, c128: true},
	{derive: (*Decoder).double, bin: global, qr: true},
	{derive: (*Decoder).half, bin: hybrid, invert: true, qr: true},
	// 1-D rows read codes within about 20° of level; these fill the gaps between 0°, 45° and 90°.
	{derive: rotatedAt(30), bin: hybrid, c128: true},
	{derive: rotatedAt(-30), bin: hybrid, c128: true},
	{derive: rotatedAt(60), bin: hybrid, c128: true},
	{derive: rotatedAt(-60), bin: hybrid, c128: true},
}

// rotatedAt derives the frame turned by deg degrees for 1-D readers: rows are rotated only when
// a reader asks for them (15 rows per frame with a budget), not the whole frame.
func rotatedAt(deg float64) func(*Decoder, plane) (plane, bool) {
	return func(d *Decoder, full plane) (plane, bool) { return d.rotatedRows(full, deg*math.Pi/180) }
}

// Decode reads one QR code or Code 128 barcode from img. *image.Gray and *image.YCbCr (camera
// frames) are read in place, without a copy; other images are converted to grey first
// (transparent pixels count as white). It returns ErrNotFound when nothing was read.
//
// Without a budget every pass runs until one reads a code. With a budget (camera frames) the
// frame gets the region of interest, a cheap whole-frame pass (QR, and Code 128 on 15 rows), then
// optional passes in round-robin order from where the previous frame stopped: the first always,
// the next ones only while their measured cost still fits in the budget.
func (d *Decoder) Decode(img image.Image) (Result, error) {
	start := time.Now()
	full := d.luminance(img)
	if full.w == 0 || full.h == 0 {
		return Result{}, ErrNotFound
	}
	budgeted := d.opts.Budget > 0
	if full.w*full.h != d.costPixels || len(d.cost) != len(optionalPasses) {
		d.costPixels = full.w * full.h
		d.cost = make([]time.Duration, len(optionalPasses))
		for i := range d.cost {
			d.cost[i] = time.Duration(float64(3*time.Millisecond) * float64(d.costPixels) / (640 * 480))
		}
	}

	d.sinceHit++
	if d.sinceHit <= d.opts.ROIFrames && !d.lastHit.Empty() {
		// The region around the last hit, read the way that worked last time.
		if p, ok := d.roi(full); ok {
			ps := pass{derive: fullPlane, bin: hybrid, qr: true, c128: true}
			if d.lastPass >= 0 {
				ps = optionalPasses[d.lastPass]
				ps.qr, ps.c128 = true, true
			}
			if p, ok := ps.derive(d, p); ok {
				if r, ok := d.try(p, ps, false); ok {
					return d.hit(r, img, d.lastPass), nil
				}
			}
		}
	}
	if r, ok := d.try(full, pass{bin: hybrid, qr: true, c128: true}, budgeted); ok {
		return d.hit(r, img, -1), nil
	}
	n := len(optionalPasses)
	first := 0
	if budgeted {
		first = d.next % n
	}
	ran, skipped := 0, -1
	for k := 0; k < n; k++ {
		i := (first + k) % n
		ps := optionalPasses[i]
		if ps.budgetOnly && !budgeted || ps.filesOnly && budgeted {
			continue
		}
		// Every frame runs at least its first optional pass, so each pass comes first within
		// a round of frames however slow the machine; after it, any pass whose measured cost
		// still fits, cheap ones filling the time that is left. The first pass that did not
		// fit starts the next frame.
		if budgeted && ran > 0 {
			if left := d.opts.Budget - time.Since(start); left <= 0 {
				break
			} else if d.cost[i] > left {
				if skipped < 0 {
					skipped = i
				}
				continue
			}
		}
		t0 := time.Now()
		p, ok := ps.derive(d, full)
		if !ok {
			continue
		}
		r, hit := d.try(p, ps, budgeted && !ps.hard)
		d.cost[i] = (d.cost[i] + time.Since(t0)) / 2
		ran++
		if hit {
			d.next = i
			return d.hit(r, img, i), nil
		}
		if skipped < 0 && budgeted && k == n-1 {
			skipped = first // went all the way round
		}
	}
	if skipped < 0 {
		// Stopped on time: carry on after the last pass that ran.
		skipped = (first + ran) % n
	}
	d.next = skipped
	return Result{}, ErrNotFound
}

// hit records the region of a result and the pass that read it (-1: the first) for the next
// frames and returns it.
func (d *Decoder) hit(r Result, img image.Image, passIndex int) Result {
	d.lastPass = passIndex
	if len(r.Points) > 0 {
		rect := image.Rectangle{Min: r.Points[0], Max: r.Points[0]}
		for _, p := range r.Points[1:] {
			rect = rect.Union(image.Rectangle{Min: p, Max: p.Add(image.Pt(1, 1))})
		}
		d.lastHit = rect.Sub(img.Bounds().Min)
		d.sinceHit = 0
	}
	return r
}

// try runs the readers of ps on p; fast reads Code 128 on 15 rows only.
func (d *Decoder) try(p plane, ps pass, fast bool) (Result, bool) {
	if p.w < 21 || p.h < 21 {
		return Result{}, false
	}
	var src gozxing.LuminanceSource = p.lazy
	if src == nil {
		var err error
		if src, err = gozxing.NewPlanarYUVLuminanceSource(p.pix, p.stride, p.h, 0, 0, p.w, p.h, false); err != nil {
			return Result{}, false
		}
	}
	if ps.invert {
		src = gozxing.NewInvertedLuminanceSource(src)
	}
	var b gozxing.Binarizer
	if ps.bin == global {
		b = gozxing.NewGlobalHistgramBinarizer(src)
	} else {
		b = gozxing.NewHybridBinarizer(src)
	}
	bmp, err := gozxing.NewBinaryBitmap(b)
	if err != nil {
		return Result{}, false
	}
	if ps.qr {
		if r, err := d.qr.Decode(bmp, d.hints); err == nil {
			return toResult(r, p.xf), true
		}
	}
	if ps.c128 {
		h := d.hints
		if fast {
			h = d.fast
		}
		if r, err := d.c128.Decode(bmp, h); err == nil {
			return toResult(r, p.xf), true
		}
	}
	return Result{}, false
}

func toResult(r *gozxing.Result, xf affine) Result {
	out := Result{Text: r.GetText(), Format: r.GetBarcodeFormat().String()}
	if r.GetBarcodeFormat() == gozxing.BarcodeFormat_CODE_128 {
		out.Text = latin1(out.Text)
	}
	for _, rp := range r.GetResultPoints() {
		if rp == nil {
			continue
		}
		x, y := xf.apply(rp.GetX(), rp.GetY())
		out.Points = append(out.Points, image.Pt(int(math.Round(x)), int(math.Round(y))))
	}
	return out
}

// latin1 turns gozxing's Code 128 bytes (ISO-8859-1, FNC4 gives bytes ≥ 0x80) into UTF-8.
func latin1(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			r := make([]rune, len(s))
			for j := 0; j < len(s); j++ {
				r[j] = rune(s[j])
			}
			return string(r)
		}
	}
	return s
}

// luminance returns the grey plane of img, in place for Gray and YCbCr. Plane coordinates are
// relative to img.Bounds().Min; the affine adds it back.
func (d *Decoder) luminance(img image.Image) plane {
	b := img.Bounds()
	base := affine{a: 1, e: 1, c: float64(b.Min.X), f: float64(b.Min.Y)}
	switch m := img.(type) {
	case *image.Gray:
		return plane{pix: m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], w: b.Dx(), h: b.Dy(), stride: m.Stride, xf: base}
	case *image.YCbCr:
		return plane{pix: m.Y[m.YOffset(b.Min.X, b.Min.Y):], w: b.Dx(), h: b.Dy(), stride: m.YStride, xf: base}
	}
	w, h := b.Dx(), b.Dy()
	if cap(d.gray.Pix) < w*h {
		d.gray.Pix = make([]byte, w*h)
	}
	pix := d.gray.Pix[:w*h]
	switch m := img.(type) {
	case *image.RGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				r, g, bl, a := row[4*x], row[4*x+1], row[4*x+2], row[4*x+3]
				pix[y*w+x] = lumPremul(uint32(r), uint32(g), uint32(bl), uint32(a))
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				r, g, bl, a := uint32(row[4*x]), uint32(row[4*x+1]), uint32(row[4*x+2]), uint32(row[4*x+3])
				pix[y*w+x] = lumPremul(r*a/255, g*a/255, bl*a/255, a)
			}
		}
	case *image.Paletted:
		var lut [256]byte
		for i, c := range m.Palette {
			r, g, bl, a := c.RGBA()
			lut[i] = lumPremul(r>>8, g>>8, bl>>8, a>>8)
		}
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				pix[y*w+x] = lut[row[x]]
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				r, g, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				pix[y*w+x] = lumPremul(r>>8, g>>8, bl>>8, a>>8)
			}
		}
	}
	return plane{pix: pix, w: w, h: h, stride: w, xf: base}
}

// lumPremul is the luminance of a premultiplied 8-bit colour composited over white.
func lumPremul(r, g, b, a uint32) byte {
	y := (306*r + 601*g + 117*b + 512) >> 10 // ITU-R BT.601 weights, as gozxing uses
	return byte(y + (255 - a))
}

func (d *Decoder) buf(i, n int) []byte {
	if cap(d.bufs[i]) < n {
		d.bufs[i] = make([]byte, n)
	}
	return d.bufs[i][:n]
}

// roi crops the frame around the last hit, with a margin of the hit's own size.
func (d *Decoder) roi(full plane) (plane, bool) {
	r := d.lastHit
	m := max(r.Dx(), r.Dy())
	r = r.Inset(-m).Intersect(image.Rect(0, 0, full.w, full.h))
	if r.Dx() < 40 || r.Dy() < 40 || r.Dx()*r.Dy() > full.w*full.h*3/4 {
		return plane{}, false
	}
	return plane{
		pix:    full.pix[r.Min.Y*full.stride+r.Min.X:],
		w:      r.Dx(),
		h:      r.Dy(),
		stride: full.stride,
		xf:     full.xf.after(affine{a: 1, e: 1, c: float64(r.Min.X), f: float64(r.Min.Y)}),
	}, true
}

// half is the frame at half size (2×2 box average): less noise and blur on big photos.
func (d *Decoder) half(full plane) (plane, bool) {
	w, h := full.w/2, full.h/2
	if w < 80 || h < 80 {
		return plane{}, false
	}
	out := d.buf(0, w*h)
	for y := 0; y < h; y++ {
		r0 := full.pix[2*y*full.stride:]
		r1 := full.pix[(2*y+1)*full.stride:]
		o := out[y*w : y*w+w]
		for x := range o {
			o[x] = byte((uint32(r0[2*x]) + uint32(r0[2*x+1]) + uint32(r1[2*x]) + uint32(r1[2*x+1]) + 2) >> 2)
		}
	}
	return plane{pix: out, w: w, h: h, stride: w, xf: full.xf.after(affine{a: 2, e: 2})}, true
}

// double is the frame at twice the size (bilinear), for small images and tiny modules: up to
// 520 pixels on the long side for camera frames, 1040 for files.
func (d *Decoder) double(full plane) (plane, bool) {
	if limit := 520; max(full.w, full.h) > limit && (d.opts.Budget > 0 || max(full.w, full.h) > 2*limit) {
		return plane{}, false
	}
	w, h := full.w*2, full.h*2
	out := d.buf(1, w*h)
	// Output pixel x samples source x/2 - 1/4: even x between k-1 and k (weight 3/4 on k),
	// odd x between k and k+1 (weight 1/4 on k+1).
	taps := func(i, n int) (int, int, uint32) {
		k := i / 2
		if i%2 == 0 {
			return max(k-1, 0), k, 3
		}
		return k, min(k+1, n-1), 1
	}
	for y := 0; y < h; y++ {
		y0, y1, wy := taps(y, full.h)
		r0 := full.pix[y0*full.stride:]
		r1 := full.pix[y1*full.stride:]
		o := out[y*w : y*w+w]
		for x := range o {
			x0, x1, wx := taps(x, full.w)
			top := uint32(r0[x0])*(4-wx) + uint32(r0[x1])*wx
			bot := uint32(r1[x0])*(4-wx) + uint32(r1[x1])*wx
			o[x] = byte((top*(4-wy) + bot*wy + 8) >> 4)
		}
	}
	return plane{pix: out, w: w, h: h, stride: w, xf: full.xf.after(affine{a: 0.5, e: 0.5, c: -0.25, f: -0.25})}, true
}

// sharpened is the frame through a 3×3 unsharp mask (centre + (centre − mean)): webcams are
// often slightly out of focus at arm's length, and blur merges small modules.
func (d *Decoder) sharpened(full plane) (plane, bool) {
	w, h := full.w, full.h
	if w < 3 || h < 3 {
		return plane{}, false
	}
	out := d.buf(4, w*h)
	for y := 0; y < h; y++ {
		row := full.pix[y*full.stride : y*full.stride+w]
		o := out[y*w : y*w+w]
		if y == 0 || y == h-1 {
			copy(o, row)
			continue
		}
		up := full.pix[(y-1)*full.stride:]
		dn := full.pix[(y+1)*full.stride:]
		o[0], o[w-1] = row[0], row[w-1]
		for x := 1; x < w-1; x++ {
			sum := int(up[x-1]) + int(up[x]) + int(up[x+1]) + int(row[x-1]) + int(row[x]) + int(row[x+1]) + int(dn[x-1]) + int(dn[x]) + int(dn[x+1])
			c := int(row[x])
			v := c + c - (sum+4)/9
			o[x] = byte(min(max(v, 0), 255))
		}
	}
	return plane{pix: out, w: w, h: h, stride: w, xf: full.xf}, true
}

// barSmoothed averages each pixel with the three rows above and below it: along the bars of a
// level 1-D code that removes sensor noise without blurring the bars, so a soft, noisy
// barcode with 3-pixel modules still reads.
func (d *Decoder) barSmoothed(full plane) (plane, bool) {
	w, h := full.w, full.h
	if h < 5 {
		return plane{}, false
	}
	out := d.buf(6, w*h)
	col := make([]int, w) // running sum of the rows in the window
	n := 0
	for y := 0; y < min(3, h); y++ {
		row := full.pix[y*full.stride : y*full.stride+w]
		for x, v := range row {
			col[x] += int(v)
		}
		n++
	}
	for y := 0; y < h; y++ {
		if add := y + 3; add < h {
			row := full.pix[add*full.stride : add*full.stride+w]
			for x, v := range row {
				col[x] += int(v)
			}
			n++
		}
		if drop := y - 4; drop >= 0 {
			row := full.pix[drop*full.stride : drop*full.stride+w]
			for x, v := range row {
				col[x] -= int(v)
			}
			n--
		}
		o := out[y*w : y*w+w]
		for x := range o {
			o[x] = byte((col[x] + n/2) / n)
		}
	}
	return plane{pix: out, w: w, h: h, stride: w, xf: full.xf}, true
}

// threeQuarter is the frame at 3/4 size (bilinear): modules land differently on the hybrid
// binarizer's 8-pixel blocks, and a little blur is averaged away, without halving small codes.
func (d *Decoder) threeQuarter(full plane) (plane, bool) {
	w, h := full.w*3/4, full.h*3/4
	if w < 60 || h < 60 {
		return plane{}, false
	}
	out := d.buf(5, w*h)
	// Output pixel x samples source (x + 1/2)·4/3 − 1/2, in 1/3-pixel steps (fixed point ×3).
	for y := 0; y < h; y++ {
		fy3 := 4*y + 1 // 3·((y+½)·4/3 − ½) = 4y + 0.5, taken as 4y + 1
		y0 := fy3 / 3
		wy := fy3 - 3*y0 // 0..2 thirds toward y0+1
		y1 := min(y0+1, full.h-1)
		r0 := full.pix[y0*full.stride:]
		r1 := full.pix[y1*full.stride:]
		o := out[y*w : y*w+w]
		for x := range o {
			fx3 := 4*x + 1
			x0 := fx3 / 3
			wx := fx3 - 3*x0
			x1 := min(x0+1, full.w-1)
			top := int(r0[x0])*(3-wx) + int(r0[x1])*wx
			bot := int(r1[x0])*(3-wx) + int(r1[x1])*wx
			o[x] = byte((top*(3-wy) + bot*wy + 4) / 9)
		}
	}
	// plane x maps to source (4x + 1)/3
	return plane{pix: out, w: w, h: h, stride: w, xf: full.xf.after(affine{a: 4.0 / 3, c: 1.0 / 3, e: 4.0 / 3, f: 1.0 / 3})}, true
}

// rotated90 is the frame turned 90° counter-clockwise: 1-D readers scan rows, so a vertical
// barcode needs it.
func (d *Decoder) rotated90(full plane) (plane, bool) {
	w, h := full.h, full.w
	out := d.buf(2, w*h)
	for sy := 0; sy < full.h; sy++ {
		row := full.pix[sy*full.stride : sy*full.stride+full.w]
		for sx, v := range row {
			// source (sx, sy) goes to (sy, W-1-sx)
			out[(full.w-1-sx)*w+sy] = v
		}
	}
	// plane (x, y) comes from source (W-1-y, x)
	return plane{pix: out, w: w, h: h, stride: w, xf: full.xf.after(affine{a: 0, b: -1, c: float64(full.w - 1), d: 1, e: 0, f: 0})}, true
}

// rotation is the geometry of turning full by angle: the source plane (halved above 1280×720),
// the rotated size and the map from rotated to source coordinates.
func (d *Decoder) rotation(full plane, angle float64) (plane, int, int, affine, bool) {
	src := full
	if full.w*full.h > 1280*720 {
		var ok bool
		if src, ok = d.half(full); !ok {
			return plane{}, 0, 0, affine{}, false
		}
	}
	cos, sin := math.Cos(angle), math.Sin(angle)
	sw, sh := float64(src.w), float64(src.h)
	w := int(math.Ceil(math.Abs(sw*cos) + math.Abs(sh*sin)))
	h := int(math.Ceil(math.Abs(sw*sin) + math.Abs(sh*cos)))
	cx, cy := sw/2, sh/2
	ox, oy := float64(w)/2, float64(h)/2
	// plane (x, y) -> src: rotate (x-ox, y-oy) by -angle, add (cx, cy)
	m := affine{a: cos, b: sin, c: cx - cos*ox - sin*oy, d: -sin, e: cos, f: cy + sin*ox - cos*oy}
	return src, w, h, m, src.w >= 2 && src.h >= 2
}

// rotateRow fills o with row y of src seen through m, bilinear in 8-bit fixed point (nearest
// neighbour leaves ±½-pixel steps along tilted bars, a sixth of a 3-pixel module); outside the
// source is white.
func rotateRow(src plane, m affine, y int, o []byte) {
	fy := float64(y) + 0.5
	for x := range o {
		fx := float64(x) + 0.5
		sx := m.a*fx + m.b*fy + m.c - 0.5
		sy := m.d*fx + m.e*fy + m.f - 0.5
		if sx < 0 || sy < 0 || sx >= float64(src.w-1) || sy >= float64(src.h-1) {
			o[x] = 255
			continue
		}
		x0, y0 := int(sx), int(sy)
		ax, ay := int((sx-float64(x0))*256), int((sy-float64(y0))*256)
		r0 := src.pix[y0*src.stride+x0:]
		r1 := src.pix[(y0+1)*src.stride+x0:]
		top := int(r0[0])*(256-ax) + int(r0[1])*ax
		bot := int(r1[0])*(256-ax) + int(r1[1])*ax
		o[x] = byte((top*(256-ay) + bot*ay + 1<<15) >> 16)
	}
}

// rotatedRows is the frame turned by angle (bilinear, white outside; frames larger than 1280×720
// at half size) for 1-D readers, with rows computed on demand: diagonal barcodes. QR codes need
// no rotation: their detector finds them at any angle.
func (d *Decoder) rotatedRows(full plane, angle float64) (plane, bool) {
	src, w, h, m, ok := d.rotation(full, angle)
	if !ok {
		return plane{}, false
	}
	if src.pix != nil && len(d.bufs[0]) > 0 && &src.pix[0] == &d.bufs[0][0] {
		// half() reuses buffer 0, which a later pass may overwrite: keep a copy.
		src.pix = append([]byte(nil), src.pix...)
	}
	rs := &rotatedSource{LuminanceSourceBase: gozxing.LuminanceSourceBase{Width: w, Height: h}, src: src, m: m}
	return plane{w: w, h: h, xf: src.xf.after(m), lazy: rs}, true
}

// rotatedSource is a gozxing luminance source that rotates the rows it is asked for.
type rotatedSource struct {
	gozxing.LuminanceSourceBase
	src plane
	m   affine
}

func (r *rotatedSource) GetRow(y int, row []byte) ([]byte, error) {
	if y < 0 || y >= r.Height {
		return nil, fmt.Errorf("scanner: row %d outside the image", y)
	}
	if len(row) < r.Width {
		row = make([]byte, r.Width)
	}
	rotateRow(r.src, r.m, y, row[:r.Width])
	return row, nil
}

func (r *rotatedSource) GetMatrix() []byte {
	out := make([]byte, r.Width*r.Height)
	for y := 0; y < r.Height; y++ {
		rotateRow(r.src, r.m, y, out[y*r.Width:(y+1)*r.Width])
	}
	return out
}

func (r *rotatedSource) Invert() gozxing.LuminanceSource { return gozxing.LuminanceSourceInvert(r) }

func (r *rotatedSource) String() string { return gozxing.LuminanceSourceString(r) }

// DecodeFile decodes the image file at path (PNG, JPEG or GIF) with every pass.
func DecodeFile(path string) (Result, error) {
	img, err := loadImage(path)
	if err != nil {
		return Result{}, err
	}
	r, err := NewDecoder(DecoderOptions{}).Decode(img)
	if err != nil {
		return Result{}, fmt.Errorf("decode %s: %w", path, err)
	}
	return r, nil
}

func loadImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open image: %w", err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("read image %s: %w", path, err)
	}
	return img, nil
}
