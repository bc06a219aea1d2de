package campaign

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// PreviewDPI is the resolution of UI previews and `-o out.png`.
const PreviewDPI = 150

// RenderImage draws p at dpi dots per inch with the same layout the PDF uses.
func RenderImage(p Page, f *Font, dpi float64) (*image.RGBA, error) {
	if dpi <= 0 {
		dpi = PreviewDPI
	}
	px := func(mm float64) int { return int(math.Round(mm / 25.4 * dpi)) }
	img := image.NewRGBA(image.Rect(0, 0, px(p.W), px(p.H)))
	draw.Draw(img, img.Bounds(), image.NewUniform(white), image.Point{}, draw.Src)
	r := &rasterizer{f: f, dpi: dpi, faces: map[float64]font.Face{}}
	defer r.close()
	for _, face := range p.Faces {
		sub := image.NewRGBA(image.Rect(0, 0, px(face.W), px(face.H)))
		for _, it := range face.Items {
			if err := r.item(sub, it); err != nil {
				return nil, err
			}
		}
		if face.Flip {
			rotate180(sub)
		}
		at := image.Pt(px(face.X), px(face.Y))
		draw.Draw(img, sub.Bounds().Add(at), sub, image.Point{}, draw.Over)
	}
	for _, it := range p.Guide {
		if err := r.item(img, it); err != nil {
			return nil, err
		}
	}
	return img, nil
}

// WritePNG renders p as a PNG at dpi.
func WritePNG(w io.Writer, p Page, f *Font, dpi float64) error {
	img, err := RenderImage(p, f, dpi)
	if err != nil {
		return err
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("campaign: write png: %w", err)
	}
	return nil
}

type rasterizer struct {
	f     *Font
	dpi   float64
	faces map[float64]font.Face
}

func (r *rasterizer) close() {
	for _, f := range r.faces {
		f.Close()
	}
}

func (r *rasterizer) px(mm float64) float64 { return mm / 25.4 * r.dpi }

func (r *rasterizer) face(pt float64) (font.Face, error) {
	if f, ok := r.faces[pt]; ok {
		return f, nil
	}
	f, err := opentype.NewFace(r.f.face, &opentype.FaceOptions{Size: pt, DPI: r.dpi, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("campaign: font face: %w", err)
	}
	r.faces[pt] = f
	return f, nil
}

func (r *rasterizer) rect(dst *image.RGBA, x, y, w, h float64, c color.RGBA) {
	rc := image.Rect(int(math.Round(r.px(x))), int(math.Round(r.px(y))),
		int(math.Round(r.px(x+w))), int(math.Round(r.px(y+h))))
	draw.Draw(dst, rc, image.NewUniform(c), image.Point{}, draw.Src)
}

func (r *rasterizer) item(dst *image.RGBA, it Item) error {
	switch it.Kind {
	case ItemRect:
		r.rect(dst, it.X, it.Y, it.W, it.H, it.Color)
	case ItemText:
		if it.Text == "" {
			return nil
		}
		face, err := r.face(it.PT)
		if err != nil {
			return err
		}
		x := it.X
		tw := r.f.Width(it.Text, it.PT)
		switch it.Align {
		case AlignCenter:
			x += (it.W - tw) / 2
		case AlignRight:
			x += it.W - tw
		}
		d := font.Drawer{Dst: dst, Src: image.NewUniform(it.Color), Face: face,
			Dot: fixed.Point26_6{X: fixed.Int26_6(r.px(x) * 64), Y: fixed.Int26_6(r.px(it.Y) * 64)}}
		d.DrawString(it.Text)
	case ItemQR:
		// Module edges are rounded once from the exact grid so every module is whole pixels and
		// neighbours share edges: no gaps, no blur for the decoder.
		n := it.QR.Size()
		mod := it.W / float64(n)
		edge := func(i int, o float64) int { return int(math.Round(r.px(o + float64(i)*mod))) }
		u := image.NewUniform(it.Color)
		for y, row := range it.QR.Modules {
			for x, dark := range row {
				if dark {
					rc := image.Rect(edge(x, it.X), edge(y, it.Y), edge(x+1, it.X), edge(y+1, it.Y))
					draw.Draw(dst, rc, u, image.Point{}, draw.Src)
				}
			}
		}
	case ItemDash:
		for x := 0.0; x < it.W; x += 5 {
			r.rect(dst, it.X+x, it.Y-it.H/2, min(3, it.W-x), max(it.H, 25.4/r.dpi), it.Color)
		}
	}
	return nil
}

// rotate180 turns img upside down in place.
func rotate180(img *image.RGBA) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	for y := 0; y < (h+1)/2; y++ {
		for x := 0; x < w; x++ {
			y2, x2 := h-1-y, w-1-x
			if y2 < y || (y2 == y && x2 <= x) {
				continue
			}
			i, j := img.PixOffset(x, y), img.PixOffset(x2, y2)
			for k := 0; k < 4; k++ {
				img.Pix[i+k], img.Pix[j+k] = img.Pix[j+k], img.Pix[i+k]
			}
		}
	}
}
