package scanner

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// barcodeDir finds the shared ZXing photo set: $CARDPOS_BARCODES, or ../shared/testdata/barcodes
// next to the repository.
func barcodeDir(t testing.TB) string {
	if d := os.Getenv("CARDPOS_BARCODES"); d != "" {
		return d
	}
	d, _ := filepath.Abs(filepath.Join("..", "..", "shared", "testdata", "barcodes"))
	if _, err := os.Stat(d); err != nil {
		t.Skipf("no barcode photo set at %s (set CARDPOS_BARCODES): %v", d, err)
	}
	return d
}

// passBars are ZXing's own pass bars from the photo set's README (0°, 90°, 180°, 270°); -1: none.
var passBars = map[string][4]int{
	"zxing-qrcode-1":  {17, 14, 17, 14},
	"zxing-qrcode-2":  {32, 30, 31, 31},
	"zxing-qrcode-3":  {38, 39, 36, 39},
	"zxing-code128-1": {7, -1, -1, -1},
}

// wrongText lists photos whose .txt disagrees with the symbol itself. zxing-qrcode-2/13.png (an
// artistic QR over an aerial photo) decodes at EC level Q with zero Reed-Solomon corrections to
// "photography"; the .txt says "photograph". Zero corrections means the codewords are an exact
// RS codeword, not a miscorrection, so the file is wrong, not the read. Such reads are counted
// in their own column, never as decoded.
var wrongText = map[string]string{
	"zxing-qrcode-2/13.png": "The 2005 USGS aerial photography of the Washington Monument is censored.",
}

type sample struct {
	name string
	want []byte
	img  *image.Gray
}

func loadSamples(t testing.TB, dir string) []sample {
	pngs, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	var out []sample
	for _, p := range pngs {
		want, err := os.ReadFile(strings.TrimSuffix(p, ".png") + ".txt")
		if err != nil {
			continue
		}
		img, err := loadImage(p)
		if err != nil {
			t.Fatal(err)
		}
		var d Decoder
		pl := d.luminance(img)
		g := image.NewGray(image.Rect(0, 0, pl.w, pl.h))
		for y := 0; y < pl.h; y++ {
			copy(g.Pix[y*g.Stride:], pl.pix[y*pl.stride:y*pl.stride+pl.w])
		}
		out = append(out, sample{name: filepath.Base(p), want: want, img: g})
	}
	sort.Slice(out, func(i, j int) bool { return natLess(out[i].name, out[j].name) })
	return out
}

func natLess(a, b string) bool {
	na, _ := strconv.Atoi(strings.TrimSuffix(a, ".png"))
	nb, _ := strconv.Atoi(strings.TrimSuffix(b, ".png"))
	return na < nb
}

// rotateGray turns g clockwise by quarter turns.
func rotateGray(g *image.Gray, quarters int) *image.Gray {
	out := g
	for q := 0; q < quarters%4; q++ {
		w, h := out.Rect.Dx(), out.Rect.Dy()
		r := image.NewGray(image.Rect(0, 0, h, w))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				// clockwise: (x, y) -> (h-1-y, x)
				r.Pix[x*r.Stride+(h-1-y)] = out.Pix[y*out.Stride+x]
			}
		}
		out = r
	}
	return out
}

type tally struct{ ok, miss, wrongTxt, total int }

func (t tally) String() string {
	s := fmt.Sprintf("%d/%d", t.ok, t.total)
	if t.miss > 0 {
		s += fmt.Sprintf(" %dmis", t.miss)
	}
	if t.wrongTxt > 0 {
		s += fmt.Sprintf(" %dtxt", t.wrongTxt)
	}
	return s
}

func (t *tally) add(o tally) {
	t.ok, t.miss, t.wrongTxt, t.total = t.ok+o.ok, t.miss+o.miss, t.wrongTxt+o.wrongTxt, t.total+o.total
}

// TestDecodeQuality decodes the ZXing photos at 0°, 90°, 180° and 270° and fails below ZXing's
// own pass bars or on any misread. With ZXingReader (zxing-cpp) on PATH it reads the same rotated
// files and logs both counts side by side: go test -run TestDecodeQuality -v ./scanner/
func TestDecodeQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("decode quality runs the whole photo set")
	}
	root := barcodeDir(t)
	zx, _ := exec.LookPath("ZXingReader")
	tmp := t.TempDir()
	folders := []string{"zxing-qrcode-1", "zxing-qrcode-2", "zxing-qrcode-3", "zxing-code128-1"}
	var table strings.Builder
	fmt.Fprintf(&table, "\ndecoded/total, Nmis = misreads, Ntxt = read the symbol's real text where the .txt is wrong\n")
	fmt.Fprintf(&table, "%-16s %-4s %-16s %-16s %s\n", "folder", "rot", "cardpos", "zxing-cpp", "slowest")
	var sumOurs, sumZX tally
	for _, folder := range folders {
		samples := loadSamples(t, filepath.Join(root, folder))
		if len(samples) == 0 {
			t.Errorf("%s: no samples", folder)
			continue
		}
		for q := 0; q < 4; q++ {
			if raceEnabled && q > 0 {
				break // the race detector makes the whole set take minutes: 0° only
			}
			var ours, theirs tally
			var slowest time.Duration
			var failed []string
			for _, s := range samples {
				img := rotateGray(s.img, q)
				ours.total++
				start := time.Now()
				r, err := NewDecoder(DecoderOptions{}).Decode(img)
				slowest = max(slowest, time.Since(start))
				switch {
				case err != nil:
					failed = append(failed, s.name)
				case r.Text == string(s.want):
					ours.ok++
				case r.Text == wrongText[folder+"/"+s.name]:
					ours.wrongTxt++
				default:
					ours.miss++
					t.Errorf("%s/%s at %d°: misread %q, want %q", folder, s.name, 90*q, r.Text, s.want)
				}
				if zx != "" {
					theirs.total++
					f := filepath.Join(tmp, fmt.Sprintf("%s-%d-%s", folder, q, s.name))
					if err := writePNG(f, img); err != nil {
						t.Fatal(err)
					}
					if text, ok := zxingCPP(zx, f); ok {
						if text == string(s.want) {
							theirs.ok++
						} else if text == wrongText[folder+"/"+s.name] {
							theirs.wrongTxt++
						} else {
							theirs.miss++
							t.Logf("zxing-cpp %s/%s at %d°: misread %q", folder, s.name, 90*q, text)
						}
					}
				}
			}
			zxs := "-"
			if zx != "" {
				zxs = theirs.String()
			}
			fmt.Fprintf(&table, "%-16s %-4d %-16s %-16s %v  missed: %s\n", folder, 90*q, ours, zxs, slowest.Round(time.Millisecond), strings.Join(failed, " "))
			sumOurs.add(ours)
			sumZX.add(theirs)
			if bar := passBars[folder][q]; bar >= 0 && ours.ok < bar {
				t.Errorf("%s at %d°: decoded %d, below ZXing's pass bar %d", folder, 90*q, ours.ok, bar)
			}
		}
	}
	fmt.Fprintf(&table, "%-16s %-4s %-16s %-16s\n", "total", "", sumOurs, sumZX)
	t.Log(table.String())
}

func writePNG(path string, img image.Image) error {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// zxingCPP runs zxing-cpp's reader on one file for QR and Code 128 and returns the first text.
func zxingCPP(bin, path string) (string, bool) {
	out, err := exec.Command(bin, "-format", "QRCode,Code128", "-1", path).Output()
	if err != nil {
		return "", false
	}
	line, _, _ := strings.Cut(string(out), "\n")
	i := strings.IndexByte(line, '"')
	j := strings.LastIndexByte(line, '"')
	if i < 0 || j <= i {
		return "", false
	}
	return unescapeZXing(line[i+1 : j]), true
}

var asciiNames = []string{"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR", "SO", "SI",
	"DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"}

// unescapeZXing undoes ZXingReader -1's escapes: <CR>, <LF>, <U+30E2>, <DEL>.
func unescapeZXing(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		if s[0] == '<' {
			if k := strings.IndexByte(s, '>'); k > 0 {
				name := s[1:k]
				if strings.HasPrefix(name, "U+") {
					if v, err := strconv.ParseUint(name[2:], 16, 32); err == nil {
						b.WriteRune(rune(v))
						s = s[k+1:]
						continue
					}
				}
				if name == "DEL" {
					b.WriteByte(0x7f)
					s = s[k+1:]
					continue
				}
				if i := indexOf(asciiNames, name); i >= 0 {
					b.WriteByte(byte(i))
					s = s[k+1:]
					continue
				}
			}
		}
		b.WriteByte(s[0])
		s = s[1:]
	}
	return b.String()
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
