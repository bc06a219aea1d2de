package wxsim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Running is a Sim served on real TCP listeners: the API on URL and the control API on
// ControlURL. While the Down fault is on, the API listener is closed, so clients get "connection
// refused"; it is reopened on the same port when Down goes off. The control listener stays up.
//
// Its goroutines (one http.Server per listener, and one that watches the Start context) are
// owned by the Running and end when Close is called or the context given to Start is done.
type Running struct {
	URL        string // API base, e.g. http://127.0.0.1:38411
	ControlURL string // control API base

	sim     *Sim
	apiAddr string
	ctl     *http.Server
	unwatch func()
	done    chan struct{}
	wg      sync.WaitGroup

	mu        sync.Mutex
	lns       []net.Listener // every listener served, closed again by Close as a backstop
	api       *http.Server   // nil while Down
	closed    bool
	closeErr  error
	reopenErr error
}

// Start serves s on addr (API) and controlAddr (control API); an empty address means
// "127.0.0.1:0", a free port. It returns once both listeners accept connections.
func Start(ctx context.Context, s *Sim, addr, controlAddr string) (*Running, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if controlAddr == "" {
		controlAddr = "127.0.0.1:0"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("wxsim: listen %s: %w", addr, err)
	}
	cln, err := lc.Listen(ctx, "tcp", controlAddr)
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("wxsim: listen %s: %w", controlAddr, err)
	}
	r := &Running{
		URL:        "http://" + ln.Addr().String(),
		ControlURL: "http://" + cln.Addr().String(),
		sim:        s,
		apiAddr:    ln.Addr().String(),
		done:       make(chan struct{}),
	}
	r.ctl = &http.Server{Handler: s.ControlHandler(), ReadHeaderTimeout: 10 * time.Second}
	r.serve(r.ctl, cln)
	r.mu.Lock()
	if s.Faults().Down {
		_ = ln.Close()
	} else {
		r.api = r.newAPIServer()
		r.serve(r.api, ln)
	}
	r.mu.Unlock()
	r.unwatch = s.watchFaults(r.applyFaults)

	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		select {
		case <-ctx.Done():
			go func() { _ = r.Close() }()
		case <-r.done:
		}
	}()
	return r, nil
}

func (r *Running) newAPIServer() *http.Server {
	return &http.Server{Handler: r.sim, ReadHeaderTimeout: 10 * time.Second}
}

// serve runs srv on ln in a goroutine tracked by r.wg; it ends when srv is closed. Callers hold
// r.mu (or own r exclusively, in Start).
func (r *Running) serve(srv *http.Server, ln net.Listener) {
	r.lns = append(r.lns, ln)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		_ = srv.Serve(ln)
	}()
}

// applyFaults closes or reopens the API listener as Down asks; it runs inside SetFaults.
// It reads the switches again under r.mu rather than trusting f, so two racing SetFaults calls
// leave the listener as the last one asked.
func (r *Running) applyFaults(Faults) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	f := r.sim.Faults()
	switch {
	case f.Down && r.api != nil:
		_ = r.api.Close() // closes the listener and every open connection
		r.api = nil
	case !f.Down && r.api == nil:
		var ln net.Listener
		var err error
		for i := 0; i < 50; i++ { // the old socket may take a moment to free the port
			if ln, err = net.Listen("tcp", r.apiAddr); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			r.reopenErr = fmt.Errorf("wxsim: reopen %s: %w", r.apiAddr, err)
			return
		}
		r.reopenErr = nil
		r.api = r.newAPIServer()
		r.serve(r.api, ln)
	}
}

// Err reports why the API listener could not be reopened after Down, or nil.
func (r *Running) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reopenErr
}

// Close stops both listeners: requests in flight get up to two seconds to finish, then their
// connections are closed. It waits for the serving goroutines and is safe to call twice.
func (r *Running) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		<-r.done
		return r.closeErr
	}
	r.closed = true
	api := r.api
	r.api = nil
	r.mu.Unlock()
	r.unwatch()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var errs []error
	if api != nil && r.sim.Faults().Hang {
		_ = api.Close() // held requests would only wait for the grace period
		api = nil
	}
	for _, srv := range []*http.Server{api, r.ctl} {
		if srv == nil {
			continue
		}
		if err := srv.Shutdown(ctx); err != nil {
			if cerr := srv.Close(); cerr != nil {
				errs = append(errs, cerr)
			}
		}
	}
	// Every listener is closed even if its server was never told (a Serve goroutine that started
	// late), so no serving goroutine can be left in Accept; closing twice is harmless.
	r.mu.Lock()
	for _, ln := range r.lns {
		_ = ln.Close()
	}
	r.mu.Unlock()
	r.closeErr = errors.Join(errs...)
	close(r.done)
	r.wg.Wait()
	return r.closeErr
}

// ControlHandler serves the control API that `cardpos sim` exposes on its control address,
// all JSON:
//
//	GET  /faults            the fault switches now: {"latency_ms":0,"down":false,"hang":false,
//	                        "busy":0,"rate_limit":0,"token_invalid_at":0,"drop_after_consume":0}
//	PUT  /faults            replace them (same shape; absent fields are off); answers the new value
//	GET  /calls             {"/card/code/consume":3,…}: requests per API path
//	GET  /consumes          {"100000000001":1,…}: consume requests per code
//	POST /counters/reset    set both counters to zero
//	GET  /samples           the seeded sample codes ([]Sample)
//	GET  /clock             {"now":UNIX}
//	POST /clock             {"advance_seconds":N}: move the clock forward; answers {"now":UNIX}
//	POST /cards/approve     {"card_id":"…"}: end a card's review now
//	POST /codes/status      {"code":"…","status":"DELETE"}: what a customer does on the phone
//	                        (DELETE, GIFTING, GIFT_TIMEOUT, EXPIRE, UNAVAILABLE, CONSUMED, NORMAL)
//
// Errors answer 400 (bad JSON), 404 (unknown path or card) or 405 (wrong method) with
// {"error":"…"}.
func (s *Sim) ControlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /faults", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Faults())
	})
	mux.HandleFunc("PUT /faults", func(w http.ResponseWriter, r *http.Request) {
		var j faultsJSON
		if !readControl(w, r, &j) {
			return
		}
		s.SetFaults(j.faults())
		writeJSON(w, http.StatusOK, s.Faults())
	})
	mux.HandleFunc("GET /calls", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.AllCalls())
	})
	mux.HandleFunc("GET /consumes", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.AllConsumes())
	})
	mux.HandleFunc("POST /counters/reset", func(w http.ResponseWriter, _ *http.Request) {
		s.ResetCounters()
		writeJSON(w, http.StatusOK, map[string]any{})
	})
	mux.HandleFunc("GET /samples", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Samples())
	})
	mux.HandleFunc("GET /clock", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]int64{"now": s.Now().Unix()})
	})
	mux.HandleFunc("POST /clock", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			AdvanceSeconds *int64 `json:"advance_seconds"`
		}
		if !readControl(w, r, &req) {
			return
		}
		if req.AdvanceSeconds == nil || *req.AdvanceSeconds < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "advance_seconds must be a number ≥ 0"})
			return
		}
		s.AdvanceClock(time.Duration(*req.AdvanceSeconds) * time.Second)
		writeJSON(w, http.StatusOK, map[string]int64{"now": s.Now().Unix()})
	})
	mux.HandleFunc("POST /cards/approve", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			CardID string `json:"card_id"`
		}
		if !readControl(w, r, &req) {
			return
		}
		if err := s.ApproveCard(req.CardID); err != nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"card_id": req.CardID})
	})
	mux.HandleFunc("POST /codes/status", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Code   string `json:"code"`
			Status string `json:"status"`
		}
		if !readControl(w, r, &req) {
			return
		}
		switch err := s.SetCodeStatus(req.Code, req.Status); {
		case errors.Is(err, ErrUnknownCode):
			writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		case err != nil:
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		default:
			writeJSON(w, http.StatusOK, map[string]string{"code": req.Code, "status": req.Status})
		}
	})
	return mux
}

// readControl decodes a control request body, answering 400 itself on failure.
func readControl(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad JSON: " + err.Error()})
		return false
	}
	return true
}

// RunOptions configures Run, the `cardpos sim` command. Empty listen addresses pick free ports
// on 127.0.0.1; empty AppID/Secret use the demo account.
type RunOptions struct {
	Listen, ControlListen string
	Seed, StatePath       string
	AppID, Secret         string
}

// Banner is the one JSON line Run prints first, so a caller can find the emulator.
type Banner struct {
	APIBase string `json:"api_base"`
	AppID   string `json:"appid"`
	Secret  string `json:"secret"`
	Control string `json:"control"`
}

// Run is `cardpos sim`: it starts an emulator, prints one JSON line (Banner) to stdout, serves
// until ctx is done (the CLI cancels it on SIGINT/SIGTERM), then shuts down and returns nil after
// a clean shutdown. With StatePath the account survives restarts.
func Run(ctx context.Context, o RunOptions, stdout io.Writer) error {
	s, err := New(Options{AppID: o.AppID, Secret: o.Secret, Seed: o.Seed, StatePath: o.StatePath})
	if err != nil {
		return err
	}
	r, err := Start(ctx, s, o.Listen, o.ControlListen)
	if err != nil {
		return err
	}
	line, _ := json.Marshal(Banner{APIBase: r.URL, AppID: s.AppID(), Secret: s.Secret(), Control: r.ControlURL})
	if _, err := fmt.Fprintf(stdout, "%s\n", line); err != nil {
		return errors.Join(fmt.Errorf("wxsim: write banner: %w", err), r.Close())
	}
	<-ctx.Done()
	if err := r.Close(); err != nil {
		return err
	}
	if err := s.SaveError(); err != nil {
		return err
	}
	return nil
}
