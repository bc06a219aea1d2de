// Package redeem is the domain of the counter: a scan's life from text to redeemed, queued or
// rejected. It classifies the text, decrypts and looks the code up at WeChat, shows the card from
// the local catalog, consumes on confirmation, and when WeChat cannot be reached accepts the
// redemption offline within the manager's policy, keeping it in a durable queue that the sync
// worker drains and reconciles. It imports wxapi and storage and never Fyne.
package redeem

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/cardpos/cardpos/money"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cardpos/cardpos/scanner"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
)

// WeChat is what the service needs from WeChat; *wxapi.Client satisfies it.
type WeChat interface {
	GetCode(ctx context.Context, code, cardID string, checkConsume bool) (*wxapi.CodeInfo, error)
	DecryptCode(ctx context.Context, encryptCode string) (string, error)
	ConsumeCode(ctx context.Context, code, cardID string) (*wxapi.ConsumeResult, error)
	GetCard(ctx context.Context, cardID string) (*wxapi.Card, error)
	BatchGetCards(ctx context.Context, statusList []string) ([]string, error)
}

// Config sets up a Service. WX and DB are required; zero durations take the defaults.
type Config struct {
	WX       WeChat
	DB       *storage.DB
	Terminal string
	// Policy is the offline policy in force, normally from the settings store (which never holds
	// an all-zero one: its LookupWait is at least 500 ms). Left entirely zero, the policy last
	// given to SetPolicy (kept in the journal database) applies, else DefaultPolicy().
	Policy Policy
	Now    func() time.Time
	Logger *slog.Logger

	// Concurrency is how many queued redemptions the sync worker sends at once (default 8).
	Concurrency int
	// RequestTimeout bounds one consume or reconcile request (default 10 s). It must stay below Lease.
	RequestTimeout time.Duration
	// Lease is how long a row in checking or in_flight belongs to the process that set it; after
	// that the sync worker treats it as left behind and reconciles it (default 2 min). Where the
	// platform has file locks, a row whose process died is taken over once RequestTimeout has
	// passed since its last change (storage.Abandoned), for a request the dead process sent may
	// still be applied meanwhile.
	Lease time.Duration
	// BackoffBase and BackoffMax shape the retry delay after failures (defaults 2 s and 5 min).
	BackoffBase, BackoffMax time.Duration
	// ProbeInterval is how often Run probes WeChat while offline, and IdleInterval how often it
	// looks at the queue otherwise (defaults 5 s and 30 s).
	ProbeInterval, IdleInterval time.Duration
	// DuplicateWindow is how long a re-scan of the same code counts as a quiet duplicate (5 s).
	DuplicateWindow time.Duration
	// Probe checks cheaply whether WeChat is reachable again. Default: an HTTP GET of ProbeURL
	// when set (any HTTP answer counts: it costs no token fetch, whose rate wxapi limits), else a
	// code/get of the oldest queued code with check_consume false.
	Probe func(ctx context.Context) error
	// ProbeURL is what the default probe GETs, normally WeChat's base URL.
	ProbeURL string
}

// Service is the redemption engine. It is safe for concurrent use. It starts no goroutine of its
// own: the caller runs Run in one goroutine and stops it by cancelling its ctx.
type Service struct {
	wx  WeChat
	db  *storage.DB
	cfg Config
	now func() time.Time
	log *slog.Logger

	mu           sync.Mutex
	policy       Policy
	policyLoaded bool
	progress     SyncProgress
	subs         map[int]chan SyncProgress
	nextSub      int
	recent       map[string]recent
	failures     int       // consecutive sync failures, for the backoff
	pauseUntil   time.Time // quota or token trouble: no sync before this
	troubled     bool      // the current sync run met a WeChat failure
	hurry        bool      // WeChat came back: Run makes the queue due at once
	wake         chan struct{}

	syncMu sync.Mutex // one Sync at a time
}

type recent struct {
	at      time.Time
	preview *Preview
	outcome *Outcome
}

// New makes a Service from cfg.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = 2 * time.Second
	}
	if cfg.BackoffMax <= 0 {
		cfg.BackoffMax = 5 * time.Minute
	}
	if cfg.ProbeInterval <= 0 {
		cfg.ProbeInterval = 5 * time.Second
	}
	if cfg.IdleInterval <= 0 {
		cfg.IdleInterval = 30 * time.Second
	}
	if cfg.DuplicateWindow <= 0 {
		cfg.DuplicateWindow = 5 * time.Second
	}
	p := cfg.Policy
	fromConfig := !isZeroPolicy(p)
	if !fromConfig {
		p = DefaultPolicy()
	}
	if p.LookupWait <= 0 {
		p.LookupWait = DefaultPolicy().LookupWait
	}
	s := &Service{
		wx: cfg.WX, db: cfg.DB, cfg: cfg, now: cfg.Now, log: cfg.Logger, policy: p,
		subs: map[int]chan SyncProgress{}, recent: map[string]recent{}, wake: make(chan struct{}, 1),
		policyLoaded: fromConfig, // the caller's policy (the settings store) is the one in force
	}
	s.progress.Online = true
	return s
}

func isZeroPolicy(p Policy) bool {
	return !p.Enabled && p.MaxPending == 0 && p.MaxFaceValue == 0 && p.MaxAge == 0 && len(p.AllowedTypes) == 0 && p.LookupWait == 0
}

const policyKey = "redeem.policy"

// loadPolicy reads the policy a manager saved, once.
func (s *Service) loadPolicy(ctx context.Context) error {
	s.mu.Lock()
	loaded := s.policyLoaded
	s.mu.Unlock()
	if loaded {
		return nil
	}
	v, err := s.db.Value(ctx, policyKey)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("redeem: read policy: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		var p Policy
		if jerr := json.Unmarshal([]byte(v), &p); jerr == nil {
			if p.LookupWait <= 0 {
				p.LookupWait = DefaultPolicy().LookupWait
			}
			s.policy = p
		} else {
			s.log.Warn("stored offline policy unreadable; using the configured one", "err", jerr)
		}
	}
	s.policyLoaded = true
	return nil
}

// Policy returns the offline policy in force.
func (s *Service) Policy() Policy {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.policy
	p.AllowedTypes = append([]wxapi.CardType(nil), p.AllowedTypes...)
	return p
}

// ErrNoWeChat is returned by the calls that need WeChat (Check, Redeem, Sync, RefreshCatalog)
// on a Service made without a WeChat client, as for reading the journal on a till not set up.
var ErrNoWeChat = errors.New("redeem: no WeChat client configured")

// ErrBadPolicy is returned by SetPolicy for a policy that makes no sense (negative caps).
var ErrBadPolicy = errors.New("redeem: invalid offline policy")

// SetPolicy puts a new offline policy in force and stores it with its audit entry in one
// transaction. Callers that keep settings elsewhere save it there too and pass it as
// Config.Policy on the next start.
func (s *Service) SetPolicy(ctx context.Context, actor string, p Policy) error {
	if p.MaxPending < 0 || p.MaxFaceValue < 0 || p.MaxAge < 0 || p.LookupWait < 0 {
		return fmt.Errorf("%w: negative limit", ErrBadPolicy)
	}
	if p.LookupWait == 0 {
		p.LookupWait = DefaultPolicy().LookupWait
	}
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("redeem: encode policy: %w", err)
	}
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		if err := storage.SetValueTx(ctx, tx, policyKey, string(data)); err != nil {
			return err
		}
		return storage.AuditTx(ctx, tx, actor, "offline_policy.set", string(data))
	})
	if err != nil {
		return fmt.Errorf("redeem: save policy: %w", err)
	}
	s.mu.Lock()
	s.policy, s.policyLoaded = p, true
	s.mu.Unlock()
	return nil
}

// Check classifies the scan, decrypts and looks the code up, and says whether it can be
// redeemed. Refusals are a Preview with CanRedeem false and a Reason; the error is only for local
// failures (the database). When WeChat does not answer within the policy's LookupWait the
// preview comes from the local catalog with Offline true.
func (s *Service) Check(ctx context.Context, scan Scan) (*Preview, error) {
	if s.wx == nil {
		return nil, ErrNoWeChat
	}
	if err := s.loadPolicy(ctx); err != nil {
		return nil, err
	}
	if scan.At.IsZero() {
		scan.At = s.now()
	}
	c := scanner.Classify(scan.Text)
	p := &Preview{Scan: scan, Kind: string(c.Kind), CardID: c.CardID}
	if !c.Redeemable() {
		p.Reason, p.Advice = kindRefusal(c.Kind)
		return p, nil
	}
	if r, ok := s.recentFor(c.Text); ok && r.preview != nil {
		dup := *r.preview
		dup.Duplicate = true
		return &dup, nil
	}
	if c.Code != "" {
		if r, ok := s.recentFor(c.Code); ok && r.preview != nil {
			dup := *r.preview
			dup.Duplicate = true
			return &dup, nil
		}
	}
	pol := s.Policy()
	code := c.Code
	if code == "" && c.EncryptCode != "" {
		lctx, cancel := context.WithTimeout(ctx, pol.LookupWait)
		plain, err := s.wx.DecryptCode(lctx, c.EncryptCode)
		cancel()
		switch {
		case err == nil:
			code = plain
		case unreachable(err):
			p.Offline = true
			p.Reason, p.Advice = msg(KeyOfflineEncrypted), msg(KeyTellOffline)
			if s.noteOffline(err) {
				s.publish(context.WithoutCancel(ctx)) // the status bar turns to 离线 now
			}
			return p, nil
		default:
			p.ErrCode, _ = wxapi.ErrorCode(err)
			p.Reason, p.Advice = errRefusal(p.ErrCode)
			return p, nil
		}
	}
	p.Code, p.MaskedCode = code, Mask(code)
	if err := s.lookup(ctx, p, c.CardID, pol); err != nil {
		return nil, err
	}
	s.remember(c.Text, recent{preview: p})
	if c.Text != code {
		s.remember(code, recent{preview: p})
	}
	return p, nil
}

// rememberOutcome keeps out (and its preview) as the answer to a re-scan within the window.
func (s *Service) rememberOutcome(p *Preview, out *Outcome) {
	r := recent{preview: p, outcome: out}
	s.remember(p.Code, r)
	if t := strings.TrimSpace(p.Scan.Text); t != "" && t != p.Code {
		s.remember(t, r)
	}
}

// lookup fills p from code/get and the catalog, or from the catalog alone when WeChat is away.
func (s *Service) lookup(ctx context.Context, p *Preview, urlCardID string, pol Policy) error {
	lctx, cancel := context.WithTimeout(ctx, pol.LookupWait)
	defer cancel()
	info, err := s.wx.GetCode(lctx, p.Code, urlCardID, false)
	if code, ok := wxapi.ErrorCode(err); ok && code == 40056 && urlCardID == "" {
		// A custom-code card needs its card_id: try the catalog's custom-code cards.
		if cards, cerr := s.cachedCards(ctx); cerr == nil {
			for _, c := range cards {
				if !c.Base.UseCustomCode {
					continue
				}
				i2, e2 := s.wx.GetCode(lctx, p.Code, c.ID, false)
				if e2 == nil {
					info, err = i2, nil
					break
				}
				if !isCode(e2, 40056) {
					err = e2
					break
				}
			}
		}
	}
	if err != nil {
		// Unreachable, or busy / over quota even after wxapi's retries: serve the customer offline.
		if unreachable(err) || wxapi.IsRetryable(err) || isQuota(err) {
			if s.noteOffline(err) {
				s.publish(context.WithoutCancel(ctx)) // the status bar turns to 离线 now
			}
			return s.offlinePreview(ctx, p, pol)
		}
		p.ErrCode, _ = wxapi.ErrorCode(err)
		if p.ErrCode == 40056 && urlCardID != "" {
			p.Reason, p.Advice = msg(KeyWrongCard), msg(KeyTellOtherCard)
			return nil
		}
		p.Reason, p.Advice = errRefusal(p.ErrCode)
		if p.ErrCode == 0 {
			p.Reason = msg(KeySyncError)
		}
		return nil
	}
	if s.noteOnline() {
		s.publish(context.WithoutCancel(ctx))
	}
	if urlCardID != "" && info.CardID != "" && info.CardID != urlCardID {
		p.Reason, p.Advice = msg(KeyWrongCard), msg(KeyTellOtherCard)
		return nil
	}
	p.CardID = info.CardID
	p.Status = info.Status
	p.ValidFrom, p.ValidTo = info.BeginTime, info.EndTime
	card := s.card(lctx, p.CardID, true) // what is left of the cashier's wait
	s.fillCard(p, card)
	if info.BeginTime != 0 || info.EndTime != 0 {
		p.ValidFrom, p.ValidTo = info.BeginTime, info.EndTime
	}
	now := s.now().Unix()
	switch {
	case info.Status != wxapi.StatusNormal && info.Status != "":
		p.Reason, p.Advice = statusRefusal(info.Status)
	case p.ValidTo != 0 && now > p.ValidTo:
		p.Reason, p.Advice = msg(KeyExpired), msg(KeyTellExpired)
	case p.ValidFrom != 0 && now < p.ValidFrom:
		p.Reason, p.Advice = msg(KeyNotYetValid, "From", p.ValidFrom), msg(KeyTellExpired)
	case !info.CanConsume:
		p.Reason, p.Advice = statusRefusal(info.Status)
	default:
		p.CanRedeem = true
	}
	if info.Status == wxapi.StatusConsumed {
		// Perhaps by this till: a redeem cut off by a crash, or one done moments ago.
		s.settleAbandoned(ctx, p.Code)
		rows, err := s.db.List(ctx, storage.Filter{Code: p.Code, States: []storage.State{storage.StateRedeemed}, Newest: true, Limit: 1})
		if err != nil {
			return fmt.Errorf("redeem: journal of %s: %w", p.Code, err)
		}
		if len(rows) == 1 {
			when := time.UnixMilli(rows[0].RedeemedAt).In(time.Local).Format("2006-01-02 15:04")
			p.Reason = msg(KeyUsedHere, "At", rows[0].RedeemedAt/1000, "When", when, "Cashier", rows[0].Cashier)
		}
	}
	return nil
}

// offlinePreview decides an offline preview from the catalog, the journal and the policy.
func (s *Service) offlinePreview(ctx context.Context, p *Preview, pol Policy) error {
	p.Offline = true
	if p.CardID == "" {
		// The journal may know this code's card from an earlier scan.
		if rows, err := s.db.List(ctx, storage.Filter{Code: p.Code, Newest: true, Limit: 1}); err == nil && len(rows) > 0 {
			p.CardID = rows[0].CardID
		}
	}
	card := s.card(ctx, p.CardID, false)
	s.fillCard(p, card)
	reason, err := s.offlineRefusal(ctx, p, card, pol)
	if err != nil {
		return err
	}
	if reason.Key != "" {
		p.Reason, p.Advice = reason, msg(KeyTellOffline)
		return nil
	}
	p.CanRedeem = true
	p.Reason = msg(KeyOfflineRisk, "MaxAge", int(pol.MaxAge/time.Hour))
	return nil
}

// offlineRefusal is why the policy refuses p offline, or an empty Message when it allows it.
func (s *Service) offlineRefusal(ctx context.Context, p *Preview, card *wxapi.Card, pol Policy) (Message, error) {
	if !pol.Enabled {
		return msg(KeyOfflineOff), nil
	}
	if p.Code == "" {
		// An encrypt_code that could not be decrypted: there is no code to queue.
		return msg(KeyOfflineEncrypted), nil
	}
	if len(pol.AllowedTypes) > 0 {
		if card == nil {
			return msg(KeyOfflineUnknown), nil
		}
		ok := false
		for _, t := range pol.AllowedTypes {
			ok = ok || t == card.Type
		}
		if !ok {
			return msg(KeyOfflineType, "Type", string(card.Type)), nil
		}
	}
	if fv := FaceValue(card); pol.MaxFaceValue > 0 && fv > pol.MaxFaceValue {
		return msg(KeyOfflineOverCap, "Value", money.Short(fv), "Cap", money.Short(pol.MaxFaceValue)), nil
	}
	if p.ValidTo != 0 && s.now().Unix() > p.ValidTo {
		return msg(KeyExpired), nil
	}
	rows, err := s.db.List(ctx, storage.Filter{Code: p.Code})
	if err != nil {
		return Message{}, fmt.Errorf("redeem: journal of %s: %w", p.Code, err)
	}
	for _, r := range rows {
		switch r.State {
		case storage.StateRedeemed:
			return msg(KeyOfflineUsedHere), nil
		case storage.StateQueued, storage.StateInFlight:
			return msg(KeyAlreadyQueued), nil
		case storage.StateChecking:
			return msg(KeyInProgress), nil
		case storage.StateConflict:
			return msg(KeyConflictOpen), nil
		}
	}
	if pol.MaxPending > 0 {
		counts, err := s.db.Counts(ctx)
		if err != nil {
			return Message{}, fmt.Errorf("redeem: count pending: %w", err)
		}
		if counts[storage.StateQueued]+counts[storage.StateInFlight] >= pol.MaxPending {
			return msg(KeyOfflineTooMany, "Max", pol.MaxPending), nil
		}
	}
	return Message{}, nil
}

// fillCard copies the card's words into p.
func (s *Service) fillCard(p *Preview, c *wxapi.Card) {
	if c == nil {
		p.Value = ValueMessage(nil)
		return
	}
	p.CardID = c.ID
	p.Title, p.Brand, p.CardType, p.Notice = c.Base.Title, c.Base.BrandName, c.Type, c.Base.Notice
	p.Value, p.FaceValue = ValueMessage(c), FaceValue(c)
	if c.Base.DateInfo.Type == "DATE_TYPE_FIX_TIME_RANGE" {
		p.ValidFrom, p.ValidTo = c.Base.DateInfo.BeginTimestamp, c.Base.DateInfo.EndTimestamp
	}
}

// Redeem consumes the code of a preview the cashier confirmed, or queues it when the preview is
// offline. The intent is committed to the journal before any consume request is sent and the
// outcome after. A refused preview is recorded as rejected. The error is only for local failures.
func (s *Service) Redeem(ctx context.Context, p *Preview) (*Outcome, error) {
	if p == nil {
		return nil, errors.New("redeem: nil preview")
	}
	if s.wx == nil {
		return nil, ErrNoWeChat
	}
	out := &Outcome{Code: p.Code, CardID: p.CardID, Title: p.Title, CardType: p.CardType, Preview: p,
		ErrCode: p.ErrCode, Reason: p.Reason, Advice: p.Advice, Offline: p.Offline}
	if p.Code != "" {
		if r, ok := s.recentFor(p.Code); ok && r.outcome != nil {
			dup := *r.outcome
			dup.Duplicate = true
			return &dup, nil
		}
	}
	row := storage.Redemption{Code: p.Code, CardID: p.CardID, Title: p.Title, CardType: string(p.CardType),
		FaceValue: p.FaceValue, Source: string(p.Scan.Source), Cashier: p.Scan.Cashier, Terminal: s.cfg.Terminal,
		Offline: p.Offline, CreatedAt: s.now().UnixMilli()}
	if !p.CanRedeem {
		out.Result = ResultRejected
		if p.Code == "" || p.Duplicate {
			return out, nil // not a coupon at all, or the refusal of a moment ago: nothing new to journal
		}
		row.State, row.Reason, row.ErrCode = storage.StateRejected, p.Reason.Key, p.ErrCode
		id, err := s.db.Insert(ctx, row)
		if err != nil {
			return nil, fmt.Errorf("redeem: record refusal: %w", err)
		}
		out.ID = id
		return out, nil
	}
	if p.Offline {
		return s.enqueue(ctx, p, row, out)
	}
	// Online: the intent first, holding a lease so no sync worker touches it meanwhile.
	row.State, row.Attempts = storage.StateChecking, 1
	row.NextAttemptAt = s.now().Add(s.cfg.Lease).UnixMilli()
	id, err := s.db.Insert(ctx, row)
	if errors.Is(err, storage.ErrOpenExists) && s.settleAbandoned(ctx, p.Code) {
		id, err = s.db.Insert(ctx, row)
	}
	if errors.Is(err, storage.ErrOpenExists) {
		return s.refuseOpen(ctx, p, out)
	}
	if err != nil {
		return nil, fmt.Errorf("redeem: record intent: %w", err)
	}
	out.ID = id
	cctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	_, cerr := s.wx.ConsumeCode(cctx, p.Code, p.CardID)
	cancel()
	// The outcome must be written even when the caller's ctx ended meanwhile.
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer wcancel()
	switch {
	case cerr == nil:
		if _, err := s.db.Transition(wctx, id, []storage.State{storage.StateChecking}, func(r *storage.Redemption) {
			r.State, r.RedeemedAt, r.Offline, r.NextAttemptAt = storage.StateRedeemed, s.now().UnixMilli(), false, 0
		}); err != nil {
			return nil, fmt.Errorf("redeem: record redeemed: %w", err)
		}
		s.noteOnline()
		out.Result, out.Reason, out.Advice, out.Offline = ResultRedeemed, Message{}, Message{}, false
	case wxapi.IsNotSent(cerr) || wxapi.IsRetryable(cerr) || wxapi.IsTokenError(cerr) || isQuota(cerr):
		// Not applied: WeChat went away between the check and the confirmation.
		if unreachable(cerr) {
			s.noteOffline(cerr)
		}
		return s.onlineToOffline(wctx, p, id, out, cerr)
	case wxapi.IsNetworkError(cerr):
		// Sent, answer lost: ask WeChat what became of it.
		return s.answerLost(wctx, p, id, out)
	default:
		code, _ := wxapi.ErrorCode(cerr)
		reason, advice := errRefusal(code)
		if code == 40127 {
			if info, err := s.getStatus(wctx, p.Code, p.CardID); err == nil {
				reason, advice = statusRefusal(info.Status)
			}
		}
		if _, err := s.db.Transition(wctx, id, []storage.State{storage.StateChecking}, func(r *storage.Redemption) {
			r.State, r.Reason, r.ErrCode, r.LastError, r.NextAttemptAt = storage.StateRejected, reason.Key, code, cerr.Error(), 0
		}); err != nil {
			return nil, fmt.Errorf("redeem: record refusal: %w", err)
		}
		out.Result, out.ErrCode, out.Reason, out.Advice = ResultRejected, code, reason, advice
	}
	s.rememberOutcome(p, out)
	s.publish(ctx)
	return out, nil
}

// onlineToOffline turns an online intent whose consume was not applied into a queued offline
// redemption when the policy allows, else into a rejection.
func (s *Service) onlineToOffline(ctx context.Context, p *Preview, id int64, out *Outcome, cause error) (*Outcome, error) {
	card := s.card(ctx, p.CardID, false)
	pol := s.Policy()
	op := *p
	op.Offline = true
	// The intent row is this code's open row; the policy check must not count it as "in progress".
	if _, err := s.db.Transition(ctx, id, []storage.State{storage.StateChecking}, func(r *storage.Redemption) {
		r.State, r.Reason, r.LastError, r.NextAttemptAt, r.Attempts = storage.StateRejected, KeySyncOffline, cause.Error(), 0, 0
	}); err != nil {
		return nil, fmt.Errorf("redeem: record: %w", err)
	}
	reason, err := s.offlineRefusal(ctx, &op, card, pol)
	if err != nil {
		return nil, err
	}
	if reason.Key != "" {
		out.Result, out.Reason, out.Advice, out.Offline = ResultRejected, reason, msg(KeyTellOffline), true
		if _, err := s.db.Transition(ctx, id, []storage.State{storage.StateRejected}, func(r *storage.Redemption) { r.Reason = reason.Key }); err != nil {
			return nil, fmt.Errorf("redeem: record: %w", err)
		}
		s.publish(ctx)
		return out, nil
	}
	// Reuse the row: rejected → queued (the partial index allows it, no open row exists).
	if _, err := s.db.Transition(ctx, id, []storage.State{storage.StateRejected}, func(r *storage.Redemption) {
		r.State, r.Offline, r.Reason = storage.StateQueued, true, ""
	}); err != nil {
		return nil, fmt.Errorf("redeem: queue: %w", err)
	}
	out.Result, out.Offline, out.Reason, out.Advice = ResultQueued, true, msg(KeyOfflineQueued), Message{}
	s.rememberOutcome(p, out)
	s.publish(ctx)
	s.nudge()
	return out, nil
}

// answerLost resolves a consume whose answer never came, at once if WeChat answers code/get,
// else by leaving it queued (attempts 1) for the sync worker's reconciliation.
func (s *Service) answerLost(ctx context.Context, p *Preview, id int64, out *Outcome) (*Outcome, error) {
	info, err := s.getStatus(ctx, p.Code, p.CardID)
	if err == nil && info.Status == wxapi.StatusConsumed {
		if _, err := s.db.Transition(ctx, id, []storage.State{storage.StateChecking}, func(r *storage.Redemption) {
			r.State, r.RedeemedAt, r.ConfirmedByStatus, r.NextAttemptAt = storage.StateRedeemed, s.now().UnixMilli(), true, 0
		}); err != nil {
			return nil, fmt.Errorf("redeem: record redeemed: %w", err)
		}
		out.Result, out.ConfirmedByStatus, out.Reason, out.Advice, out.Offline = ResultRedeemed, true, Message{}, Message{}, false
		s.rememberOutcome(p, out)
		s.publish(ctx)
		return out, nil
	}
	// Unknown: it may have been applied, so it cannot be refused. The sync worker reconciles it.
	if _, err := s.db.Transition(ctx, id, []storage.State{storage.StateChecking}, func(r *storage.Redemption) {
		r.State, r.Offline, r.NextAttemptAt, r.LastError = storage.StateQueued, true, 0, "answer lost"
	}); err != nil {
		return nil, fmt.Errorf("redeem: queue lost answer: %w", err)
	}
	out.Result, out.Offline, out.Reason, out.Advice = ResultQueued, true, msg(KeyAnswerLost), Message{}
	s.rememberOutcome(p, out)
	s.publish(ctx)
	s.nudge()
	return out, nil
}

// enqueue records an offline redemption after the policy's last word.
func (s *Service) enqueue(ctx context.Context, p *Preview, row storage.Redemption, out *Outcome) (*Outcome, error) {
	pol := s.Policy()
	card := s.card(ctx, p.CardID, false)
	reason, err := s.offlineRefusal(ctx, p, card, pol)
	if err != nil {
		return nil, err
	}
	if reason.Key != "" {
		out.Result, out.Reason, out.Advice = ResultRejected, reason, msg(KeyTellOffline)
		return out, nil
	}
	id, err := s.db.Enqueue(ctx, row, pol.MaxPending)
	switch {
	case errors.Is(err, storage.ErrQueueFull):
		out.Result, out.Reason, out.Advice = ResultRejected, msg(KeyOfflineTooMany, "Max", pol.MaxPending), msg(KeyTellOffline)
		return out, nil
	case errors.Is(err, storage.ErrOpenExists):
		return s.refuseOpen(ctx, p, out)
	case err != nil:
		return nil, fmt.Errorf("redeem: queue: %w", err)
	}
	pending := 0
	if c, err := s.db.Counts(ctx); err == nil {
		pending = c[storage.StateQueued] + c[storage.StateInFlight]
	}
	out.ID, out.Result, out.Offline, out.Reason, out.Advice = id, ResultQueued, true, msg(KeyOfflineQueued, "Pending", pending), Message{}
	s.rememberOutcome(p, out)
	s.publish(ctx)
	s.nudge()
	return out, nil
}

// settleAbandoned reconciles the code's open row when it was left in checking or in_flight by a
// process that is gone (its lease ran out), so a re-scan after a crash need not wait for the sync
// worker. It reports whether the code has no open row any more.
func (s *Service) settleAbandoned(ctx context.Context, code string) bool {
	r, err := s.db.OpenFor(ctx, code)
	if err != nil || !s.db.Abandoned(r, s.now().UnixMilli(), s.cfg.RequestTimeout) {
		return false
	}
	if _, _, err := s.reconcile(ctx, r); err != nil {
		s.log.Warn("reconciling an abandoned redemption failed", "id", r.ID, "err", err)
		return false
	}
	_, err = s.db.OpenFor(ctx, code)
	return errors.Is(err, storage.ErrNotFound)
}

// refuseOpen answers a redeem of a code that already has an open journal row.
func (s *Service) refuseOpen(ctx context.Context, p *Preview, out *Outcome) (*Outcome, error) {
	out.Result, out.Advice = ResultRejected, Message{}
	out.Reason = msg(KeyInProgress)
	if r, err := s.db.OpenFor(ctx, p.Code); err == nil {
		out.ID = r.ID
		switch r.State {
		case storage.StateQueued, storage.StateInFlight:
			out.Reason = msg(KeyAlreadyQueued)
		case storage.StateConflict:
			out.Reason = msg(KeyConflictOpen)
		}
	}
	return out, nil
}

// RedeemText checks a scan and, unless checkOnly, redeems it (the CLI's `redeem [--check]`).
// checkOnly gives ResultValid for a code that can be redeemed now.
func (s *Service) RedeemText(ctx context.Context, scan Scan, checkOnly bool) (*Outcome, error) {
	p, err := s.Check(ctx, scan)
	if err != nil {
		return nil, err
	}
	if checkOnly || p.Duplicate && !p.CanRedeem {
		out := &Outcome{Result: ResultRejected, Code: p.Code, CardID: p.CardID, Title: p.Title, CardType: p.CardType,
			ErrCode: p.ErrCode, Reason: p.Reason, Advice: p.Advice, Preview: p, Offline: p.Offline, Duplicate: p.Duplicate}
		if p.CanRedeem {
			out.Result = ResultValid
		}
		return out, nil
	}
	return s.Redeem(ctx, p)
}

// Queue lists, oldest first, the redemptions waiting (queued, in_flight) or needing a manager
// (conflict, and expired: accepted offline but never synced).
func (s *Service) Queue(ctx context.Context) ([]storage.Redemption, error) {
	rows, err := s.db.List(ctx, storage.Filter{States: []storage.State{storage.StateQueued, storage.StateInFlight, storage.StateConflict, storage.StateExpired}})
	if err != nil {
		return nil, fmt.Errorf("redeem: queue: %w", err)
	}
	return rows, nil
}

// History lists the journal from since on, newest first.
func (s *Service) History(ctx context.Context, since time.Time) ([]storage.Redemption, error) {
	var ms int64
	if !since.IsZero() {
		ms = since.UnixMilli()
	}
	rows, err := s.db.List(ctx, storage.Filter{Since: ms, Newest: true})
	if err != nil {
		return nil, fmt.Errorf("redeem: history: %w", err)
	}
	return rows, nil
}

// ResolveConflict closes a conflict or an expired row after a manager looked at it, with an audit
// entry, in one transaction. Any other row gives an error wrapping storage.ErrStale.
func (s *Service) ResolveConflict(ctx context.Context, id int64, manager, note string) error {
	_, err := s.db.Transition(ctx, id, []storage.State{storage.StateConflict, storage.StateExpired}, func(r *storage.Redemption) {
		r.State, r.ResolvedBy, r.ResolvedNote = storage.StateResolved, manager, note
	}, func(tx *sql.Tx) error {
		return storage.AuditTx(ctx, tx, manager, "conflict.resolve", fmt.Sprintf("redemption %d: %s", id, note))
	})
	if err != nil {
		return fmt.Errorf("redeem: resolve conflict %d: %w", id, err)
	}
	s.publish(ctx)
	return nil
}

// recentFor returns what this service answered for key within the duplicate window.
func (s *Service) recentFor(key string) (recent, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recent[key]
	if !ok || s.now().Sub(r.at) > s.cfg.DuplicateWindow {
		return recent{}, false
	}
	return r, true
}

func (s *Service) remember(key string, r recent) {
	if key == "" {
		return
	}
	now := s.now()
	r.at = now
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.recent {
		if now.Sub(v.at) > s.cfg.DuplicateWindow {
			delete(s.recent, k)
		}
	}
	s.recent[key] = r
}

// unreachable reports whether err means WeChat could not be reached or did not answer in time.
// A token that could not be fetched for a network reason counts; WeChat refusing the
// credentials (a *wxapi.Error inside the token failure) does not.
func unreachable(err error) bool {
	return wxapi.IsNetworkError(err) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, wxapi.ErrTokenThrottled)
}

func isCode(err error, code int) bool {
	c, ok := wxapi.ErrorCode(err)
	return ok && c == code
}

func isQuota(err error) bool {
	c, ok := wxapi.ErrorCode(err)
	return ok && wxapi.Explain(c).Class == wxapi.ClassQuota
}

func (s *Service) getStatus(ctx context.Context, code, cardID string) (*wxapi.CodeInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	return s.wx.GetCode(ctx, code, cardID, false)
}
