package scanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func jpegBytes(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withEXIF inserts an APP1 segment holding a fake thumbnail (with its own SOI/EOI) after SOI.
func withEXIF(j []byte) []byte {
	thumb := []byte("Exif\x00\x00\xff\xd8\xff\xd9 thumbnail \xff\xd9")
	seg := []byte{0xFF, 0xE1, byte((len(thumb) + 2) >> 8), byte(len(thumb) + 2)}
	out := append([]byte{}, j[:2]...)
	out = append(out, seg...)
	out = append(out, thumb...)
	return append(out, j[2:]...)
}

func blankFrame() *image.Gray {
	g := image.NewGray(image.Rect(0, 0, 320, 240))
	draw.Draw(g, g.Rect, image.White, image.Point{}, draw.Src)
	return g
}

func qrFrame(t testing.TB, text string) *image.Gray {
	g := blankFrame()
	q := qrImage(t, text, 200)
	draw.Draw(g, image.Rect(60, 20, 260, 220), q, image.Point{}, draw.Src)
	return g
}

type nopCloser struct{ io.Reader }

func (nopCloser) Close() error { return nil }

func readAllFrames(t *testing.T, src FrameSource) []image.Image {
	t.Helper()
	var out []image.Image
	for {
		img, err := src.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, img)
	}
}

func TestMJPEGSources(t *testing.T) {
	a, b := jpegBytes(t, qrFrame(t, "A123456")), jpegBytes(t, qrFrame(t, "B654321"))
	var concat bytes.Buffer
	concat.Write([]byte("garbage before"))
	concat.Write(withEXIF(a))
	concat.Write(b)
	var multi bytes.Buffer
	for _, f := range [][]byte{a, b} {
		fmt.Fprintf(&multi, "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", len(f))
		multi.Write(f)
		multi.WriteString("\r\n")
	}
	multi.WriteString("--frame--\r\n")
	var bare bytes.Buffer // body of an HTTP response: boundary only in the header
	bare.Write(multi.Bytes())

	for _, tt := range []struct {
		name string
		src  FrameSource
	}{
		{"concatenated with an EXIF thumbnail", NewMJPEGSource(nopCloser{&concat}, 0)},
		{"multipart", NewMJPEGSource(nopCloser{&multi}, 0)},
		{"multipart with content type", NewMJPEGSourceFromResponse(nopCloser{&bare}, "multipart/x-mixed-replace; boundary=frame", 0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			frames := readAllFrames(t, tt.src)
			var got []string
			for _, f := range frames {
				r, err := NewDecoder(DecoderOptions{}).Decode(f)
				if err != nil {
					t.Fatalf("frame %d: %v", len(got), err)
				}
				got = append(got, r.Text)
			}
			if diff := cmp.Diff([]string{"A123456", "B654321"}, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestMJPEGTruncated(t *testing.T) {
	j := jpegBytes(t, blankFrame())
	src := NewMJPEGSource(nopCloser{bytes.NewReader(j[:len(j)/2])}, 0)
	if _, err := src.Next(context.Background()); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated frame: %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestOpenFileSource(t *testing.T) {
	dir := t.TempDir()
	seq := filepath.Join(dir, "seq")
	os.Mkdir(seq, 0o755)
	for i, text := range []string{"A123456", "B654321"} {
		if err := writePNG(filepath.Join(seq, fmt.Sprintf("%02d.png", i)), qrFrame(t, text)); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(seq, "notes.txt"), []byte("not a frame"), 0o644)
	still := filepath.Join(dir, "still.png")
	writePNG(still, qrFrame(t, "C111111"))
	mj := filepath.Join(dir, "clip.bin")
	os.WriteFile(mj, append(jpegBytes(t, qrFrame(t, "D1")), jpegBytes(t, blankFrame())...), 0o644)

	for _, tt := range []struct {
		path   string
		frames int // read this many
		want   []string
		eof    bool
	}{
		{seq, 4, []string{"A123456", "B654321", "A123456", "B654321"}, false},
		{still, 3, []string{"C111111", "C111111", "C111111"}, false},
		{mj, 3, []string{"D1", ""}, true},
	} {
		src, err := OpenFileSource(tt.path, 0)
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		var got []string
		var gotEOF bool
		for i := 0; i < tt.frames; i++ {
			img, err := src.Next(context.Background())
			if errors.Is(err, io.EOF) {
				gotEOF = true
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			r, _ := NewDecoder(DecoderOptions{}).Decode(img)
			got = append(got, r.Text)
		}
		src.Close()
		if diff := cmp.Diff(tt.want, got); diff != "" || gotEOF != tt.eof {
			t.Errorf("%s: eof %v, want %v (-want +got)\n%s", tt.path, gotEOF, tt.eof, diff)
		}
	}
	if _, err := OpenFileSource(filepath.Join(dir, "missing"), 0); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// frameList is a finite FrameSource over images in memory, paced at fps.
type frameList struct {
	frames []image.Image
	pace   pacer
}

func (f *frameList) Next(ctx context.Context) (image.Image, error) {
	if len(f.frames) == 0 {
		return nil, io.EOF
	}
	if err := f.pace.wait(ctx); err != nil {
		return nil, err
	}
	img := f.frames[0]
	f.frames = f.frames[1:]
	return img, nil
}

func (f *frameList) Close() error { return nil }

func TestCameraPipelineDedupsAndPreviews(t *testing.T) {
	a, b, blank := qrFrame(t, "751234212312"), qrFrame(t, "198374613512"), blankFrame()
	frames := []image.Image{blank, a, a, a, blank, a, b, b}
	src := &frameList{frames: frames, pace: newPacer(20)}
	var mu sync.Mutex
	var scans []string
	previews := 0
	cam := NewCamera(src, CameraConfig{Dedup: time.Minute, MaxPreviewFPS: 1000}, func(e Event) {
		if e.Source != SourceCamera {
			t.Errorf("source %q", e.Source)
		}
		mu.Lock()
		scans = append(scans, e.Text)
		mu.Unlock()
	}, func(p *image.RGBA) {
		if p.Rect.Dx() != 320 {
			t.Errorf("preview %v", p.Rect)
		}
		mu.Lock()
		previews++
		mu.Unlock()
	})
	if err := cam.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	// "a" comes back after a blank frame but within Dedup: still one scan.
	if diff := cmp.Diff([]string{"751234212312", "198374613512"}, scans); diff != "" {
		t.Errorf("scans (-want +got)\n%s", diff)
	}
	if previews != len(frames) {
		t.Errorf("%d previews, want %d", previews, len(frames))
	}
}

func TestCameraPreviewRateWhileDecodingAndStop(t *testing.T) {
	// A 1280×720 frame with no code keeps the decoder busy every frame.
	src := &countingSource{FrameSource: NewStillSource(toYCbCr(nil, 1280, 720), 30)}
	var mu sync.Mutex
	previews := 0
	cam := NewCamera(src, CameraConfig{}, nil, func(p *image.RGBA) {
		if p.Rect.Dx() != 640 || p.Rect.Dy() != 360 {
			t.Errorf("preview %v, want 640×360", p.Rect)
		}
		mu.Lock()
		previews++
		mu.Unlock()
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	err := cam.Run(ctx)
	elapsed := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run = %v, want the context's error", err)
	}
	// Run stops once the decode in progress ends: one frame's budget, or far longer under the
	// race detector.
	stopBy := 1500 * time.Millisecond
	if raceEnabled {
		stopBy = 5 * time.Second
	}
	if elapsed > stopBy {
		t.Errorf("Run took %v to stop", elapsed)
	}
	mu.Lock()
	defer mu.Unlock()
	min := 15
	if raceEnabled {
		// The race detector slows the conversion ten times over: only check that previews
		// keep flowing while the decoder is busy. The rate is measured without it.
		min = 3
	}
	t.Logf("%d preview frames of %d camera frames in 1 s while decoding 1280×720 frames", previews, src.n)
	// On a machine too busy to deliver 30 frames a second, every delivered frame still has
	// its preview: decoding never holds the preview up.
	min = minInt(min, src.n-1)
	if previews < min {
		t.Errorf("%d preview frames in 1 s, want ≥ %d", previews, min)
	}
}

func TestCameraReadsYCbCrFrames(t *testing.T) {
	frame := onCanvas(qrImage(t, "751234212312", 220), 1280, 720, 500, 250)
	src := &frameList{frames: []image.Image{frame, frame, frame}}
	var got []string
	cam := NewCamera(src, CameraConfig{}, func(e Event) { got = append(got, e.Text) }, nil)
	if err := cam.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"751234212312"}, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestCameraPreviewCap(t *testing.T) {
	src := NewStillSource(blankFrame(), 200)
	var mu sync.Mutex
	previews := 0
	cam := NewCamera(src, CameraConfig{MaxPreviewFPS: 10}, nil, func(*image.RGBA) {
		mu.Lock()
		previews++
		mu.Unlock()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	cam.Run(ctx)
	mu.Lock()
	defer mu.Unlock()
	if previews < 2 || previews > 8 {
		t.Errorf("%d previews in 0.5 s at MaxPreviewFPS 10, want 2–8", previews)
	}
}

// countingSource counts the frames it delivered.
type countingSource struct {
	FrameSource
	n int
}

func (c *countingSource) Next(ctx context.Context) (image.Image, error) {
	img, err := c.FrameSource.Next(ctx)
	if err == nil {
		c.n++
	}
	return img, err
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}
