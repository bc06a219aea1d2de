package scanner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDecodeBundledPhotos decodes the photos in testdata/barcodes at every quarter turn.
func TestDecodeBundledPhotos(t *testing.T) {
	dir := filepath.Join("..", "testdata", "barcodes")
	pngs, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil || len(pngs) == 0 {
		t.Fatalf("no bundled photos in %s: %v", dir, err)
	}
	for _, p := range pngs {
		want, err := os.ReadFile(strings.TrimSuffix(p, ".png") + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		img, err := loadImage(p)
		if err != nil {
			t.Fatal(err)
		}
		g := grayCopy(nil, img)
		for q := 0; q < 4; q++ {
			r, err := NewDecoder(DecoderOptions{}).Decode(rotateGray(g, q))
			if err != nil {
				t.Errorf("%s at %d°: %v", filepath.Base(p), 90*q, err)
				continue
			}
			if r.Text != string(want) {
				t.Errorf("%s at %d°: %q, want %q", filepath.Base(p), 90*q, r.Text, want)
			}
		}
	}
}
