package campaign

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
)

func benchPages(b *testing.B, f *Font, z Size, n int) []Page {
	b.Helper()
	pages := make([]Page, n)
	for i := range pages {
		c := storage.Campaign{URL: fmt.Sprintf("http://weixin.qq.com/q/02BHWya_zlfioH6f%04d", i),
			Scene: fmt.Sprintf("table-%02d", i+1), CardIDs: []string{"pCASH"}}
		content, err := ContentFor(c, []*wxapi.Card{demoCards()["pCASH"]}, i18n.Default(), i18n.ZH, beijing)
		if err != nil {
			b.Fatal(err)
		}
		if pages[i], err = Layout(z, content, f); err != nil {
			b.Fatal(err)
		}
	}
	return pages
}

// BenchmarkPDF measures WritePDF (font embedding and subsetting included) for one A4 poster and
// a 30-page batch.
func BenchmarkPDF(b *testing.B) {
	f, err := DefaultFont()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 30} {
		pages := benchPages(b, f, SizeA4, n)
		b.Run(fmt.Sprintf("a4x%d", n), func(b *testing.B) {
			for b.Loop() {
				if err := WritePDF(io.Discard, pages, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPNG measures one A4 preview at 150 dpi.
func BenchmarkPNG(b *testing.B) {
	f, err := DefaultFont()
	if err != nil {
		b.Fatal(err)
	}
	pages := benchPages(b, f, SizeA4, 1)
	for b.Loop() {
		if err := WritePNG(io.Discard, pages[0], f, PreviewDPI); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPosterBatch30 is the whole `cardpos poster` path for 30 scenes without the network:
// card lookup, 30 codes, 30 campaigns saved to SQLite, QR encoding, layout and the PDF.
func BenchmarkPosterBatch30(b *testing.B) {
	scenes := make([]string, 30)
	for i := range scenes {
		scenes[i] = fmt.Sprintf("table-%02d", i+1)
	}
	s, _ := newService(b, &fakeWX{cards: demoCards()})
	for b.Loop() {
		if _, err := s.Poster(context.Background(), PosterRequest{CardIDs: []string{"pCASH"}, Scenes: scenes}, io.Discard, FormatPDF); err != nil {
			b.Fatal(err)
		}
	}
}
