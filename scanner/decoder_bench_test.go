package scanner

import (
	"image"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// toYCbCr builds a 4:2:0 camera-like frame of w×h whose Y plane is src scaled to fit (nearest
// neighbour, centred on grey); a nil src gives a textured frame with no code in it.
func toYCbCr(src *image.Gray, w, h int) *image.YCbCr {
	f := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i := range f.Cb {
		f.Cb[i], f.Cr[i] = 128, 128
	}
	if src == nil {
		rng := rand.New(rand.NewPCG(1, 2))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				// soft blobs plus sensor noise: edges for the binarizer, no finder patterns
				v := 128 + 60*((x/37+y/23)%3-1) + rng.IntN(24) - 12
				f.Y[y*f.YStride+x] = byte(v)
			}
		}
		return f
	}
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	scale := min(float64(w)/float64(sw), float64(h)/float64(sh))
	ox, oy := (w-int(float64(sw)*scale))/2, (h-int(float64(sh)*scale))/2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sx, sy := int(float64(x-ox)/scale), int(float64(y-oy)/scale)
			v := byte(128)
			if x >= ox && y >= oy && sx < sw && sy < sh {
				v = src.Pix[sy*src.Stride+sx]
			}
			f.Y[y*f.YStride+x] = v
		}
	}
	return f
}

func benchFrame(b *testing.B, w, h int, withCode bool) {
	var src *image.Gray
	if withCode {
		samples := loadSamples(b, filepath.Join(barcodeDir(b), "zxing-qrcode-1"))
		src = samples[0].img
	}
	frame := toYCbCr(src, w, h)
	d := NewDecoder(DecoderOptions{Budget: FrameBudgetFor(w, h)})
	// A camera sees the same code in frame after frame: the first hit may take a few.
	var err error
	for i := 0; i < 10; i++ {
		if _, err = d.Decode(frame); err == nil {
			break
		}
	}
	if (err == nil) != withCode {
		b.Fatalf("Decode: %v, want a code: %v", err, withCode)
	}
	times := make([]time.Duration, 0, b.N)
	cpus := make([]time.Duration, 0, b.N)
	cpu, unlock := threadCPU()
	defer unlock()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0, c0 := time.Now(), cpu()
		d.Decode(frame)
		times = append(times, time.Since(t0))
		cpus = append(cpus, cpu()-c0)
	}
	b.StopTimer()
	p95 := func(ds []time.Duration) float64 {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return float64(ds[len(ds)*95/100].Microseconds()) / 1000
	}
	// Wall time includes waiting for the CPU on a shared machine; CPU time is one core's work.
	b.ReportMetric(p95(times), "p95-ms")
	b.ReportMetric(p95(cpus), "p95-cpu-ms")
}

// Run on one core: go test -run XXX -bench Decode -benchtime 100x -cpu 1 ./scanner/
func BenchmarkDecode640x480Code(b *testing.B)    { benchFrame(b, 640, 480, true) }
func BenchmarkDecode640x480NoCode(b *testing.B)  { benchFrame(b, 640, 480, false) }
func BenchmarkDecode1280x720Code(b *testing.B)   { benchFrame(b, 1280, 720, true) }
func BenchmarkDecode1280x720NoCode(b *testing.B) { benchFrame(b, 1280, 720, false) }
