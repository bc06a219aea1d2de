//go:build !camera

package scanner

import "fmt"

// CameraSupported reports whether this build can open real cameras (built with -tags camera).
const CameraSupported = false

// ListCameras returns no cameras: this build has no camera driver (build with -tags camera).
func ListCameras() ([]CameraInfo, error) { return nil, nil }

// OpenCamera answers ErrNoCamera: this build has no camera driver (build with -tags camera).
// File, image-sequence and MJPEG sources work in every build.
func OpenCamera(id string, width, height int) (FrameSource, error) {
	return nil, fmt.Errorf("camera %q: built without -tags camera: %w", id, ErrNoCamera)
}
