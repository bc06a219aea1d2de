//go:build camera

package scanner

// The real camera comes from pion/mediadevices v0.9.4: one API over V4L2 (Linux), DirectShow
// (Windows) and AVFoundation (macOS), frames as *image.YCbCr straight from the device's YUYV,
// NV12 or I420 buffers, so the decoder reads the Y plane in place. The alternative,
// blackjack/webcam, is pure Go but Linux only. mediadevices needs cgo on every platform
// (<linux/videodev2.h>, a C++ DirectShow shim, Objective-C), so it is built only with
// `-tags camera` (the release builds, which need cgo for Fyne anyway); without the tag,
// OpenCamera answers ErrNoCamera and every other source still works.

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"sync"

	"github.com/pion/mediadevices/pkg/driver"
	_ "github.com/pion/mediadevices/pkg/driver/camera" // registers the platform's cameras
	"github.com/pion/mediadevices/pkg/frame"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
)

// CameraSupported reports whether this build can open real cameras (built with -tags camera).
const CameraSupported = true

// ListCameras returns the cameras attached to this machine.
func ListCameras() ([]CameraInfo, error) {
	var out []CameraInfo
	for _, d := range driver.GetManager().Query(driver.FilterDeviceType(driver.Camera)) {
		out = append(out, CameraInfo{ID: d.ID(), Label: d.Info().Label})
	}
	return out, nil
}

// OpenCamera opens the camera with id ("" for the first one) at the mode closest to
// width×height, preferring uncompressed YUV formats over MJPEG.
func OpenCamera(id string, width, height int) (FrameSource, error) {
	drivers := driver.GetManager().Query(driver.FilterDeviceType(driver.Camera))
	var d driver.Driver
	for _, c := range drivers {
		if id == "" || c.ID() == id {
			d = c
			break
		}
	}
	if d == nil {
		return nil, fmt.Errorf("camera %q: %w", id, ErrNoCamera)
	}
	if err := d.Open(); err != nil {
		return nil, fmt.Errorf("open camera %s: %w", d.Info().Label, err)
	}
	rec, ok := d.(driver.VideoRecorder)
	if !ok {
		d.Close()
		return nil, fmt.Errorf("camera %s records no video: %w", d.Info().Label, ErrNoCamera)
	}
	best, ok := pickMode(d.Properties(), width, height)
	if !ok {
		d.Close()
		return nil, fmt.Errorf("camera %s: no usable mode: %w", d.Info().Label, ErrNoCamera)
	}
	r, err := rec.VideoRecord(best)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("start camera %s: %w", d.Info().Label, err)
	}
	return &deviceSource{d: d, r: r}, nil
}

// pickMode chooses the mode nearest width×height (by pixel count), YUV before MJPEG.
func pickMode(modes []prop.Media, width, height int) (prop.Media, bool) {
	rank := func(f frame.Format) int {
		switch f {
		case frame.FormatYUYV, frame.FormatYUY2, frame.FormatNV12, frame.FormatI420, frame.FormatUYVY, frame.FormatNV21:
			return 0
		case frame.FormatMJPEG:
			return 1
		}
		return -1
	}
	var best prop.Media
	bestScore := math.Inf(1)
	for _, m := range modes {
		r := rank(m.FrameFormat)
		if r < 0 || m.Width <= 0 || m.Height <= 0 {
			continue
		}
		score := math.Abs(math.Log(float64(m.Width*m.Height)/float64(width*height))) + 0.5*float64(r)
		if score < bestScore {
			best, bestScore = m, score
		}
	}
	return best, !math.IsInf(bestScore, 1)
}

// deviceSource reads a started camera. The frame of one Next is released at the next.
type deviceSource struct {
	d       driver.Driver
	r       video.Reader
	mu      sync.Mutex
	release func()
}

func (s *deviceSource) Next(ctx context.Context) (image.Image, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.release != nil {
		s.release()
		s.release = nil
	}
	img, release, err := s.r.Read() // blocks for at most one frame interval
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("camera frame: %w", err)
	}
	s.release = release
	return img, nil
}

func (s *deviceSource) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.release != nil {
		s.release()
		s.release = nil
	}
	return s.d.Close()
}
