//go:build !camera

package scanner

import (
	"errors"
	"testing"
)

func TestNoCameraInThisBuild(t *testing.T) {
	if CameraSupported {
		t.Fatal("CameraSupported without the camera tag")
	}
	if _, err := OpenCamera("", 1280, 720); !errors.Is(err, ErrNoCamera) {
		t.Errorf("OpenCamera = %v, want ErrNoCamera", err)
	}
}
