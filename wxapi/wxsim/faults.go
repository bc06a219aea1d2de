package wxsim

import (
	"encoding/json"
	"maps"
	"time"
)

// Faults are the switches that make the emulator misbehave the ways WeChat and networks do.
// The counters (Busy, RateLimit, TokenInvalidAt, DropAfterConsume) count down as they fire;
// Faults() reports what is left.
type Faults struct {
	// Latency is added before every API request is answered.
	Latency time.Duration
	// Down refuses connections: under Start the API listener is closed (and reopened on the same
	// port when Down goes false); as a plain handler every request is dropped unanswered.
	Down bool
	// Hang holds every API request until the client gives up (its context or connection ends)
	// or Hang is switched off.
	Hang bool
	// Busy makes the next N business calls answer -1 "system error".
	Busy int
	// RateLimit makes the next N business calls answer 45011.
	RateLimit int
	// TokenInvalidAt makes the N-th business call from now answer 40001 (1 = the next one), as
	// when another terminal's refresh overwrote the token; the token itself stays valid, so a
	// client that refreshes and retries once succeeds.
	TokenInvalidAt int
	// DropAfterConsume makes the next N card/code/consume calls that pass the token and fault
	// checks run as usual (a usable code is consumed, an unusable one is not) and then drops the
	// connection (hijack and close) instead of answering.
	DropAfterConsume int
}

// faultsJSON is the control API's shape of Faults: snake_case, latency in milliseconds.
type faultsJSON struct {
	LatencyMS        int64 `json:"latency_ms"`
	Down             bool  `json:"down"`
	Hang             bool  `json:"hang"`
	Busy             int   `json:"busy"`
	RateLimit        int   `json:"rate_limit"`
	TokenInvalidAt   int   `json:"token_invalid_at"`
	DropAfterConsume int   `json:"drop_after_consume"`
}

// MarshalJSON writes Faults in the control API's shape, with latency_ms.
func (f Faults) MarshalJSON() ([]byte, error) {
	return json.Marshal(faultsJSON{
		LatencyMS: f.Latency.Milliseconds(), Down: f.Down, Hang: f.Hang, Busy: f.Busy,
		RateLimit: f.RateLimit, TokenInvalidAt: f.TokenInvalidAt, DropAfterConsume: f.DropAfterConsume,
	})
}

// UnmarshalJSON reads the control API's shape; absent fields are zero (switched off).
func (f *Faults) UnmarshalJSON(b []byte) error {
	var j faultsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*f = j.faults()
	return nil
}

func (j faultsJSON) faults() Faults {
	return Faults{
		Latency: time.Duration(j.LatencyMS) * time.Millisecond, Down: j.Down, Hang: j.Hang, Busy: j.Busy,
		RateLimit: j.RateLimit, TokenInvalidAt: j.TokenInvalidAt, DropAfterConsume: j.DropAfterConsume,
	}
}

// SetFaults replaces every fault switch. Switching Hang off releases the requests it holds; under
// Start, switching Down on closes the API listener before SetFaults returns.
func (s *Sim) SetFaults(f Faults) {
	s.mu.Lock()
	if s.faults.Hang && !f.Hang {
		close(s.hangRelease)
		s.hangRelease = make(chan struct{})
	}
	s.faults = f
	watchers := append([]func(Faults){}, s.watchers...)
	s.mu.Unlock()
	for _, w := range watchers {
		w(f)
	}
}

// Faults returns the switches now in force, counters as far as they have counted down.
func (s *Sim) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// watchFaults registers fn to be called after every SetFaults; it returns the unregister func.
func (s *Sim) watchFaults(fn func(Faults)) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watchers = append(s.watchers, fn)
	i := len(s.watchers) - 1
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.watchers[i] = func(Faults) {}
	}
}

// Calls reports how many requests reached the given path (for example "/card/code/consume"),
// whatever they were answered; requests refused by Down are not counted.
func (s *Sim) Calls(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[endpoint]
}

// AllCalls returns a copy of the per-path request counters.
func (s *Sim) AllCalls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// Consumes reports how many card/code/consume requests named this code and got past the token
// and fault checks, whatever they were answered (a retry after a lost answer counts again).
func (s *Sim) Consumes(code string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.consumes[code]
}

// AllConsumes returns a copy of the per-code consume counters.
func (s *Sim) AllConsumes() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.consumes)
}

// ResetCounters sets every call and consume counter back to zero.
func (s *Sim) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.calls)
	clear(s.consumes)
}
