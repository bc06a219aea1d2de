package campaign

import (
	"fmt"
	"io"

	"codeberg.org/go-pdf/fpdf"
)

const pdfFont = "wqy"

// WritePDF renders pages into one PDF (one sheet each) with the embedded font f. It checks that
// the font really loaded: fpdf can fail to read a font and still report no error, and then every
// Chinese character would come out with zero width.
func WritePDF(w io.Writer, pages []Page, f *Font) error {
	if len(pages) == 0 {
		return fmt.Errorf("campaign: pdf: %w", ErrNoPages)
	}
	pdf := fpdf.NewCustom(&fpdf.InitType{
		OrientationStr: "P",
		UnitStr:        "mm",
		Size:           fpdf.SizeType{Wd: pages[0].W, Ht: pages[0].H},
	})
	pdf.SetCreator("CardPOS", true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.AddUTF8FontFromBytes(pdfFont, "", f.ttf)
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("campaign: pdf: %w: %w", ErrFontNotLoaded, err)
	}
	pdf.SetFont(pdfFont, "", 12)
	if pdf.Error() != nil || pdf.GetStringWidth("微信扫一扫") <= 0 {
		return fmt.Errorf("campaign: pdf font: %w", ErrFontNotLoaded)
	}
	for _, p := range pages {
		pdf.AddPageFormat("P", fpdf.SizeType{Wd: p.W, Ht: p.H})
		for _, face := range p.Faces {
			pdfFace(pdf, face)
		}
		for _, it := range p.Guide {
			pdfItem(pdf, 0, 0, it)
		}
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("campaign: write pdf: %w", err)
	}
	return nil
}

func pdfFace(pdf *fpdf.Fpdf, face Face) {
	if face.Flip {
		pdf.TransformBegin()
		pdf.TransformRotate(180, face.X+face.W/2, face.Y+face.H/2)
		defer pdf.TransformEnd()
	}
	pdf.ClipRect(face.X, face.Y, face.W, face.H, false)
	defer pdf.ClipEnd()
	for _, it := range face.Items {
		pdfItem(pdf, face.X, face.Y, it)
	}
}

func pdfItem(pdf *fpdf.Fpdf, ox, oy float64, it Item) {
	c := it.Color
	x, y := ox+it.X, oy+it.Y
	switch it.Kind {
	case ItemRect:
		pdf.SetFillColor(int(c.R), int(c.G), int(c.B))
		pdf.Rect(x, y, it.W, it.H, "F")
	case ItemText:
		if it.Text == "" {
			return
		}
		pdf.SetFont(pdfFont, "", it.PT)
		pdf.SetTextColor(int(c.R), int(c.G), int(c.B))
		tw := pdf.GetStringWidth(it.Text)
		switch it.Align {
		case AlignCenter:
			x += (it.W - tw) / 2
		case AlignRight:
			x += it.W - tw
		}
		pdf.Text(x, y, it.Text)
	case ItemQR:
		pdf.SetFillColor(int(c.R), int(c.G), int(c.B))
		n := it.QR.Size()
		mod := it.W / float64(n)
		// One rectangle per run of dark modules; rows overlap by a hair so no light seam shows
		// between them when a viewer anti-aliases.
		for r, row := range it.QR.Modules {
			for col := 0; col < n; {
				if !row[col] {
					col++
					continue
				}
				start := col
				for col < n && row[col] {
					col++
				}
				h := mod
				if r+1 < n {
					h += mod * 0.02
				}
				pdf.Rect(x+float64(start)*mod, y+float64(r)*mod, float64(col-start)*mod, h, "F")
			}
		}
	case ItemDash:
		pdf.SetDrawColor(int(c.R), int(c.G), int(c.B))
		pdf.SetLineWidth(it.H)
		pdf.SetDashPattern([]float64{3, 2}, 0)
		pdf.Line(x, y, x+it.W, y)
		pdf.SetDashPattern(nil, 0)
	}
}
