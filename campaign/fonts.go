package campaign

import (
	"fmt"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/cardpos/cardpos/assets"
)

// mmPerPt converts typographic points to millimetres.
const mmPerPt = 25.4 / 72

// Font is the parsed poster font (assets.FontRegular) with the raw TrueType bytes that fpdf embeds.
// Layout measures text with it, so the PDF and the PNG place every line at the same spot.
// It is safe for concurrent use.
type Font struct {
	ttf  []byte
	face *opentype.Font
	upem float64

	mu  sync.Mutex
	buf sfnt.Buffer
	adv map[rune]float64 // advance in em units, 0 for a missing glyph
}

// LoadFont parses a TrueType font; the poster uses LoadFont(assets.FontRegular). It checks that
// the font has outlines for a Chinese character and a digit, since fpdf itself would embed a
// damaged font without complaint and print blanks.
func LoadFont(ttf []byte) (*Font, error) {
	f, err := opentype.Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("campaign: parse font: %w: %w", ErrFontNotLoaded, err)
	}
	var buf sfnt.Buffer
	for _, r := range "微8" {
		idx, err := f.GlyphIndex(&buf, r)
		if err != nil || idx == 0 {
			return nil, fmt.Errorf("campaign: font has no glyph for %q: %w", r, ErrFontNotLoaded)
		}
		segs, err := f.LoadGlyph(&buf, idx, fixed.I(int(f.UnitsPerEm())), nil)
		if err != nil || len(segs) == 0 {
			return nil, fmt.Errorf("campaign: font outline for %q: %w: %v", r, ErrFontNotLoaded, err)
		}
	}
	return &Font{ttf: ttf, face: f, upem: float64(f.UnitsPerEm()), adv: map[rune]float64{}}, nil
}

// DefaultFont parses the embedded CJK font assets.FontRegular.
func DefaultFont() (*Font, error) { return LoadFont(assets.FontRegular) }

// advance returns the advance of r in em and whether the font has a glyph for it.
func (f *Font) advance(r rune) (float64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, ok := f.adv[r]; ok {
		return a, a > 0
	}
	idx, err := f.face.GlyphIndex(&f.buf, r)
	if err != nil || idx == 0 {
		f.adv[r] = 0
		return 0, false
	}
	a, err := f.face.GlyphAdvance(&f.buf, idx, fixed.I(int(f.upem)), font.HintingNone)
	if err != nil {
		f.adv[r] = 0
		return 0, false
	}
	em := float64(a) / 64 / f.upem
	f.adv[r] = em
	return em, em > 0
}

// Width is the advance width of s in millimetres at pt points.
func (f *Font) Width(s string, pt float64) float64 {
	var em float64
	for _, r := range s {
		a, _ := f.advance(r)
		em += a
	}
	return em * pt * mmPerPt
}

// Missing lists the runes of s the font has no glyph for (they would print as tofu boxes).
func (f *Font) Missing(s string) []rune {
	var out []rune
	for _, r := range s {
		if r == ' ' {
			continue
		}
		if _, ok := f.advance(r); !ok {
			out = append(out, r)
		}
	}
	return out
}
