package scanner

import (
	"strings"
	"sync"
	"time"
	"unicode"
)

// WedgeConfig tunes a Wedge. Zero fields take the defaults in parentheses.
type WedgeConfig struct {
	// CharInterval is the average time per character at or below which a burst is a scanner
	// (30 ms). People type 80–150 ms per character; scanners type a character every few ms, and
	// the window delivers them in 60 Hz batches (gaps of 0 or 16.7 ms), so single gaps lie and
	// only the average over the burst counts.
	CharInterval time.Duration
	// Hold is how long a lone rune waits for a next one before it is handed back as typing
	// (CharInterval + 20 ms). It is the only delay a person typing notices.
	Hold time.Duration
	// IdleTimeout ends a burst that has no Enter suffix (150 ms after its last rune).
	IdleTimeout time.Duration
	// Prefix, when set, is what the scanner is configured to send before each code: a burst
	// is a scan only if it starts with it, and the prefix is removed from the text.
	Prefix string
	// MinLength is the shortest burst (after the prefix) that counts as a scan (3).
	MinLength int
	// Typed receives runes the wedge held and then judged to be a person typing, in order:
	// the UI puts them into the focused field, or drops them when nothing has focus. It may be
	// nil. Like emit, it is called either from the goroutine that calls Rune and Key or from the
	// wedge's timer goroutine, never with the wedge's lock held; the UI routes it to its own
	// goroutine (fyne.Do).
	Typed func(text string)
}

func (c WedgeConfig) withDefaults() WedgeConfig {
	if c.CharInterval <= 0 {
		c.CharInterval = 30 * time.Millisecond
	}
	if c.Hold <= 0 {
		c.Hold = c.CharInterval + 20*time.Millisecond
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 150 * time.Millisecond
	}
	if c.MinLength <= 0 {
		c.MinLength = 3
	}
	return c
}

// Wedge tells a keyboard-wedge scanner from a person typing. The UI feeds it every rune and key
// the window (or the manual-entry field) receives, with its arrival time, and inserts nothing
// itself: a burst that is a scan becomes an Event (Source SourceWedge) through emit; anything
// else comes back through WedgeConfig.Typed: a lone rune after Hold, three runes at a person's
// pace at once, and then every rune at once while the person keeps typing (gaps up to
// IdleTimeout).
//
// A burst ends with Enter (Return, Enter or KP_Enter, which the wedge then consumes) or after
// IdleTimeout of quiet. It is a scan when it has at least MinLength runes after the optional
// prefix and the average time per rune over the whole burst is at most CharInterval. A fast
// burst that mixes ASCII with other runes, or contains full-width forms, is a scanner typing
// through a Chinese input method: it is emitted as it came, and Classify calls it
// KindBadChars, which the UI shows as "wrong input method". A fast burst made only of CJK
// ideographs is an input method committing a word a person typed, and is handed back as typing.
//
// Rune and Key may be called from one goroutine (the UI's). The wedge owns one timer, armed
// while runes are pending; it fires on its own goroutine and stops for good at Close.
type Wedge struct {
	cfg  WedgeConfig
	emit func(Event)

	mu     sync.Mutex
	runes  []rune
	first  time.Time
	last   time.Time
	timer  stopper
	gen    uint64 // bumps whenever the pending burst changes, so a stale timer does nothing
	closed bool
	// humanUntil: until then, a rune that starts a burst is a person still typing (IdleTimeout
	// after the last rune handed back as typing), passed straight through without Hold.
	humanUntil time.Time
	afterFn    func(time.Duration, func()) stopper
}

type stopper interface{ Stop() bool }

// NewWedge returns a Wedge that sends scans to emit.
func NewWedge(cfg WedgeConfig, emit func(Event)) *Wedge {
	return &Wedge{
		cfg:     cfg.withDefaults(),
		emit:    emit,
		afterFn: func(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) },
	}
}

// output is what a call decided, delivered after the lock is released.
type output struct {
	typed string
	scan  *Event
}

func (w *Wedge) deliver(outs []output) {
	for _, o := range outs {
		if o.typed != "" && w.cfg.Typed != nil {
			w.cfg.Typed(o.typed)
		}
		if o.scan != nil && w.emit != nil {
			w.emit(*o.scan)
		}
	}
}

// Rune feeds one typed rune that arrived at at.
func (w *Wedge) Rune(r rune, at time.Time) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	var outs []output
	if len(w.runes) == 0 && !w.humanUntil.IsZero() && !at.After(w.humanUntil) {
		// A person is typing: pass the rune straight through.
		w.humanUntil = at.Add(w.cfg.IdleTimeout)
		w.mu.Unlock()
		w.deliver([]output{{typed: string(r)}})
		return
	}
	if len(w.runes) > 0 {
		gap := at.Sub(w.last)
		limit := w.cfg.Hold
		if len(w.runes) >= w.cfg.MinLength {
			limit = w.cfg.IdleTimeout
		}
		if gap > limit {
			// The timer has not fired yet, but the burst is over.
			outs = append(outs, w.endLocked())
		}
	}
	if len(w.runes) == 0 {
		w.first = at
	}
	w.runes = append(w.runes, r)
	w.last = at
	if n := len(w.runes); n >= 3 && w.avgLocked() > w.cfg.CharInterval {
		// Three or more runes at a person's pace: hand them back now, not at the end.
		outs = append(outs, w.typedLocked())
	}
	w.armLocked()
	w.mu.Unlock()
	w.deliver(outs)
}

// Key feeds one non-rune key (Fyne's key name, e.g. "Return", "KP_Enter", "BackSpace") that
// arrived at at. It reports whether the wedge consumed it: Enter that ends a scan. Any other
// key ends the pending burst too (a scan, or typing handed back first, so the UI can apply the
// key after the runes) and is left to the UI.
func (w *Wedge) Key(name string, at time.Time) bool {
	w.mu.Lock()
	if w.closed || len(w.runes) == 0 {
		w.mu.Unlock()
		return false
	}
	// The burst's pace is measured over its runes: Enter's own delay (at) does not count.
	o := w.endLocked()
	if name != "Return" && name != "Enter" && name != "KP_Enter" && o.scan != nil {
		// A fast burst ended by another key: the scan stands, the key is the UI's.
		w.armLocked()
		w.mu.Unlock()
		w.deliver([]output{o})
		return false
	}
	w.armLocked()
	w.mu.Unlock()
	w.deliver([]output{o})
	return o.scan != nil
}

// Close stops the wedge's timer and drops anything pending; later calls do nothing.
func (w *Wedge) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	w.runes = nil
	w.gen++
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
}

// avgLocked is the average time per rune over the pending burst.
func (w *Wedge) avgLocked() time.Duration {
	n := len(w.runes)
	if n < 2 {
		return 0
	}
	return w.last.Sub(w.first) / time.Duration(n-1)
}

// typedLocked hands the pending runes back as typing and opens the typing window.
func (w *Wedge) typedLocked() output {
	w.humanUntil = w.last.Add(w.cfg.IdleTimeout)
	return output{typed: w.takeLocked()}
}

func (w *Wedge) takeLocked() string {
	s := string(w.runes)
	w.runes = w.runes[:0]
	w.gen++
	return s
}

// endLocked ends the pending burst: a scan, or typing handed back. A fast burst of enough runes
// is a scan with or without the Enter suffix.
func (w *Wedge) endLocked() output {
	n := len(w.runes)
	fast := n >= 2 && w.avgLocked() <= w.cfg.CharInterval
	text := string(w.runes)
	if !fast || imeWord(text) {
		return w.typedLocked()
	}
	body, ok := strings.CutPrefix(text, w.cfg.Prefix)
	if !ok || len([]rune(body)) < w.cfg.MinLength {
		return w.typedLocked()
	}
	at := w.last
	w.takeLocked()
	w.humanUntil = time.Time{}
	return output{scan: &Event{Text: body, Source: SourceWedge, At: at}}
}

// armLocked (re)starts the timer for the pending burst's deadline, or stops it.
func (w *Wedge) armLocked() {
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	if len(w.runes) == 0 || w.closed {
		return
	}
	d := w.cfg.Hold
	if len(w.runes) >= w.cfg.MinLength {
		d = w.cfg.IdleTimeout
	}
	w.gen++
	gen := w.gen
	w.timer = w.afterFn(d, func() { w.expire(gen) })
}

// expire ends the burst of generation gen when its deadline passed with no new rune or key.
func (w *Wedge) expire(gen uint64) {
	w.mu.Lock()
	if w.closed || gen != w.gen || len(w.runes) == 0 {
		w.mu.Unlock()
		return
	}
	o := w.endLocked()
	w.timer = nil
	w.mu.Unlock()
	w.deliver([]output{o})
}

// imeWord reports whether s is only CJK ideographs (and CJK punctuation): an input method
// committing what a person typed, not a scanner.
func imeWord(s string) bool {
	for _, r := range s {
		if !(unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x303f) {
			return false
		}
	}
	return s != ""
}
