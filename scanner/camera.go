package scanner

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// FrameSource delivers camera frames, one at a time.
type FrameSource interface {
	// Next blocks until the next frame (paced at the source's frame rate) and returns it; the
	// frame stays valid until the following Next call. It returns io.EOF when a finite source
	// has no more frames, and ctx's error when ctx ends first.
	Next(ctx context.Context) (image.Image, error)
	// Close releases the source (the device, the file).
	Close() error
}

// ErrNoCamera is returned by OpenCamera when no camera can be opened (none attached, or a build
// without the camera tag).
var ErrNoCamera = errors.New("scanner: no camera")

// pacer spaces frames 1/fps apart; fps ≤ 0 does not wait.
type pacer struct {
	every time.Duration
	next  time.Time
}

func newPacer(fps int) pacer {
	if fps <= 0 {
		return pacer{}
	}
	return pacer{every: time.Second / time.Duration(fps)}
}

func (p *pacer) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.every == 0 {
		return nil
	}
	now := time.Now()
	if p.next.IsZero() || now.Sub(p.next) > p.every {
		p.next = now // first frame, or we fell behind: do not burst to catch up
	}
	if d := p.next.Sub(now); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	p.next = p.next.Add(p.every)
	return nil
}

// stillSource repeats one image forever: a demo camera pointed at a coupon.
type stillSource struct {
	img  image.Image
	pace pacer
}

// NewStillSource returns a FrameSource that shows img forever at fps frames per second.
func NewStillSource(img image.Image, fps int) FrameSource {
	return &stillSource{img: img, pace: newPacer(fps)}
}

func (s *stillSource) Next(ctx context.Context) (image.Image, error) {
	if err := s.pace.wait(ctx); err != nil {
		return nil, err
	}
	return s.img, nil
}

func (s *stillSource) Close() error { return nil }

// sequenceSource plays image files in order.
type sequenceSource struct {
	paths []string
	i     int
	loop  bool
	pace  pacer
}

// NewSequenceSource returns a FrameSource that plays the image files at paths in order at fps
// frames per second, from the start again when loop is set, else ending with io.EOF.
func NewSequenceSource(paths []string, fps int, loop bool) FrameSource {
	return &sequenceSource{paths: paths, loop: loop, pace: newPacer(fps)}
}

func (s *sequenceSource) Next(ctx context.Context) (image.Image, error) {
	if len(s.paths) == 0 {
		return nil, io.EOF
	}
	if s.i == len(s.paths) {
		if !s.loop {
			return nil, io.EOF
		}
		s.i = 0
	}
	if err := s.pace.wait(ctx); err != nil {
		return nil, err
	}
	img, err := loadImage(s.paths[s.i])
	s.i++
	return img, err
}

func (s *sequenceSource) Close() error { return nil }

// mjpegSource reads Motion JPEG: multipart/x-mixed-replace parts or JPEG files back to back.
type mjpegSource struct {
	rc   io.Closer
	br   *bufio.Reader
	mr   *multipart.Reader // nil: concatenated JPEGs
	pace pacer
}

// NewMJPEGSource returns a FrameSource reading Motion JPEG from r: either a
// multipart/x-mixed-replace stream (as IP cameras and `ffmpeg -f mpjpeg` send; the boundary is
// read from its first line) or JPEG images back to back (`ffmpeg -f mjpeg`). Frames are paced
// at fps (0: as fast as r delivers). Close closes r.
func NewMJPEGSource(r io.ReadCloser, fps int) FrameSource {
	s := &mjpegSource{rc: r, br: bufio.NewReaderSize(r, 64<<10), pace: newPacer(fps)}
	if head, err := s.br.Peek(2); err == nil && string(head) == "--" {
		line, err := s.br.ReadString('\n')
		if err == nil {
			boundary := strings.TrimSpace(strings.TrimPrefix(line, "--"))
			// Put the boundary line back in front of the stream for the multipart reader.
			s.mr = multipart.NewReader(io.MultiReader(strings.NewReader(line), s.br), boundary)
		}
	}
	return s
}

// NewMJPEGSourceFromResponse is NewMJPEGSource for a stream whose Content-Type header (e.g.
// "multipart/x-mixed-replace; boundary=frame") is known, such as an HTTP response.
func NewMJPEGSourceFromResponse(r io.ReadCloser, contentType string, fps int) FrameSource {
	_, params, err := mime.ParseMediaType(contentType)
	if b := params["boundary"]; err == nil && b != "" {
		return &mjpegSource{rc: r, mr: multipart.NewReader(r, strings.TrimPrefix(b, "--")), pace: newPacer(fps)}
	}
	return NewMJPEGSource(r, fps)
}

func (s *mjpegSource) Next(ctx context.Context) (image.Image, error) {
	if err := s.pace.wait(ctx); err != nil {
		return nil, err
	}
	var data []byte
	if s.mr != nil {
		part, err := s.mr.NextPart()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("mjpeg part: %w", err)
		}
		data, err = io.ReadAll(part)
		if err != nil {
			return nil, fmt.Errorf("mjpeg part: %w", err)
		}
	} else {
		var err error
		if data, err = nextJPEG(s.br); err != nil {
			return nil, err
		}
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("mjpeg frame: %w", err)
	}
	return img, nil
}

func (s *mjpegSource) Close() error { return s.rc.Close() }

// nextJPEG cuts one JPEG file (SOI to EOI) from r by walking its markers, so an EOI inside an
// EXIF thumbnail does not end it early. Bytes before the SOI are skipped.
func nextJPEG(r *bufio.Reader) ([]byte, error) {
	var out []byte
	// Find SOI (FF D8).
	prev := byte(0)
	for {
		c, err := r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			return nil, err
		}
		if prev == 0xFF && c == 0xD8 {
			break
		}
		prev = c
	}
	out = append(out, 0xFF, 0xD8)
	unexpected := func(err error) error {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("mjpeg: truncated frame: %w", io.ErrUnexpectedEOF)
		}
		return err
	}
	code := byte(0) // a marker code already read by the entropy-data scan
	for {
		c := code
		code = 0
		if c == 0 {
			// Read a marker: FF, possibly padded with more FF, then its code.
			b, err := r.ReadByte()
			if err != nil {
				return nil, unexpected(err)
			}
			if b != 0xFF {
				return nil, fmt.Errorf("mjpeg: expected a marker, got %#x", b)
			}
			for b == 0xFF {
				if b, err = r.ReadByte(); err != nil {
					return nil, unexpected(err)
				}
			}
			c = b
		}
		out = append(out, 0xFF, c)
		switch {
		case c == 0xD9: // EOI
			return out, nil
		case c == 0x01 || c >= 0xD0 && c <= 0xD7: // no length
			continue
		}
		var lenb [2]byte
		if _, err := io.ReadFull(r, lenb[:]); err != nil {
			return nil, unexpected(err)
		}
		n := int(lenb[0])<<8 | int(lenb[1])
		if n < 2 {
			return nil, fmt.Errorf("mjpeg: bad segment length %d", n)
		}
		out = append(out, lenb[:]...)
		start := len(out)
		out = slices.Grow(out, n-2)[:start+n-2]
		if _, err := io.ReadFull(r, out[start:]); err != nil {
			return nil, unexpected(err)
		}
		if c != 0xDA { // not SOS
			continue
		}
		// Entropy-coded data runs to the next marker that is not a stuffed 00 or an RST.
		for code == 0 {
			b, err := r.ReadByte()
			if err != nil {
				return nil, unexpected(err)
			}
			if b != 0xFF {
				out = append(out, b)
				continue
			}
			for b == 0xFF { // fill bytes
				if b, err = r.ReadByte(); err != nil {
					return nil, unexpected(err)
				}
			}
			if b == 0x00 || b >= 0xD0 && b <= 0xD7 {
				out = append(out, 0xFF, b)
				continue
			}
			code = b
		}
	}
}

// OpenFileSource opens a file camera for tests and demos (`--camera FILE`): a directory plays
// its PNG/JPEG/GIF files in name order, looping; a .mjpeg/.mjpg file (or any file holding more
// than one JPEG, or a multipart stream) plays its frames once; any other image is shown forever.
// Frames come at fps per second.
func OpenFileSource(path string, fps int) (FrameSource, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("camera file: %w", err)
	}
	if st.IsDir() {
		var paths []string
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("camera folder: %w", err)
		}
		for _, e := range entries {
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".png", ".jpg", ".jpeg", ".gif":
				paths = append(paths, filepath.Join(path, e.Name()))
			}
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("camera folder %s: no images: %w", path, ErrNoCamera)
		}
		return NewSequenceSource(paths, fps, true), nil
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".mjpeg" || ext == ".mjpg" || isMotionJPEG(path) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("camera file: %w", err)
		}
		return NewMJPEGSource(f, fps), nil
	}
	img, err := loadImage(path)
	if err != nil {
		return nil, err
	}
	return NewStillSource(img, fps), nil
}

// isMotionJPEG reports whether the file is a multipart stream or holds a second JPEG.
func isMotionJPEG(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if head, err := br.Peek(2); err == nil && string(head) == "--" {
		return true
	}
	if head, err := br.Peek(2); err != nil || head[0] != 0xFF || head[1] != 0xD8 {
		return false
	}
	if _, err := nextJPEG(br); err != nil {
		return false
	}
	_, err = nextJPEG(br)
	return err == nil
}

// CameraConfig tunes a Camera pipeline. Zero fields take the defaults in parentheses.
type CameraConfig struct {
	// Budget is the decode time per frame (FrameBudgetFor the frame's size).
	Budget time.Duration
	// Dedup: the same text seen again within Dedup of the last time it was seen is the same
	// scan, so a coupon held in view is read once (3 s).
	Dedup time.Duration
	// PreviewWidth bounds the preview's width; frames are scaled down to it (640).
	PreviewWidth int
	// MaxPreviewFPS caps how many preview frames go to the UI per second (30).
	MaxPreviewFPS int
}

func (c CameraConfig) withDefaults() CameraConfig {
	if c.Dedup <= 0 {
		c.Dedup = 3 * time.Second
	}
	if c.PreviewWidth <= 0 {
		c.PreviewWidth = 640
	}
	if c.MaxPreviewFPS <= 0 {
		c.MaxPreviewFPS = 30
	}
	return c
}

// Camera runs a FrameSource through the decoder: every frame becomes a preview for the UI, and
// the newest frame is decoded on a goroutine of its own, so a slow decode never holds up the
// preview (frames that arrive while it decodes are skipped, not queued). A code seen again
// within Dedup is not emitted again.
type Camera struct {
	src     FrameSource
	cfg     CameraConfig
	emit    func(Event)
	preview func(*image.RGBA)
}

// NewCamera returns a Camera reading src. emit receives each scan (Source SourceCamera) and
// preview each preview frame, a new *image.RGBA the receiver keeps; either may be nil. Both are
// called on Run's goroutines, never the UI's: the UI routes them through fyne.Do.
func NewCamera(src FrameSource, cfg CameraConfig, emit func(Event), preview func(*image.RGBA)) *Camera {
	return &Camera{src: src, cfg: cfg.withDefaults(), emit: emit, preview: preview}
}

// frameBox hands the newest frame's grey copy from the reader to the decoder; a frame that
// arrives before the decoder took the previous one replaces it.
type frameBox struct {
	mu      sync.Mutex
	pending *image.Gray
	busy    bool // the decoder is working on a frame
	wake    chan struct{}
	spare   chan *image.Gray // buffers the decoder is done with
}

func (b *frameBox) put(g *image.Gray) {
	b.mu.Lock()
	old := b.pending
	b.pending = g
	b.mu.Unlock()
	if old != nil {
		b.recycle(old)
	}
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *frameBox) take() *image.Gray {
	b.mu.Lock()
	defer b.mu.Unlock()
	g := b.pending
	b.pending = nil
	b.busy = g != nil
	return g
}

func (b *frameBox) done(g *image.Gray) {
	b.mu.Lock()
	b.busy = false
	b.mu.Unlock()
	b.recycle(g)
}

func (b *frameBox) idle() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pending == nil && !b.busy
}

func (b *frameBox) recycle(g *image.Gray) {
	select {
	case b.spare <- g:
	default:
	}
}

func (b *frameBox) buffer() *image.Gray {
	select {
	case g := <-b.spare:
		return g
	default:
		return nil
	}
}

// Run reads frames until ctx ends or the source does, and returns nil when the source ended
// (io.EOF, after the last frame was decoded), ctx's error, or the source's error. It blocks: the
// caller owns the goroutine and stops it by cancelling ctx. Run starts one decoder goroutine
// and waits for it before it returns; it does not close the source.
func (c *Camera) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	box := &frameBox{wake: make(chan struct{}, 1), spare: make(chan *image.Gray, 2)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.decodeLoop(ctx, box)
	}()
	defer wg.Wait()
	defer cancel()

	var lastPreview time.Time
	// A frame that comes a little early (the source catching up) still gets its preview.
	minGap := time.Second / time.Duration(c.cfg.MaxPreviewFPS) * 3 / 4
	for {
		img, err := c.src.Next(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				// Let the decoder finish the last frame before stopping.
				for deadline := time.Now().Add(5 * time.Second); !box.idle() && time.Now().Before(deadline) && ctx.Err() == nil; {
					time.Sleep(2 * time.Millisecond)
				}
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("camera: %w", err)
		}
		box.put(grayCopy(box.buffer(), img))
		if c.preview != nil && time.Since(lastPreview) >= minGap {
			lastPreview = time.Now()
			c.preview(previewRGBA(img, c.cfg.PreviewWidth))
		}
	}
}

func (c *Camera) decodeLoop(ctx context.Context, box *frameBox) {
	var d *Decoder
	var size image.Point
	lastText := ""
	var lastAt time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-box.wake:
		}
		g := box.take()
		if g == nil {
			continue
		}
		if sz := g.Rect.Size(); d == nil || sz != size {
			size = sz
			budget := c.cfg.Budget
			if budget <= 0 {
				budget = FrameBudgetFor(sz.X, sz.Y)
			}
			d = NewDecoder(DecoderOptions{Budget: budget})
		}
		r, err := d.Decode(g)
		now := time.Now()
		if err == nil {
			if c.emit != nil && (r.Text != lastText || now.Sub(lastAt) > c.cfg.Dedup) {
				c.emit(Event{Text: r.Text, Source: SourceCamera, At: now.UTC()})
			}
			lastText, lastAt = r.Text, now
		}
		box.done(g)
	}
}

// grayCopy copies img's luminance into g (reused when it has the size): the Y plane of a
// camera frame as is, other images through the decoder's conversion.
func grayCopy(g *image.Gray, img image.Image) *image.Gray {
	b := img.Bounds()
	if g == nil || g.Rect.Size() != b.Size() {
		g = image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	}
	var d Decoder
	p := d.luminance(img)
	for y := 0; y < p.h; y++ {
		copy(g.Pix[y*g.Stride:y*g.Stride+p.w], p.pix[y*p.stride:])
	}
	return g
}

// previewRGBA scales img down to at most width pixels wide (nearest neighbour) into a new RGBA.
func previewRGBA(img image.Image, width int) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > width {
		h = h * width / w
		w = width
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	if w == b.Dx() {
		draw.Draw(out, out.Rect, img, b.Min, draw.Src)
		return out
	}
	if yc, ok := img.(*image.YCbCr); ok {
		xs := make([]int, w)
		for x := range xs {
			xs[x] = b.Min.X + x*b.Dx()/w
		}
		for y := 0; y < h; y++ {
			sy := b.Min.Y + y*b.Dy()/h
			o := out.Pix[y*out.Stride : y*out.Stride+4*w]
			yrow := yc.Y[yc.YOffset(b.Min.X, sy)-(b.Min.X-yc.Rect.Min.X):]
			for x, sx := range xs {
				ci := yc.COffset(sx, sy)
				r, g, bl := ycbcrToRGB(yrow[sx-yc.Rect.Min.X], yc.Cb[ci], yc.Cr[ci])
				o[4*x], o[4*x+1], o[4*x+2], o[4*x+3] = r, g, bl, 255
			}
		}
		return out
	}
	for y := 0; y < h; y++ {
		sy := b.Min.Y + y*b.Dy()/h
		for x := 0; x < w; x++ {
			out.Set(x, y, img.At(b.Min.X+x*b.Dx()/w, sy))
		}
	}
	return out
}

func ycbcrToRGB(y, cb, cr uint8) (uint8, uint8, uint8) {
	yy := int32(y) * 0x10101
	cb1, cr1 := int32(cb)-128, int32(cr)-128
	clamp := func(v int32) uint8 {
		if uint32(v)&0xff000000 == 0 {
			return uint8(v >> 16)
		}
		return uint8(^(v >> 31))
	}
	return clamp(yy + 91881*cr1), clamp(yy - 22554*cb1 - 46802*cr1), clamp(yy + 116130*cb1)
}

// CameraInfo names one camera for the settings screen.
type CameraInfo struct {
	ID    string // what to pass to OpenCamera
	Label string // the device's name
}
