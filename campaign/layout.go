package campaign

import (
	"fmt"
	"image/color"
	"strings"
)

// Size is a poster format.
type Size string

// The poster formats. Dimensions are in millimetres.
const (
	SizeA4      Size = "a4"      // 210 × 297 door poster
	SizeA5      Size = "a5"      // 148 × 210 poster
	SizeA6      Size = "a6"      // 105 × 148 card
	SizeTent    Size = "tent"    // A5 sheet folded into an A6 table tent: two landscape faces, the top one upside down
	SizeSticker Size = "sticker" // 60 × 80 till sticker
)

// Sizes lists the poster formats, largest first.
var Sizes = []Size{SizeA4, SizeA5, SizeA6, SizeTent, SizeSticker}

// ParseSize accepts a4, a5, a6, tent and sticker (any case).
func ParseSize(s string) (Size, error) {
	z := Size(strings.ToLower(strings.TrimSpace(s)))
	for _, k := range Sizes {
		if z == k {
			return z, nil
		}
	}
	return "", fmt.Errorf("campaign: size %q: %w", s, ErrUnknownSize)
}

// PageSize is the sheet size of z in millimetres.
func (z Size) PageSize() (w, h float64) {
	switch z {
	case SizeA4:
		return 210, 297
	case SizeA5, SizeTent:
		return 148, 210
	case SizeA6:
		return 105, 148
	case SizeSticker:
		return 60, 80
	}
	return 0, 0
}

// Content is the words and the code of one poster page, already in the poster's language.
type Content struct {
	Brand    string
	Title    string
	Value    string // 满100减20 / 8折 / gift …
	Validity string
	CTA      string // 微信扫一扫领取
	Scene    string // the staff line, e.g. 场景：table-01
	Color    color.RGBA
	QR       Matrix
}

// Align is the horizontal alignment of a text line inside its box.
type Align int

// Text alignments.
const (
	AlignLeft Align = iota
	AlignCenter
	AlignRight
)

// ItemKind says what an Item draws.
type ItemKind int

// The drawable items.
const (
	ItemRect ItemKind = iota // a filled rectangle
	ItemText                 // one line of text; Y is the baseline
	ItemQR                   // the QR modules (no quiet zone) in the square X, Y, W
	ItemDash                 // a dashed horizontal line from X to X+W at Y (fold line)
)

// Item is one thing drawn on a face, in millimetres from the face's top-left corner.
type Item struct {
	Kind       ItemKind
	X, Y, W, H float64
	Color      color.RGBA
	Text       string
	PT         float64 // font size of a text item
	Align      Align
	QR         Matrix
}

// Face is one printable side: a rectangle on the sheet, drawn upside down when Flip is set
// (the back face of a table tent, so both faces read upright once folded).
type Face struct {
	X, Y, W, H float64
	Flip       bool
	Items      []Item
}

// Page is one laid-out sheet.
type Page struct {
	W, H  float64
	Faces []Face
	Guide []Item // drawn on the sheet itself, unrotated (the tent's fold line)
}

var (
	white = color.RGBA{0xff, 0xff, 0xff, 0xff}
	ink   = color.RGBA{0x1f, 0x23, 0x28, 0xff}
	grey  = color.RGBA{0x80, 0x86, 0x8c, 0xff}
)

// ParseHex turns "#63b359" into a colour; anything else gives WeChat green Color010.
func ParseHex(s string) color.RGBA {
	var r, g, b uint8
	if len(s) == 7 && s[0] == '#' {
		if _, err := fmt.Sscanf(s[1:], "%02x%02x%02x", &r, &g, &b); err == nil {
			return color.RGBA{r, g, b, 0xff}
		}
	}
	return color.RGBA{0x63, 0xb3, 0x59, 0xff}
}

// Layout places c on a sheet of size z, measuring text with f. The same Page drives the PDF and
// the PNG renderer.
func Layout(z Size, c Content, f *Font) (Page, error) {
	w, h := z.PageSize()
	if w == 0 {
		return Page{}, fmt.Errorf("campaign: size %q: %w", z, ErrUnknownSize)
	}
	if c.QR.Size() == 0 {
		return Page{}, fmt.Errorf("campaign: layout: %w", ErrEmptyURL)
	}
	p := Page{W: w, H: h}
	switch z {
	case SizeTent:
		fh := h / 2
		p.Faces = []Face{
			{X: 0, Y: 0, W: w, H: fh, Flip: true, Items: landscape(w, fh, c, f)},
			{X: 0, Y: fh, W: w, H: fh, Items: landscape(w, fh, c, f)},
		}
		p.Guide = []Item{{Kind: ItemDash, X: 0, Y: fh, W: w, H: 0.3, Color: grey}}
	default:
		p.Faces = []Face{{X: 0, Y: 0, W: w, H: h, Items: portrait(w, h, c, f)}}
	}
	return p, nil
}

// fit returns a text item no wider than maxW: it shrinks the font from pt down to minPT, then
// cuts the text and ends it with "…".
func fit(f *Font, s string, pt, minPT, maxW float64) (string, float64) {
	for ; pt > minPT && f.Width(s, pt) > maxW; pt -= 0.5 {
	}
	if pt < minPT {
		pt = minPT
	}
	if f.Width(s, pt) <= maxW {
		return s, pt
	}
	r := []rune(s)
	for len(r) > 0 && f.Width(string(r)+"…", pt) > maxW {
		r = r[:len(r)-1]
	}
	return string(r) + "…", pt
}

// text fits s into w at pt, shrinking to no less than minFrac of pt (nor below 3.5 pt, the
// smallest size a thermal or laser print keeps legible) before cutting it.
func text(f *Font, s string, x, baseline, w, pt, minFrac float64, col color.RGBA, a Align) Item {
	minPT := max(3.5, pt*minFrac)
	s, pt = fit(f, s, pt, minPT, w)
	return Item{Kind: ItemText, X: x, Y: baseline, W: w, Text: s, PT: pt, Color: col, Align: a}
}

// qrBlock draws the white quiet zone and the code, side mm including QuietZone modules each side.
func qrBlock(x, y, side float64, m Matrix) []Item {
	n := float64(m.Size() + 2*QuietZone)
	mod := side / n
	q := QuietZone * mod
	return []Item{
		{Kind: ItemRect, X: x, Y: y, W: side, H: side, Color: white},
		{Kind: ItemQR, X: x + q, Y: y + q, W: side - 2*q, H: side - 2*q, QR: m, Color: ink},
	}
}

// pt converts a length in mm to points, for sizing type from the page.
func pt(mm float64) float64 { return mm / mmPerPt }

// portrait lays out a standing poster, card or sticker of w × h mm, all proportions from w.
func portrait(w, h float64, c Content, f *Font) []Item {
	s := w / 210 // 1 on A4
	margin := 12 * s
	inner := w - 2*margin
	band := h * 0.17
	items := []Item{
		{Kind: ItemRect, X: 0, Y: 0, W: w, H: h, Color: white},
		{Kind: ItemRect, X: 0, Y: 0, W: w, H: band, Color: c.Color},
		text(f, c.Brand, margin, band*0.42, inner, pt(band*0.22), 0.55, white, AlignCenter),
		text(f, c.Title, margin, band*0.80, inner, pt(band*0.20), 0.55, white, AlignCenter),
	}
	y := band + h*0.085
	items = append(items, text(f, c.Value, margin, y, inner, pt(h*0.06), 0.4, c.Color, AlignCenter))
	side := min(w*0.78, h*0.5)
	y += h * 0.025
	items = append(items, qrBlock((w-side)/2, y, side, c.QR)...)
	y += side + h*0.055
	items = append(items, text(f, c.CTA, margin, y, inner, pt(h*0.036), 0.55, ink, AlignCenter))
	if c.Validity != "" {
		y += h * 0.045
		items = append(items, text(f, c.Validity, margin, y, inner, pt(h*0.02), 0.55, grey, AlignCenter))
	}
	// A thin colour strip closes the page; the scene sits above it, small, for staff.
	strip := h * 0.02
	items = append(items,
		Item{Kind: ItemRect, X: 0, Y: h - strip, W: w, H: strip, Color: c.Color},
		text(f, c.Scene, margin, h-strip-h*0.012, inner, pt(h*0.013), 0.55, grey, AlignRight))
	return items
}

// landscape lays out one table-tent face of w × h mm: the code on the left, the words on the right.
func landscape(w, h float64, c Content, f *Font) []Item {
	band := h * 0.07
	margin := w * 0.05
	side := h - 2*band - 2*margin*0.6
	qx, qy := margin, band+margin*0.6
	tx := qx + side + margin
	tw := w - tx - margin
	items := []Item{
		{Kind: ItemRect, X: 0, Y: 0, W: w, H: h, Color: white},
		{Kind: ItemRect, X: 0, Y: 0, W: w, H: band, Color: c.Color},
		{Kind: ItemRect, X: 0, Y: h - band, W: w, H: band, Color: c.Color},
	}
	items = append(items, qrBlock(qx, qy, side, c.QR)...)
	y := band + h*0.17
	items = append(items, text(f, c.Brand, tx, y, tw, pt(h*0.07), 0.55, c.Color, AlignLeft))
	y += h * 0.13
	items = append(items, text(f, c.Title, tx, y, tw, pt(h*0.065), 0.55, ink, AlignLeft))
	y += h * 0.19
	items = append(items, text(f, c.Value, tx, y, tw, pt(h*0.12), 0.4, c.Color, AlignLeft))
	y += h * 0.14
	items = append(items, text(f, c.CTA, tx, y, tw, pt(h*0.06), 0.55, ink, AlignLeft))
	if c.Validity != "" {
		y += h * 0.09
		items = append(items, text(f, c.Validity, tx, y, tw, pt(h*0.035), 0.55, grey, AlignLeft))
	}
	items = append(items, text(f, c.Scene, tx, h-band-h*0.03, tw, pt(h*0.028), 0.55, grey, AlignRight))
	return items
}

// MessageKey is the translation key of the size's name (campaign.size.*), for menus.
func (z Size) MessageKey() string { return "campaign.size." + string(z) }
