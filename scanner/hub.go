package scanner

import (
	"sync"
	"time"
)

// HubConfig tunes a Hub. Zero fields take the defaults in parentheses.
type HubConfig struct {
	// CameraWindow: a text the camera reads again within this time of the last time any source
	// delivered it is the same scan (3 s). The camera sees a held coupon in every frame.
	CameraWindow time.Duration
	// Window is the same for the other sources (800 ms): a scanner in continuous mode reads a
	// code twice, but a cashier who scans again after a second means it.
	Window time.Duration
	// Buffer is how many scans wait for the reader before new ones are dropped (64).
	Buffer int
}

// Hub merges the scans of every source into one stream and drops repeats. Pass Hub.Emit as
// the emit function of a Wedge, Serial or Camera. Emit never blocks, so it is safe on the UI's
// goroutine; the reader of Events owns the consuming goroutine, and Close ends the stream.
type Hub struct {
	cfg HubConfig
	out chan Event

	mu      sync.Mutex
	seen    map[string]time.Time
	closed  bool
	dropped int
}

// NewHub returns a Hub.
func NewHub(cfg HubConfig) *Hub {
	if cfg.CameraWindow <= 0 {
		cfg.CameraWindow = 3 * time.Second
	}
	if cfg.Window <= 0 {
		cfg.Window = 800 * time.Millisecond
	}
	if cfg.Buffer <= 0 {
		cfg.Buffer = 64
	}
	return &Hub{cfg: cfg, out: make(chan Event, cfg.Buffer), seen: map[string]time.Time{}}
}

// Events is the merged stream; it is closed by Close.
func (h *Hub) Events() <-chan Event { return h.out }

// Emit offers one scan. Its At (now, when zero) decides whether it repeats the last delivery of
// the same text. It reports whether the scan was delivered: false for a repeat, after Close, or
// when the buffer is full (counted by Dropped).
func (h *Hub) Emit(e Event) bool {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || e.Text == "" {
		return false
	}
	window := h.cfg.Window
	if e.Source == SourceCamera {
		window = h.cfg.CameraWindow
	}
	last, ok := h.seen[e.Text]
	if ok && e.At.Sub(last) < window && !e.At.Before(last) {
		if e.Source == SourceCamera {
			h.seen[e.Text] = e.At // still in view: the window slides
		}
		return false
	}
	h.pruneLocked(e.At)
	select {
	case h.out <- e:
		h.seen[e.Text] = e.At
		return true
	default:
		h.dropped++
		return false
	}
}

func (h *Hub) pruneLocked(now time.Time) {
	if len(h.seen) < 256 {
		return
	}
	keep := max(h.cfg.CameraWindow, h.cfg.Window)
	for text, at := range h.seen {
		if now.Sub(at) > keep {
			delete(h.seen, text)
		}
	}
}

// Dropped is how many scans were lost to a full buffer.
func (h *Hub) Dropped() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.dropped
}

// Close ends the stream: Events is closed and later scans are ignored.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.out)
	}
}
