//go:build camera

package scanner

import (
	"errors"
	"testing"

	"github.com/pion/mediadevices/pkg/frame"
	"github.com/pion/mediadevices/pkg/prop"
)

func TestPickMode(t *testing.T) {
	mode := func(w, h int, f frame.Format) prop.Media {
		return prop.Media{Video: prop.Video{Width: w, Height: h, FrameFormat: f}}
	}
	modes := []prop.Media{
		mode(1920, 1080, frame.FormatMJPEG),
		mode(1280, 720, frame.FormatMJPEG),
		mode(1280, 720, frame.FormatYUYV),
		mode(640, 480, frame.FormatYUYV),
		mode(1280, 720, "H264"),
	}
	got, ok := pickMode(modes, 1280, 720)
	if !ok || got.Width != 1280 || got.FrameFormat != frame.FormatYUYV {
		t.Errorf("pickMode = %+v, %v; want 1280×720 YUYV", got.Video, ok)
	}
	if _, ok := pickMode([]prop.Media{mode(1280, 720, "H264")}, 1280, 720); ok {
		t.Error("pickMode accepted a compressed video format")
	}
}

func TestOpenMissingCamera(t *testing.T) {
	if _, err := OpenCamera("no-such-camera", 1280, 720); !errors.Is(err, ErrNoCamera) {
		t.Errorf("OpenCamera = %v, want ErrNoCamera", err)
	}
}
