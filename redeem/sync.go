package redeem

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
)

// step is what became of one row in a sync run.
type step int

const (
	stepDone     step = iota // redeemed
	stepSettled              // conflict, expired or rejected: off the queue, needs no retry
	stepDeferred             // back in the queue with a delay
	stepStop                 // WeChat away or refusing: end this run
	stepSkipped              // someone else holds the row
)

// Sync drains the queue now: expires rows past the policy's age limit, reconciles rows left
// in checking or in_flight by a crash or a lost answer, and consumes the queued rows oldest
// first with bounded concurrency. It returns when nothing more is due or WeChat stops answering.
// The error is only for local failures; WeChat's state is in the progress.
func (s *Service) Sync(ctx context.Context) (SyncProgress, error) {
	if s.wx == nil {
		return s.Progress(), ErrNoWeChat
	}
	if err := s.loadPolicy(ctx); err != nil {
		return s.Progress(), err
	}
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	s.setRunning(true)
	err := s.syncRun(ctx)
	s.mu.Lock()
	if err == nil && !s.troubled && s.progress.Online {
		s.progress.LastError = Message{} // a clean run: earlier trouble is over
	}
	s.mu.Unlock()
	s.setRunning(false)
	s.publish(context.WithoutCancel(ctx))
	return s.Progress(), err
}

func (s *Service) syncRun(ctx context.Context) error {
	s.mu.Lock()
	paused := s.now().Before(s.pauseUntil)
	s.mu.Unlock()
	if paused {
		return nil
	}
	if err := s.expireOld(ctx); err != nil {
		return err
	}
	var firstErr error
	var errOnce sync.Once
	for ctx.Err() == nil {
		rows, err := s.db.Due(ctx, s.now().UnixMilli(), s.cfg.RequestTimeout, max(s.cfg.Concurrency*32, 256))
		if err != nil {
			return fmt.Errorf("redeem: sync: %w", err)
		}
		if len(rows) == 0 {
			break
		}
		var stop atomic.Bool
		var progressed atomic.Bool
		sem := make(chan struct{}, s.cfg.Concurrency)
		var wg sync.WaitGroup
		for _, r := range rows {
			if stop.Load() || ctx.Err() != nil {
				break
			}
			sem <- struct{}{}
			if stop.Load() {
				<-sem
				break
			}
			wg.Add(1)
			go func(r storage.Redemption) { // owned by this Sync call, which waits for it below
				defer wg.Done()
				defer func() { <-sem }()
				st, err := s.syncOne(ctx, r)
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					stop.Store(true)
					return
				}
				switch st {
				case stepDone:
					progressed.Store(true)
					s.addDone()
				case stepSettled:
					progressed.Store(true)
				case stepStop:
					stop.Store(true)
				}
				s.publish(ctx)
			}(r)
		}
		wg.Wait()
		if stop.Load() || !progressed.Load() {
			break
		}
	}
	s.mu.Lock()
	if s.progress.Online {
		s.progress.LastSync = s.now()
	}
	s.mu.Unlock()
	return firstErr
}

// expireOld moves queued rows never sent and older than MaxAge to expired.
func (s *Service) expireOld(ctx context.Context) error {
	pol := s.Policy()
	if pol.MaxAge <= 0 {
		return nil
	}
	cutoff := s.now().Add(-pol.MaxAge).UnixMilli()
	rows, err := s.db.List(ctx, storage.Filter{States: []storage.State{storage.StateQueued}})
	if err != nil {
		return fmt.Errorf("redeem: expire: %w", err)
	}
	for _, r := range rows {
		if r.CreatedAt >= cutoff || r.Attempts > 0 {
			continue // attempts > 0 may have been applied: reconcile decides, see syncOne
		}
		if _, err := s.db.Transition(ctx, r.ID, []storage.State{storage.StateQueued}, func(x *storage.Redemption) {
			x.State, x.Reason, x.NextAttemptAt = storage.StateExpired, KeyExpiredOffline, 0
		}); err != nil && !errors.Is(err, storage.ErrStale) {
			return fmt.Errorf("redeem: expire %d: %w", r.ID, err)
		}
	}
	return nil
}

// syncOne moves one due row forward. The error is only for local failures.
func (s *Service) syncOne(ctx context.Context, r storage.Redemption) (step, error) {
	if r.State != storage.StateQueued || r.Attempts > 0 {
		st, next, err := s.reconcile(ctx, r)
		if err != nil || !next {
			return st, err
		}
	}
	// Claim: the row must still be as we saw it (state and lease), so no two workers send it.
	seen := r
	claimed, err := s.db.TransitionIf(ctx, r.ID, func(x storage.Redemption) bool {
		return (x.State == storage.StateQueued || x.State == storage.StateInFlight) && x.NextAttemptAt == seen.NextAttemptAt && x.Attempts == seen.Attempts
	}, func(x *storage.Redemption) {
		x.State, x.Attempts, x.NextAttemptAt = storage.StateInFlight, x.Attempts+1, s.now().Add(s.cfg.Lease).UnixMilli()
	})
	if errors.Is(err, storage.ErrStale) || errors.Is(err, storage.ErrNotFound) {
		return stepSkipped, nil
	}
	if err != nil {
		return stepStop, fmt.Errorf("redeem: claim %d: %w", r.ID, err)
	}
	s.publish(ctx)
	cctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	_, cerr := s.wx.ConsumeCode(cctx, claimed.Code, claimed.CardID)
	cancel()
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer wcancel()
	inFlight := []storage.State{storage.StateInFlight}
	switch {
	case cerr == nil:
		s.noteOnline()
		return stepDone, s.finish(wctx, claimed.ID, func(x *storage.Redemption) {
			x.State, x.RedeemedAt, x.NextAttemptAt, x.LastError, x.ErrCode = storage.StateRedeemed, s.now().UnixMilli(), 0, "", 0
		})
	case wxapi.IsNotSent(cerr) || wxapi.IsRetryable(cerr) || wxapi.IsTokenError(cerr) || isQuota(cerr):
		// Not applied: back to the queue, this attempt not counted.
		st := s.trouble(cerr)
		return st, s.finish(wctx, claimed.ID, func(x *storage.Redemption) {
			x.State, x.Attempts, x.NextAttemptAt, x.LastError = storage.StateQueued, x.Attempts-1, s.backoffAt(), cerr.Error()
			x.ErrCode, _ = wxapi.ErrorCode(cerr)
		})
	case wxapi.IsNetworkError(cerr):
		// Sent, answer lost: reconcile now, with the row still ours.
		claimed.State = storage.StateInFlight
		st, next, err := s.reconcile(wctx, claimed)
		if err != nil || !next {
			return st, err
		}
		// NORMAL: it was not applied; try again soon.
		return stepDeferred, s.finish(wctx, claimed.ID, func(x *storage.Redemption) {
			x.State, x.NextAttemptAt, x.LastError = storage.StateQueued, s.now().UnixMilli(), cerr.Error()
		})
	}
	code, _ := wxapi.ErrorCode(cerr)
	if code == 40099 && claimed.Attempts > 1 {
		// An earlier attempt of ours may be the one that used it.
		claimed.State = storage.StateInFlight
		st, next, err := s.reconcile(wctx, claimed)
		if err != nil || !next {
			return st, err
		}
		return stepDeferred, s.finish(wctx, claimed.ID, func(x *storage.Redemption) {
			x.State, x.NextAttemptAt = storage.StateQueued, s.backoffAt()
		})
	}
	s.noteOnline()
	info, ierr := s.getStatus(wctx, claimed.Code, claimed.CardID)
	reason := msg(KeyWeChatError, "Code", code)
	switch code {
	case 40099:
		reason = msg(KeyConflictUsedElsewhere)
	case 40056:
		reason = msg(KeyConflictUnknown)
	case 40079:
		reason = msg(KeyConflictStatus, "Status", string(wxapi.StatusExpire))
	case 40127:
		st := ""
		if ierr == nil {
			st = string(info.Status)
		}
		reason = msg(KeyConflictStatus, "Status", st)
	}
	detail := conflictDetail(claimed, info, ierr, code, s.now())
	_, err = s.db.Transition(wctx, claimed.ID, inFlight, func(x *storage.Redemption) {
		x.State, x.Reason, x.ErrCode, x.LastError, x.ConflictDetail, x.NextAttemptAt = storage.StateConflict, reason.Key, code, cerr.Error(), detail, 0
	})
	if err != nil && !errors.Is(err, storage.ErrStale) {
		return stepStop, fmt.Errorf("redeem: record conflict %d: %w", claimed.ID, err)
	}
	return stepSettled, nil
}

// reconcile asks code/get (check_consume false) what became of a row that may have been sent.
// next is true when the code is still NORMAL and the row may be (re)sent.
func (s *Service) reconcile(ctx context.Context, r storage.Redemption) (st step, next bool, err error) {
	sameLease := func(x storage.Redemption) bool {
		return x.State == r.State && x.NextAttemptAt == r.NextAttemptAt && x.Attempts == r.Attempts
	}
	info, gerr := s.getStatus(ctx, r.Code, r.CardID)
	if gerr != nil {
		if c, ok := wxapi.ErrorCode(gerr); ok && c == 40056 {
			s.noteOnline()
			detail := conflictDetail(r, nil, gerr, c, s.now())
			_, err := s.db.TransitionIf(ctx, r.ID, sameLease, func(x *storage.Redemption) {
				x.State, x.Reason, x.ErrCode, x.ConflictDetail, x.NextAttemptAt = storage.StateConflict, KeyConflictUnknown, c, detail, 0
			})
			return stepSettled, false, ignoreStale(err)
		}
		st := s.trouble(gerr)
		if st != stepStop {
			st = stepDeferred
		}
		// Keep the attempts (the consume may have been applied) and wait.
		_, err := s.db.TransitionIf(ctx, r.ID, sameLease, func(x *storage.Redemption) {
			x.State, x.NextAttemptAt, x.LastError = storage.StateQueued, s.backoffAt(), gerr.Error()
		})
		return st, false, ignoreStale(err)
	}
	s.noteOnline()
	switch {
	case info.Status == wxapi.StatusConsumed:
		_, err := s.db.TransitionIf(ctx, r.ID, sameLease, func(x *storage.Redemption) {
			x.State, x.ConfirmedByStatus, x.RedeemedAt, x.NextAttemptAt = storage.StateRedeemed, true, s.now().UnixMilli(), 0
		})
		if errors.Is(err, storage.ErrStale) {
			return stepSkipped, false, nil
		}
		if err == nil {
			s.addDone()
			return stepSettled, false, nil // counted by addDone already
		}
		return stepStop, false, fmt.Errorf("redeem: record reconciled %d: %w", r.ID, err)
	case info.Status == wxapi.StatusNormal && r.State == storage.StateChecking:
		// An online redeem cut off before its consume took effect: the cashier never saw an answer.
		_, err := s.db.TransitionIf(ctx, r.ID, sameLease, func(x *storage.Redemption) {
			x.State, x.Reason, x.NextAttemptAt = storage.StateRejected, KeyInterrupted, 0
		})
		return stepSettled, false, ignoreStale(err)
	case info.Status == wxapi.StatusNormal:
		if pol := s.Policy(); pol.MaxAge > 0 && s.now().Sub(time.UnixMilli(r.CreatedAt)) > pol.MaxAge {
			_, err := s.db.TransitionIf(ctx, r.ID, sameLease, func(x *storage.Redemption) {
				x.State, x.Reason, x.NextAttemptAt = storage.StateExpired, KeyExpiredOffline, 0
			})
			return stepSettled, false, ignoreStale(err)
		}
		return stepDeferred, true, nil
	}
	detail := conflictDetail(r, info, nil, 0, s.now())
	_, err = s.db.TransitionIf(ctx, r.ID, sameLease, func(x *storage.Redemption) {
		x.State, x.Reason, x.ConflictDetail, x.NextAttemptAt = storage.StateConflict, KeyConflictStatus, detail, 0
	})
	return stepSettled, false, ignoreStale(err)
}

func ignoreStale(err error) error {
	if errors.Is(err, storage.ErrStale) {
		return nil
	}
	return err
}

// finish writes the outcome of a claimed row.
func (s *Service) finish(ctx context.Context, id int64, fn func(*storage.Redemption)) error {
	_, err := s.db.Transition(ctx, id, []storage.State{storage.StateInFlight}, fn)
	if err != nil && !errors.Is(err, storage.ErrStale) {
		return fmt.Errorf("redeem: record outcome %d: %w", id, err)
	}
	return nil
}

// ConflictFacts is what a conflict row's ConflictDetail holds (as JSON): WeChat's side and ours.
type ConflictFacts struct {
	WeChatStatus string `json:"wechat_status,omitempty"`
	WeChatOpenID string `json:"wechat_openid,omitempty"`
	ErrCode      int    `json:"errcode,omitempty"`
	CheckedAt    int64  `json:"checked_at"` // unix seconds
	CheckError   string `json:"check_error,omitempty"`
	AcceptedAt   int64  `json:"accepted_at"` // unix seconds, when this till accepted it
	Cashier      string `json:"cashier,omitempty"`
	Terminal     string `json:"terminal,omitempty"`
	Offline      bool   `json:"offline"`
	Attempts     int    `json:"attempts"`
}

func conflictDetail(r storage.Redemption, info *wxapi.CodeInfo, ierr error, code int, now time.Time) string {
	f := ConflictFacts{ErrCode: code, CheckedAt: now.Unix(), AcceptedAt: r.CreatedAt / 1000, Cashier: r.Cashier,
		Terminal: r.Terminal, Offline: r.Offline, Attempts: r.Attempts}
	if info != nil {
		f.WeChatStatus, f.WeChatOpenID = string(info.Status), info.OpenID
	}
	if ierr != nil {
		f.CheckError = ierr.Error()
	}
	b, _ := json.Marshal(f)
	return string(b)
}

// trouble records a WeChat failure and says whether the run must stop.
func (s *Service) trouble(err error) step {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures++
	s.troubled = true
	now := s.now()
	switch {
	case isQuota(err): // 45009: the daily quota is spent; WeChat resets it at midnight Beijing time
		bj := now.In(time.FixedZone("CST", 8*3600))
		next := time.Date(bj.Year(), bj.Month(), bj.Day()+1, 0, 0, 5, 0, bj.Location())
		s.pauseUntil = next
		s.progress.LastError = msg(KeySyncQuota)
		return stepStop
	case isCode(err, 45011):
		s.pauseUntil = now.Truncate(time.Minute).Add(time.Minute)
		s.progress.LastError = msg(KeySyncBusy)
		return stepStop
	case wxapi.IsTokenError(err) || errors.As(err, new(*wxapi.TokenFetchError)) && !unreachable(err):
		s.pauseUntil = now.Add(s.backoffLocked())
		s.progress.LastError = msg(KeySyncToken)
		return stepStop
	case unreachable(err):
		s.progress.Online = false
		s.progress.LastError = msg(KeySyncOffline)
		return stepStop
	case wxapi.IsRetryable(err):
		s.progress.LastError = msg(KeySyncBusy)
		return stepStop
	}
	s.progress.LastError = msg(KeySyncError)
	return stepDeferred
}

// backoffAt is when a row that just failed may be tried again (unix ms): exponential in the
// consecutive failures, capped, with ±25 % jitter.
func (s *Service) backoffAt() int64 {
	s.mu.Lock()
	d := s.backoffLocked()
	s.mu.Unlock()
	return s.now().Add(d).UnixMilli()
}

func (s *Service) backoffLocked() time.Duration {
	d := s.cfg.BackoffBase
	for i := 1; i < s.failures && d < s.cfg.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, s.cfg.BackoffMax)
	return d - d/4 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// noteOnline records that WeChat answered. If it had been away, the queue is due again at once.
// It reports whether the state changed, so a caller off the sync path can publish it.
func (s *Service) noteOnline() bool {
	s.mu.Lock()
	was := s.progress.Online
	s.progress.Online, s.failures = true, 0
	if !was {
		s.hurry = true
		s.progress.LastError = Message{}
	}
	s.mu.Unlock()
	if !was {
		s.nudge()
	}
	return !was
}

// noteOffline records that WeChat could not be reached.
// It reports whether the state changed, so a caller off the sync path can publish it.
func (s *Service) noteOffline(err error) bool {
	s.mu.Lock()
	was := s.progress.Online
	s.progress.Online = false
	s.progress.LastError = msg(KeySyncOffline)
	s.mu.Unlock()
	s.log.Info("WeChat unreachable", "err", err)
	return was
}

func (s *Service) setRunning(b bool) {
	s.mu.Lock()
	s.progress.Running = b
	if b {
		s.progress.Done, s.troubled = 0, false
	}
	s.mu.Unlock()
}

func (s *Service) addDone() {
	s.mu.Lock()
	s.progress.Done++
	s.mu.Unlock()
}

// nudge wakes Run without blocking.
func (s *Service) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Progress returns the latest sync progress. It is cheap and safe from any goroutine.
func (s *Service) Progress() SyncProgress {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.progress
}

// Subscribe returns a channel that receives the progress each time it changes (only the latest
// is kept when the reader is slow) and a func that ends the subscription and closes the channel.
func (s *Service) Subscribe() (<-chan SyncProgress, func()) {
	ch := make(chan SyncProgress, 1)
	s.mu.Lock()
	id := s.nextSub
	s.nextSub++
	s.subs[id] = ch
	ch <- s.progress
	s.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			s.mu.Lock()
			delete(s.subs, id)
			s.mu.Unlock()
			close(ch)
		})
	}
}

// publish refreshes the counts from the journal and sends the progress to subscribers.
func (s *Service) publish(ctx context.Context) {
	counts, err := s.db.Counts(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		s.progress.Pending = counts[storage.StateQueued]
		s.progress.InFlight = counts[storage.StateInFlight]
		s.progress.Conflicts = counts[storage.StateConflict]
		s.progress.Expired = counts[storage.StateExpired]
	}
	p := s.progress
	for _, ch := range s.subs {
		select {
		case <-ch:
		default:
		}
		ch <- p
	}
}

// Run is the background sync worker. It refreshes the card catalog, then syncs whenever rows are
// due, probing WeChat every ProbeInterval while it is away and syncing at once when it returns.
// The caller owns it: run it in one goroutine; it returns when ctx is done.
func (s *Service) Run(ctx context.Context) {
	if s.wx == nil {
		s.log.Error("sync worker not started", "err", ErrNoWeChat)
		return
	}
	if err := s.loadPolicy(ctx); err != nil {
		s.log.Error("sync worker: read policy", "err", err)
	}
	if err := s.RefreshCatalog(ctx); err != nil {
		s.log.Info("catalog refresh at start failed; using the cache", "err", err)
	}
	s.publish(ctx)
	for ctx.Err() == nil {
		// While WeChat is away only the probe talks to it: a sync would spend a token fetch.
		if s.Progress().Online {
			s.mu.Lock()
			hurry := s.hurry
			s.hurry = false
			s.mu.Unlock()
			if hurry { // WeChat is back: the delays set while it was away no longer apply
				if _, err := s.db.Hurry(ctx, s.now().UnixMilli()); err != nil {
					s.log.Error("sync worker: hurry queue", "err", err)
				}
			}
			if _, err := s.Sync(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("sync", "err", err)
			}
		}
		wait := s.cfg.IdleInterval
		if !s.Progress().Online {
			wait = s.cfg.ProbeInterval
		} else if next, ok, err := s.db.NextDue(ctx); err == nil && ok {
			if d := time.Until(time.UnixMilli(next)); d < wait {
				wait = max(d, 50*time.Millisecond)
			}
		}
		s.mu.Lock()
		if d := s.pauseUntil.Sub(s.now()); d > wait {
			wait = d
		}
		s.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.wake:
			t.Stop()
		case <-t.C:
		}
		if !s.Progress().Online {
			s.probe(ctx) // on success noteOnline marks the queue for hurrying
		}
	}
}

// probe checks whether WeChat answers again; any answer from WeChat, even an error code, counts.
func (s *Service) probe(ctx context.Context) bool {
	pctx, cancel := context.WithTimeout(ctx, s.Policy().LookupWait)
	defer cancel()
	var err error
	switch {
	case s.cfg.Probe != nil:
		err = s.cfg.Probe(pctx)
	case s.cfg.ProbeURL != "":
		req, rerr := http.NewRequestWithContext(pctx, http.MethodGet, s.cfg.ProbeURL, nil)
		if rerr != nil {
			s.log.Error("probe URL unusable", "err", rerr)
			return false
		}
		resp, herr := http.DefaultClient.Do(req)
		if herr != nil {
			return false
		}
		resp.Body.Close()
	default:
		rows, lerr := s.db.List(ctx, storage.Filter{States: []storage.State{storage.StateQueued}, Limit: 1})
		if lerr != nil || len(rows) == 0 {
			return false
		}
		_, err = s.wx.GetCode(pctx, rows[0].Code, rows[0].CardID, false)
	}
	if err != nil && (unreachable(err) || errors.Is(err, wxapi.ErrTokenThrottled)) {
		return false
	}
	s.noteOnline()
	return true
}
