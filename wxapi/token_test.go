package wxapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable clock for token tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// countingFetch hands out tok1, tok2, … each valid for ttl, after delay.
type countingFetch struct {
	n      atomic.Int64
	delay  time.Duration
	ttl    time.Duration
	mu     sync.Mutex
	stales []string
}

func (f *countingFetch) fetch(ctx context.Context, stale string) (string, time.Duration, error) {
	n := f.n.Add(1)
	f.mu.Lock()
	f.stales = append(f.stales, stale)
	f.mu.Unlock()
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		return "", 0, ctx.Err()
	}
	return fmt.Sprintf("tok%d", n), f.ttl, nil
}

func TestCachedSourceSingleFlight(t *testing.T) {
	f := &countingFetch{delay: 20 * time.Millisecond, ttl: 2 * time.Hour}
	s := NewCachedSource(f.fetch, CacheOptions{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Go(func() {
			tok, err := s.Token(context.Background())
			if err != nil || tok != "tok1" {
				errs <- fmt.Errorf("Token = %q, %v", tok, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := f.n.Load(); got != 1 {
		t.Errorf("fetches = %d, want 1", got)
	}
}

func TestCachedSourceRefreshesAheadOffTheHotPath(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	f := &countingFetch{ttl: 2 * time.Hour}
	s := NewCachedSource(f.fetch, CacheOptions{Now: clk.Now})
	ctx := context.Background()
	if tok, _ := s.Token(ctx); tok != "tok1" {
		t.Fatalf("first token = %q", tok)
	}
	clk.Add(2*time.Hour - 3*time.Minute) // inside RefreshAhead (4 min), outside Margin (30 s)
	f.delay = 50 * time.Millisecond
	start := time.Now()
	tok, err := s.Token(ctx)
	if err != nil || tok != "tok1" {
		t.Fatalf("token near expiry = %q, %v; want the cached tok1 at once", tok, err)
	}
	if d := time.Since(start); d > 20*time.Millisecond {
		t.Errorf("near-expiry Token took %v: the refresh ran on the caller's path", d)
	}
	deadline := time.Now().Add(2 * time.Second)
	for s.Expires().Equal(clk.Now().Add(3*time.Minute)) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if tok, _ := s.Token(ctx); tok != "tok2" {
		t.Errorf("after background refresh token = %q, want tok2", tok)
	}
	if got := f.n.Load(); got != 2 {
		t.Errorf("fetches = %d, want 2", got)
	}
	clk.Add(2*time.Hour - 20*time.Second) // inside Margin: must fetch before answering
	if tok, _ := s.Token(ctx); tok != "tok3" {
		t.Errorf("token inside margin = %q, want tok3", tok)
	}
}

func TestCachedSourceCompareAndExpire(t *testing.T) {
	f := &countingFetch{ttl: 2 * time.Hour}
	s := NewCachedSource(f.fetch, CacheOptions{})
	ctx := context.Background()
	tok1, _ := s.Token(ctx)
	s.Invalidate("someone-elses-token")
	if tok, _ := s.Token(ctx); tok != tok1 || f.n.Load() != 1 {
		t.Fatalf("Invalidate of another token dropped ours: %q after %d fetches", tok, f.n.Load())
	}
	s.Invalidate(tok1)
	s.Invalidate(tok1) // a second, late report of the same token costs nothing more
	tok2, _ := s.Token(ctx)
	s.Invalidate(tok1) // late report after the refresh must not drop tok2
	tok3, _ := s.Token(ctx)
	if tok2 != "tok2" || tok3 != "tok2" || f.n.Load() != 2 {
		t.Errorf("tokens %q, %q after %d fetches; want tok2 twice after 2", tok2, tok3, f.n.Load())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if got := f.stales; len(got) != 2 || got[0] != "" || got[1] != "tok1" {
		t.Errorf("stale tokens passed to fetch = %q, want [\"\" tok1]", got)
	}
}

func TestCachedSourceThrottlesRefreshLoops(t *testing.T) {
	f := &countingFetch{ttl: 2 * time.Hour}
	s := NewCachedSource(f.fetch, CacheOptions{MaxFetchesPerMinute: 3})
	ctx := context.Background()
	var err error
	for i := 0; i < 5 && err == nil; i++ {
		var tok string
		tok, err = s.Token(ctx)
		s.Invalidate(tok)
	}
	if !errors.Is(err, ErrTokenThrottled) {
		t.Fatalf("err = %v, want ErrTokenThrottled", err)
	}
	if got := f.n.Load(); got != 3 {
		t.Errorf("fetches = %d, want 3", got)
	}
}

func TestCachedSourceWaiterLeavesOnCancel(t *testing.T) {
	f := &countingFetch{delay: 300 * time.Millisecond, ttl: time.Hour}
	s := NewCachedSource(f.fetch, CacheOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := s.Token(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 150*time.Millisecond {
		t.Errorf("waiter returned after %v", d)
	}
	// The fetch carried on for the next caller.
	if tok, err := s.Token(context.Background()); err != nil || tok != "tok1" || f.n.Load() != 1 {
		t.Errorf("next Token = %q, %v after %d fetches", tok, err, f.n.Load())
	}
}
