package ui

import (
	"context"
	"image"
	"image/color"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/scanner"
)

// cameraView is the live preview with a framing box, shown while the camera is on (F2).
type cameraView struct {
	c       *Counter
	content *fyne.Container
	img     *canvas.Image
	label   *canvas.Text
	stop    context.CancelFunc
	pending atomic.Bool // a frame is on its way to Fyne's goroutine: drop newer ones meanwhile
	frames  atomic.Int64
}

func newCameraView(c *Counter) *cameraView {
	v := &cameraView{c: c}
	v.img = canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 320, 240)))
	v.img.ScaleMode = canvas.ImageScaleFastest
	v.img.FillMode = canvas.ImageFillContain
	v.img.SetMinSize(fyne.NewSize(340, 255))
	box := canvas.NewRectangle(color.Transparent)
	box.StrokeColor = color.NRGBA{R: 0x00, G: 0xe6, B: 0x76, A: 0xff}
	box.StrokeWidth = 3
	frame := container.New(&framingLayout{}, box)
	v.label = newText(SizeBody, false, ColorSubtle)
	v.content = container.NewVBox(container.NewStack(v.img, frame), v.label)
	v.content.Hide()
	return v
}

func (v *cameraView) running() bool { return v.stop != nil }

func (v *cameraView) render() {
	setText(v.label, v.c.t("ui.camera.hint"))
}

// ToggleCamera is F2: open the camera with its live preview, or close it.
func (c *Counter) ToggleCamera() {
	v := c.cam
	if v.running() {
		v.stop()
		v.stop = nil
		v.content.Hide()
		if !c.samples.content.Visible() {
			c.side.Hide()
		}
		c.render()
		return
	}
	if c.opts.Camera == nil {
		return
	}
	src, err := c.opts.Camera()
	if err != nil {
		c.log.Error("counter: open camera", "err", err)
		c.setNotice(redeem.Message{Key: "ui.notice.camera_failed"})
		return
	}
	ctx, stop := context.WithCancel(c.ctx)
	v.stop = stop
	v.content.Show()
	c.side.Show()
	c.render()
	cam := scanner.NewCamera(src, c.opts.CameraConfig, func(ev scanner.Event) {
		c.post(func() { c.cameraScan(ev) })
	}, v.show)
	// The camera goroutine belongs to the counter: F2 again or Close cancels ctx, Run returns
	// and the source is closed. A failure closes the preview and says so; a file source that
	// ends leaves its last frame on screen.
	go func() {
		err := cam.Run(ctx)
		if cerr := src.Close(); cerr != nil {
			c.log.Warn("counter: close camera", "err", cerr)
		}
		if ctx.Err() != nil || err == nil {
			return
		}
		c.post(func() {
			c.log.Error("counter: camera", "err", err)
			if v.stop != nil {
				v.stop()
				v.stop = nil
			}
			v.content.Hide()
			c.setNotice(redeem.Message{Key: "ui.notice.camera_failed"})
		})
	}()
}

// show hands one preview frame to Fyne's goroutine; while one is waiting, newer frames are
// dropped so that a slow screen never queues frames.
func (v *cameraView) show(frame *image.RGBA) {
	if frame == nil || !v.pending.CompareAndSwap(false, true) {
		return
	}
	v.c.post(func() {
		v.pending.Store(false)
		if v.stop == nil {
			return
		}
		v.img.Image = frame
		v.img.Refresh()
		v.frames.Add(1)
	})
}

// cameraScan takes a camera read only while the counter is ready: the camera pauses after a
// read until the result is acknowledged.
func (c *Counter) cameraScan(ev scanner.Event) {
	if c.state == StateReady || (c.state == StateResult && c.res.verdict == VerdictRedeemed) {
		c.HandleScan(ev)
	}
}

// framingLayout draws the framing box over the middle 60 % of the preview.
type framingLayout struct{}

func (framingLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, 0) }

func (framingLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w, h := size.Width*0.6, size.Height*0.6
	for _, o := range objs {
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos((size.Width-w)/2, (size.Height-h)/2))
	}
}
