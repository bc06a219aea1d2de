package scanner

import (
	"image"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestHubDedup(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	ev := func(text string, src Source, at time.Duration) Event {
		return Event{Text: text, Source: src, At: t0.Add(at)}
	}
	tests := []struct {
		name string
		in   []Event
		want []bool
	}{
		{"camera repeats are one scan while in view",
			[]Event{ev("A1", SourceCamera, 0), ev("A1", SourceCamera, 2000*ms), ev("A1", SourceCamera, 4000*ms), ev("A1", SourceCamera, 7100*ms)},
			[]bool{true, false, false, true}},
		{"wedge repeat within 800 ms dropped, after it kept",
			[]Event{ev("A1", SourceWedge, 0), ev("A1", SourceWedge, 500*ms), ev("A1", SourceWedge, 1400*ms)},
			[]bool{true, false, true}},
		{"camera and serial reading the same code at once",
			[]Event{ev("A1", SourceSerial, 0), ev("A1", SourceCamera, 100*ms)},
			[]bool{true, false}},
		{"different codes pass",
			[]Event{ev("A1", SourceCamera, 0), ev("B2", SourceCamera, 10*ms), ev("A1", SourceCamera, 20*ms)},
			[]bool{true, true, false}},
		{"empty text never passes",
			[]Event{ev("", SourceWedge, 0)},
			[]bool{false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHub(HubConfig{})
			var got []bool
			for _, e := range tt.in {
				got = append(got, h.Emit(e))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			h.Close()
			n := 0
			for range h.Events() {
				n++
			}
			want := 0
			for _, ok := range tt.want {
				if ok {
					want++
				}
			}
			if n != want {
				t.Errorf("%d events on the stream, want %d", n, want)
			}
		})
	}
}

func TestHubFullBufferAndClose(t *testing.T) {
	h := NewHub(HubConfig{Buffer: 2})
	for _, s := range []string{"A1", "B2", "C3"} {
		h.Emit(Event{Text: s, Source: SourceSerial})
	}
	if got := h.Dropped(); got != 1 {
		t.Errorf("Dropped = %d, want 1", got)
	}
	h.Close()
	h.Close()
	if h.Emit(Event{Text: "D4", Source: SourceSerial}) {
		t.Error("Emit after Close delivered")
	}
}

// TestHubWithSources wires a wedge and a camera to one hub, as the app does.
func TestHubWithSources(t *testing.T) {
	h := NewHub(HubConfig{})
	var wg sync.WaitGroup
	var got []string
	wg.Add(1)
	go func() {
		defer wg.Done()
		for e := range h.Events() {
			got = append(got, string(e.Source)+":"+e.Text)
		}
	}()
	w := NewWedge(WedgeConfig{}, func(e Event) { h.Emit(e) })
	// The burst ends half a second ago, so the camera's read of the same code (stamped when it is
	// decoded, a few ms from now on a fast machine, later on a slow one) falls inside the window
	// and never before the wedge's time.
	now := time.Now().Add(-500 * time.Millisecond)
	for i, r := range "751234212312" {
		w.Rune(r, now.Add(time.Duration(i)*time.Millisecond))
	}
	w.Key("Return", now.Add(15*time.Millisecond))
	w.Close()
	frame := onCanvas(qrImage(t, "751234212312", 200), 640, 480, 100, 100)
	other := onCanvas(qrImage(t, "198374613512", 200), 640, 480, 100, 100)
	cam := NewCamera(&frameList{frames: []image.Image{frame, other}}, CameraConfig{}, func(e Event) { h.Emit(e) }, nil)
	if err := cam.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.Close()
	wg.Wait()
	if diff := cmp.Diff([]string{"wedge:751234212312", "camera:198374613512"}, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}
