package scanner

import (
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fakeClock drives a Wedge's timer from the test's own timeline.
type fakeClock struct {
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

func (t *fakeTimer) Stop() bool { was := !t.stopped; t.stopped = true; return was }

func (c *fakeClock) after(d time.Duration, f func()) stopper {
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// advance moves the clock to t, firing due timers in order.
func (c *fakeClock) advance(t time.Time) {
	for {
		sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].at.Before(c.timers[j].at) })
		if len(c.timers) == 0 || c.timers[0].at.After(t) {
			break
		}
		next := c.timers[0]
		c.timers = c.timers[1:]
		if !next.stopped {
			c.now = next.at
			next.stopped = true
			next.f()
		}
	}
	c.now = t
}

// input is one thing the window delivers: a rune or a key at an offset from the start.
type input struct {
	at  time.Duration
	r   rune
	key string
}

// batched types s as a scanner does through a 60 Hz window: per batches of n runes, one batch
// every 16.7 ms, starting at start; then the suffix key, if any, in the next batch.
func batched(start time.Duration, s string, n int, suffix string) []input {
	var in []input
	frame := 16700 * time.Microsecond
	i := 0
	for _, r := range s {
		in = append(in, input{at: start + time.Duration(i/n)*frame, r: r})
		i++
	}
	if suffix != "" {
		in = append(in, input{at: start + time.Duration((i+n-1)/n)*frame, key: suffix})
	}
	return in
}

// typed types s as a person does, with the given gaps cycling.
func typed(start time.Duration, s string, gaps ...time.Duration) []input {
	var in []input
	at := start
	for i, r := range s {
		in = append(in, input{at: at, r: r})
		at += gaps[i%len(gaps)]
	}
	return in
}

type wedgeRun struct {
	scans    []string
	typed    []string
	consumed []string // keys the wedge consumed
}

func runWedge(t *testing.T, cfg WedgeConfig, inputs []input, end time.Duration) wedgeRun {
	t.Helper()
	var got wedgeRun
	base := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	clk := &fakeClock{now: base}
	cfg.Typed = func(s string) { got.typed = append(got.typed, s) }
	w := NewWedge(cfg, func(e Event) {
		if e.Source != SourceWedge {
			t.Errorf("source %q, want wedge", e.Source)
		}
		got.scans = append(got.scans, e.Text)
	})
	w.afterFn = clk.after
	for _, in := range inputs {
		at := base.Add(in.at)
		clk.advance(at)
		if in.key != "" {
			if w.Key(in.key, at) {
				got.consumed = append(got.consumed, in.key)
			}
		} else {
			w.Rune(in.r, at)
		}
	}
	clk.advance(base.Add(end))
	w.Close()
	return got
}

func TestWedge(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name   string
		cfg    WedgeConfig
		inputs []input
		want   wedgeRun
	}{
		{
			name:   "scanner in 16.7 ms batches with Enter",
			inputs: batched(0, "751234212312", 3, "Return"),
			want:   wedgeRun{scans: []string{"751234212312"}, consumed: []string{"Return"}},
		},
		{
			name:   "slow scanner, one rune per batch, keypad Enter",
			inputs: batched(0, "751234212312", 1, "KP_Enter"),
			want:   wedgeRun{scans: []string{"751234212312"}, consumed: []string{"KP_Enter"}},
		},
		{
			name:   "scanner without suffix ends on idle",
			inputs: batched(0, "198374613512", 2, ""),
			want:   wedgeRun{scans: []string{"198374613512"}},
		},
		{
			name:   "two scans back to back",
			inputs: append(batched(0, "751234212312", 4, "Return"), batched(400*ms, "AB12cd34", 4, "Return")...),
			want:   wedgeRun{scans: []string{"751234212312", "AB12cd34"}, consumed: []string{"Return", "Return"}},
		},
		{
			name:   "fast typist 80-150 ms per key, then Enter for the field",
			inputs: append(typed(0, "7512", 80*ms, 150*ms, 95*ms, 120*ms), input{at: 460 * ms, key: "Return"}),
			want:   wedgeRun{typed: []string{"7", "5", "1", "2"}},
		},
		{
			name:   "typist with a 20 ms rollover pair is still typing",
			inputs: typed(0, "abcd", 20*ms, 110*ms, 90*ms),
			want:   wedgeRun{typed: []string{"ab", "c", "d"}},
		},
		{
			name:   "three quick keys at 40 ms are typing, handed back at once",
			inputs: typed(0, "abcdef", 40*ms),
			want:   wedgeRun{typed: []string{"abc", "d", "e", "f"}},
		},
		{
			name:   "short fast burst is not a scan",
			inputs: batched(0, "ab", 2, "Return"),
			want:   wedgeRun{typed: []string{"ab"}},
		},
		{
			name:   "backspace after a fast burst leaves the key to the UI",
			inputs: batched(0, "12345678", 4, "BackSpace"),
			want:   wedgeRun{scans: []string{"12345678"}},
		},
		{
			name:   "configured prefix is stripped",
			cfg:    WedgeConfig{Prefix: "]Q"},
			inputs: batched(0, "]Q751234212312", 3, "Return"),
			want:   wedgeRun{scans: []string{"751234212312"}, consumed: []string{"Return"}},
		},
		{
			name:   "fast burst without the configured prefix is typing",
			cfg:    WedgeConfig{Prefix: "]Q"},
			inputs: batched(0, "751234212312", 3, "Return"),
			want:   wedgeRun{typed: []string{"751234212312"}},
		},
		{
			name:   "scanner through a Chinese input method",
			inputs: batched(0, "７５１２３４２１２３１２", 3, "Return"),
			want:   wedgeRun{scans: []string{"７５１２３４２１２３１２"}, consumed: []string{"Return"}},
		},
		{
			name:   "input method committing a word is typing",
			inputs: batched(0, "核销卡券", 4, ""),
			want:   wedgeRun{typed: []string{"核销卡券"}},
		},
		{
			name:   "typing, pause, then a scan",
			inputs: append(typed(0, "x", 0), batched(300*ms, "751234212312", 3, "Return")...),
			want:   wedgeRun{typed: []string{"x"}, scans: []string{"751234212312"}, consumed: []string{"Return"}},
		},
		{
			name:   "Enter alone is the UI's",
			inputs: []input{{at: 0, key: "Return"}},
			want:   wedgeRun{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runWedge(t, tt.cfg, tt.inputs, 2*time.Second)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(wedgeRun{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestWedgeClassifiesWrongInputMethod(t *testing.T) {
	got := runWedge(t, WedgeConfig{}, batched(0, "７５１２３４", 3, "Return"), time.Second)
	if len(got.scans) != 1 || Classify(got.scans[0]).Kind != KindBadChars {
		t.Fatalf("scans %q, want one that classifies as bad_chars", got.scans)
	}
}

// TestWedgeRealTimer runs the wedge on its own timer goroutine: a scan without a suffix
// arrives after the idle timeout, and Close stops everything.
func TestWedgeRealTimer(t *testing.T) {
	var mu sync.Mutex
	var scans, typedText []string
	w := NewWedge(WedgeConfig{IdleTimeout: 40 * time.Millisecond, Typed: func(s string) {
		mu.Lock()
		typedText = append(typedText, s)
		mu.Unlock()
	}}, func(e Event) {
		mu.Lock()
		scans = append(scans, e.Text)
		mu.Unlock()
	})
	now := time.Now()
	for i, r := range "751234212312" {
		w.Rune(r, now.Add(time.Duration(i)*time.Millisecond))
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		mu.Lock()
		n := len(scans)
		mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	w.Rune('9', time.Now())
	w.Close()
	time.Sleep(100 * time.Millisecond) // the Hold timer for '9' would have fired by now
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(scans, []string{"751234212312"}) {
		t.Errorf("scans %q", scans)
	}
	if len(typedText) != 0 {
		t.Errorf("typed %q after Close", typedText)
	}
}
