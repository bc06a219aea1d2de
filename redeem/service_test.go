package redeem

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/cardpos/cardpos/money"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
	"github.com/cardpos/cardpos/wxapi/wxsim"
)

// env is one till against one emulated WeChat account, over real HTTP and a real SQLite file.
type env struct {
	t      *testing.T
	sim    *wxsim.Sim
	url    string
	run    *wxsim.Running // non-nil when started with a real listener (Down refuses connections)
	wx     *wxapi.Client
	db     *storage.DB
	svc    *Service
	ctx    context.Context
	dir    string
	pol    Policy
	conf   Config
	listen bool
}

type envOpt func(*env)

func withPolicy(p Policy) envOpt { return func(e *env) { e.pol = p } }

// listening starts the emulator on a real listener so that Down really refuses connections.
func listening(e *env) { e.listen = true }

func newEnv(t *testing.T, opts ...envOpt) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sim, err := wxsim.New(wxsim.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, sim: sim, ctx: ctx, dir: t.TempDir(), pol: DefaultPolicy()}
	e.pol.LookupWait = 500 * time.Millisecond
	for _, o := range opts {
		o(e)
	}
	if e.listen {
		run, err := wxsim.Start(ctx, sim, "127.0.0.1:0", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { run.Close() })
		e.run, e.url = run, run.URL
	} else {
		srv := httptest.NewServer(sim)
		t.Cleanup(srv.Close)
		e.url = srv.URL
	}
	e.wx = wxapi.New(wxapi.Config{BaseURL: e.url, AppID: sim.AppID(), Secret: sim.Secret()})
	db, err := storage.Open(ctx, e.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.db = db
	e.conf = Config{WX: e.wx, DB: db, Terminal: "till-1", Policy: e.pol, RequestTimeout: 2 * time.Second, ProbeURL: e.url,
		Lease: 5 * time.Second, BackoffBase: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond}
	e.svc = New(e.conf)
	return e
}

func (e *env) scan(text string) Scan {
	return Scan{Text: text, Source: SourceWedge, Cashier: "ann"}
}

func (e *env) redeem(text string) *Outcome {
	e.t.Helper()
	out, err := e.svc.RedeemText(e.ctx, e.scan(text), false)
	if err != nil {
		e.t.Fatalf("RedeemText(%q): %v", text, err)
	}
	return out
}

func (e *env) sync() SyncProgress {
	e.t.Helper()
	p, err := e.svc.Sync(e.ctx)
	if err != nil {
		e.t.Fatalf("Sync: %v", err)
	}
	return p
}

func (e *env) row(id int64) storage.Redemption {
	e.t.Helper()
	r, err := e.db.Redemption(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// cardOf returns the card id of a demo code, asked of the emulator.
func (e *env) cardOf(code string) string {
	e.t.Helper()
	info, err := e.wx.GetCode(e.ctx, code, "", false)
	if err != nil {
		e.t.Fatal(err)
	}
	return info.CardID
}

func TestOnlineValidRedeemed(t *testing.T) {
	e := newEnv(t)
	p, err := e.svc.Check(e.ctx, e.scan("100000000001"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.CanRedeem || p.Offline {
		t.Fatalf("preview: CanRedeem=%v Offline=%v Reason=%v, want redeemable online", p.CanRedeem, p.Offline, p.Reason)
	}
	if p.Value.Key != KeyValueCash || p.Value.Args["Least"] != "100" || p.Value.Args["Reduce"] != "20" {
		t.Errorf("value = %+v, want 满100减20", p.Value)
	}
	if p.Title != "满100减20元券" || p.CardType != wxapi.CardCash || p.FaceValue != 2000 || p.MaskedCode != "•••• •••• 0001" {
		t.Errorf("preview card = %q %s %d %q", p.Title, p.CardType, p.FaceValue, p.MaskedCode)
	}
	if p.ValidTo == 0 || p.Status != wxapi.StatusNormal {
		t.Errorf("validity/status = %d %s", p.ValidTo, p.Status)
	}
	out, err := e.svc.Redeem(e.ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if out.Result != ResultRedeemed || out.ID == 0 {
		t.Fatalf("outcome = %+v, want redeemed", out)
	}
	if got := e.sim.Consumes("100000000001"); got != 1 {
		t.Errorf("emulator consumes = %d, want 1", got)
	}
	r := e.row(out.ID)
	if r.State != storage.StateRedeemed || r.Offline || r.RedeemedAt == 0 || r.Cashier != "ann" || r.Terminal != "till-1" || r.Source != "wedge" {
		t.Errorf("journal row = %+v", r)
	}
	if st, _ := e.sim.CodeStatus("100000000001"); st != "CONSUMED" {
		t.Errorf("emulator status = %s, want CONSUMED", st)
	}
}

func TestRefusalsEachTheirOwnReason(t *testing.T) {
	e := newEnv(t)
	discountCard := e.cardOf("300000000001")
	tests := []struct {
		name, text string
		want       string
	}{
		{"used", "200000000001", KeyUsed},
		{"expired", "200000000002", KeyExpired},
		{"voided", "200000000003", KeyVoided},
		{"gifting", "200000000004", KeyGifting},
		{"deleted", "200000000005", KeyDeleted},
		{"unknown", "999999999999", KeyUnknownCode},
		{"expired by date", "600000000002", KeyExpired},
		{"not yet valid", "700000000001", KeyNotYetValid},
		{"wrong card", "https://shop.example.com/card?card_id=" + discountCard + "&code=100000000002", KeyWrongCard},
		{"damaged encrypted", "XXIzTtMqCxwOaawoE91+VJdsFmv7b8g0VZIZkqf4GWA60Fzpc8ksZ/5ZZ0DVkXdE", KeyDamaged},
		{"wechat pay", "134567890123456789", KeyWeChatPay},
		{"alipay", "281234567890123456", KeyAlipay},
		{"campaign poster", "http://weixin.qq.com/q/BHWya_zlfioH6fXeL16o", KeyCampaignQR},
		{"product barcode", "6901234567892", KeyProduct},
		{"wrong input method", "优惠券１２３", KeyBadChars},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := e.redeem(tt.text)
			if out.Result != ResultRejected || out.Reason.Key != tt.want {
				t.Errorf("result %s reason %q, want rejected %q", out.Result, out.Reason.Key, tt.want)
			}
			if prev, dup := seen[out.Reason.Key]; dup && prev != tt.name && tt.name != "expired by date" {
				t.Errorf("reason %q shared with %q", out.Reason.Key, prev)
			}
			seen[out.Reason.Key] = tt.name
		})
	}
	if n := len(e.sim.AllConsumes()); n != 0 {
		t.Errorf("emulator saw consumes for %d codes, want none", n)
	}
}

func TestEncryptedCodeAndCustomCode(t *testing.T) {
	e := newEnv(t)
	enc := e.sim.EncryptCode("100000000009")
	out := e.redeem(enc)
	if out.Result != ResultRedeemed || out.Code != "100000000009" {
		t.Fatalf("encrypted: %+v", out)
	}
	// A custom code needs its card_id: the catalog supplies it.
	if err := e.svc.RefreshCatalog(e.ctx); err != nil {
		t.Fatal(err)
	}
	out = e.redeem("VIP2024A001")
	if out.Result != ResultRedeemed || out.CardID == "" {
		t.Fatalf("custom code: %+v", out)
	}
	if got := e.sim.Consumes("VIP2024A001"); got != 1 {
		t.Errorf("consumes = %d, want 1", got)
	}
}

func TestDuplicateScanIsQuiet(t *testing.T) {
	e := newEnv(t)
	first := e.redeem("100000000002")
	gets := e.sim.Calls("/card/code/get")
	second := e.redeem("100000000002")
	if first.Result != ResultRedeemed || !second.Duplicate || second.Result != ResultRedeemed {
		t.Fatalf("first %+v second %+v, want redeemed then a quiet duplicate", first.Result, second)
	}
	if got := e.sim.Calls("/card/code/get"); got != gets {
		t.Errorf("code/get calls grew from %d to %d on a duplicate", gets, got)
	}
	if got := e.sim.Consumes("100000000002"); got != 1 {
		t.Errorf("consumes = %d, want 1", got)
	}
}

func TestOfflineWithinCapsThenSyncExactlyOnce(t *testing.T) {
	pol := DefaultPolicy()
	pol.MaxPending, pol.LookupWait = 3, 300*time.Millisecond
	e := newEnv(t, withPolicy(pol), listening)
	e.sim.SetFaults(wxsim.Faults{Down: true})
	var ids []int64
	for _, code := range []string{"100000000001", "100000000002", "300000000001"} {
		out := e.redeem(code)
		if out.Result != ResultQueued || !out.Offline || out.ID == 0 {
			t.Fatalf("%s offline: %+v, want queued", code, out)
		}
		ids = append(ids, out.ID)
	}
	past := e.redeem("100000000003")
	if past.Result != ResultRejected || past.Reason.Key != KeyOfflineTooMany {
		t.Errorf("past the cap: %s %q, want rejected %q", past.Result, past.Reason.Key, KeyOfflineTooMany)
	}
	enc := e.redeem(e.sim.EncryptCode("100000000004"))
	if enc.Result != ResultRejected || enc.Reason.Key != KeyOfflineEncrypted {
		t.Errorf("encrypted offline: %s %q, want %q", enc.Result, enc.Reason.Key, KeyOfflineEncrypted)
	}
	if p := e.svc.Progress(); p.Online || p.Pending != 3 {
		t.Errorf("progress offline = %+v, want offline with 3 pending", p)
	}
	p := e.sync() // still down: nothing moves, nothing lost
	if p.Pending != 3 || p.Done != 0 {
		t.Errorf("sync while down: %+v", p)
	}
	e.sim.SetFaults(wxsim.Faults{})
	time.Sleep(60 * time.Millisecond) // past the backoff
	p = e.sync()
	if p.Pending != 0 || p.InFlight != 0 || p.Done != 3 || !p.Online {
		t.Errorf("sync after the network returned: %+v, want 3 done, none pending", p)
	}
	for i, code := range []string{"100000000001", "100000000002", "300000000001"} {
		if got := e.sim.Consumes(code); got != 1 {
			t.Errorf("%s consumed %d times at the emulator, want 1", code, got)
		}
		if r := e.row(ids[i]); r.State != storage.StateRedeemed || !r.Offline || r.ConfirmedByStatus {
			t.Errorf("%s row = %s offline=%v confirmed=%v", code, r.State, r.Offline, r.ConfirmedByStatus)
		}
	}
	e.sync()
	if got := e.sim.Consumes("100000000001"); got != 1 {
		t.Errorf("a second sync consumed again: %d", got)
	}
}

func TestOfflinePolicyRefusals(t *testing.T) {
	cash := DefaultPolicy()
	cash.MaxFaceValue, cash.LookupWait = 1000, 300*time.Millisecond // ¥10: the ¥20 coupon is over
	typed := DefaultPolicy()
	typed.AllowedTypes, typed.LookupWait = []wxapi.CardType{wxapi.CardDiscount}, 300*time.Millisecond
	off := DefaultPolicy()
	off.Enabled, off.LookupWait = false, 300*time.Millisecond
	tests := []struct {
		name string
		pol  Policy
		code string
		want string
	}{
		{"over the face value cap", cash, "100000000001", KeyOfflineOverCap},
		{"type not allowed", typed, "100000000001", KeyOfflineType},
		{"type allowed", typed, "300000000001", ""},
		{"offline off", off, "300000000001", KeyOfflineOff},
		{"card unknown with type limits", typed, "999999999999", KeyOfflineUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, withPolicy(tt.pol), listening)
			if err := e.svc.RefreshCatalog(e.ctx); err != nil {
				t.Fatal(err)
			}
			// The journal knows the card of an earlier scan of the code: let it.
			if tt.code != "999999999999" {
				if _, err := e.db.Insert(e.ctx, storage.Redemption{Code: tt.code, CardID: e.cardOf(tt.code), State: storage.StateRejected}); err != nil {
					t.Fatal(err)
				}
			}
			e.sim.SetFaults(wxsim.Faults{Down: true})
			out := e.redeem(tt.code)
			if tt.want == "" {
				if out.Result != ResultQueued {
					t.Errorf("got %s %q, want queued", out.Result, out.Reason.Key)
				}
				return
			}
			if out.Result != ResultRejected || out.Reason.Key != tt.want {
				t.Errorf("got %s %q, want rejected %q", out.Result, out.Reason.Key, tt.want)
			}
		})
	}
}

func TestSlowLookupTakesTheOfflinePath(t *testing.T) {
	pol := DefaultPolicy()
	pol.LookupWait = 200 * time.Millisecond
	e := newEnv(t, withPolicy(pol))
	e.sim.SetFaults(wxsim.Faults{Latency: 2 * time.Second})
	start := time.Now()
	p, err := e.svc.Check(e.ctx, e.scan("100000000007"))
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("check took %v, want about LookupWait", d)
	}
	if !p.Offline || !p.CanRedeem || p.Reason.Key != KeyOfflineRisk {
		t.Errorf("preview offline=%v can=%v reason=%q, want an offline preview with the risk warning", p.Offline, p.CanRedeem, p.Reason.Key)
	}
}

func TestLostAnswerEndsRedeemedConfirmedByStatus(t *testing.T) {
	t.Run("online", func(t *testing.T) {
		e := newEnv(t)
		p, err := e.svc.Check(e.ctx, e.scan("100000000005"))
		if err != nil || !p.CanRedeem {
			t.Fatalf("check: %v %+v", err, p)
		}
		e.sim.SetFaults(wxsim.Faults{DropAfterConsume: 1})
		out, err := e.svc.Redeem(e.ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if out.Result != ResultQueued && out.Result != ResultRedeemed {
			t.Fatalf("outcome %s %q", out.Result, out.Reason.Key)
		}
		e.sync()
		r := e.row(out.ID)
		if r.State != storage.StateRedeemed || !r.ConfirmedByStatus {
			t.Errorf("row %s confirmed=%v reason=%q, want redeemed confirmed by status", r.State, r.ConfirmedByStatus, r.Reason)
		}
		if got := e.sim.Consumes("100000000005"); got != 1 {
			t.Errorf("emulator consumes = %d, want 1", got)
		}
	})
	t.Run("sync", func(t *testing.T) {
		e := newEnv(t, listening)
		e.sim.SetFaults(wxsim.Faults{Down: true})
		out := e.redeem("100000000006")
		if out.Result != ResultQueued {
			t.Fatalf("offline: %+v", out)
		}
		e.sim.SetFaults(wxsim.Faults{DropAfterConsume: 1})
		time.Sleep(60 * time.Millisecond)
		for i := 0; i < 3; i++ {
			e.sync()
			time.Sleep(60 * time.Millisecond)
		}
		r := e.row(out.ID)
		if r.State != storage.StateRedeemed || !r.ConfirmedByStatus {
			t.Errorf("row %s confirmed=%v reason=%q, want redeemed confirmed by status, never conflict", r.State, r.ConfirmedByStatus, r.Reason)
		}
		if got := e.sim.Consumes("100000000006"); got != 1 {
			t.Errorf("emulator consumes = %d, want 1", got)
		}
	})
}

func TestDoubleUseOfflineIsAConflictWithBothFacts(t *testing.T) {
	e := newEnv(t, listening)
	e.sim.SetFaults(wxsim.Faults{Down: true})
	out := e.redeem("100000000008")
	if out.Result != ResultQueued {
		t.Fatalf("offline: %+v", out)
	}
	e.sim.SetFaults(wxsim.Faults{})
	// Someone else redeems it first (another till, WeChat's staff app).
	other := wxapi.New(wxapi.Config{BaseURL: e.url, AppID: e.sim.AppID(), Secret: e.sim.Secret()})
	if _, err := other.ConsumeCode(e.ctx, "100000000008", ""); err != nil {
		t.Fatal(err)
	}
	time.Sleep(60 * time.Millisecond)
	p := e.sync()
	r := e.row(out.ID)
	if r.State != storage.StateConflict || r.Reason != KeyConflictUsedElsewhere || r.ErrCode != 40099 {
		t.Fatalf("row %s reason %q errcode %d, want conflict used elsewhere 40099", r.State, r.Reason, r.ErrCode)
	}
	var f ConflictFacts
	if err := json.Unmarshal([]byte(r.ConflictDetail), &f); err != nil {
		t.Fatalf("conflict detail %q: %v", r.ConflictDetail, err)
	}
	if f.WeChatStatus != "CONSUMED" || f.WeChatOpenID != e.sim.CodeOpenID("100000000008") || f.AcceptedAt == 0 || f.Cashier != "ann" || !f.Offline {
		t.Errorf("conflict facts = %+v, want WeChat's status and openid and our acceptance", f)
	}
	if p.Conflicts != 1 {
		t.Errorf("progress conflicts = %d, want 1", p.Conflicts)
	}
	q, err := e.svc.Queue(e.ctx)
	if err != nil || len(q) != 1 || q[0].ID != out.ID {
		t.Errorf("queue = %+v, %v; want the conflict", q, err)
	}
	if err := e.svc.ResolveConflict(e.ctx, out.ID, "boss", "customer paid the difference"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ResolveConflict(e.ctx, out.ID, "boss", "again"); !errors.Is(err, storage.ErrStale) {
		t.Errorf("resolving twice: %v, want ErrStale", err)
	}
	log, err := e.db.AuditLog(e.ctx, time.Time{})
	if err != nil || len(log) != 1 || log[0].Actor != "boss" || log[0].Action != "conflict.resolve" {
		t.Errorf("audit = %+v, %v", log, err)
	}
	if r := e.row(out.ID); r.State != storage.StateResolved || r.ResolvedBy != "boss" {
		t.Errorf("resolved row = %s by %q", r.State, r.ResolvedBy)
	}
}

func TestRecoveryOfRowsLeftByACrash(t *testing.T) {
	e := newEnv(t)
	now := time.Now().UnixMilli()
	// Sent before the crash and applied at WeChat.
	if _, err := e.wx.ConsumeCode(e.ctx, "100000000003", ""); err != nil {
		t.Fatal(err)
	}
	applied, _ := e.db.Insert(e.ctx, storage.Redemption{Code: "100000000003", State: storage.StateInFlight, Offline: true, Attempts: 1, NextAttemptAt: now - 1})
	// Claimed but never sent.
	notSent, _ := e.db.Insert(e.ctx, storage.Redemption{Code: "100000000004", State: storage.StateInFlight, Offline: true, Attempts: 1, NextAttemptAt: now - 1})
	// An online redeem cut off before its consume.
	online, _ := e.db.Insert(e.ctx, storage.Redemption{Code: "100000000007", State: storage.StateChecking, Attempts: 1, NextAttemptAt: now - 1})
	// Still under another process's lease: untouched.
	leased, _ := e.db.Insert(e.ctx, storage.Redemption{Code: "300000000002", State: storage.StateInFlight, Attempts: 1, NextAttemptAt: now + 60_000})
	e.sim.ResetCounters()
	e.sync()
	tests := []struct {
		id        int64
		code      string
		state     storage.State
		confirmed bool
		consumes  int
	}{
		{applied, "100000000003", storage.StateRedeemed, true, 0},
		{notSent, "100000000004", storage.StateRedeemed, false, 1},
		{online, "100000000007", storage.StateRejected, false, 0},
		{leased, "300000000002", storage.StateInFlight, false, 0},
	}
	for _, tt := range tests {
		r := e.row(tt.id)
		if r.State != tt.state || r.ConfirmedByStatus != tt.confirmed {
			t.Errorf("%s: %s confirmed=%v, want %s confirmed=%v", tt.code, r.State, r.ConfirmedByStatus, tt.state, tt.confirmed)
		}
		if got := e.sim.Consumes(tt.code); got != tt.consumes {
			t.Errorf("%s: consumes during sync = %d, want %d", tt.code, got, tt.consumes)
		}
	}
}

func TestQueuedPastMaxAgeExpires(t *testing.T) {
	clock := time.Now()
	e := newEnv(t, listening)
	e.conf.Now = func() time.Time { return clock }
	e.svc = New(e.conf)
	e.sim.SetFaults(wxsim.Faults{Down: true})
	out := e.redeem("100000000009")
	if out.Result != ResultQueued {
		t.Fatalf("offline: %+v", out)
	}
	e.sim.SetFaults(wxsim.Faults{})
	clock = clock.Add(25 * time.Hour)
	p := e.sync()
	if r := e.row(out.ID); r.State != storage.StateExpired || r.Reason != KeyExpiredOffline {
		t.Errorf("row %s %q, want expired", r.State, r.Reason)
	}
	if p.Expired != 1 || e.sim.Consumes("100000000009") != 0 {
		t.Errorf("expired %d consumes %d, want 1 and 0", p.Expired, e.sim.Consumes("100000000009"))
	}
	if q, err := e.svc.Queue(e.ctx); err != nil || len(q) != 1 || q[0].State != storage.StateExpired {
		t.Errorf("queue = %+v, %v; want the expired row for a manager", q, err)
	}
	if err := e.svc.ResolveConflict(e.ctx, out.ID, "boss", "customer came back"); err != nil {
		t.Errorf("resolving an expired row: %v", err)
	}
}

func TestPolicyStoredWithAudit(t *testing.T) {
	e := newEnv(t)
	p := DefaultPolicy()
	p.MaxPending, p.AllowedTypes = 7, []wxapi.CardType{wxapi.CardGift}
	if err := e.svc.SetPolicy(e.ctx, "boss", p); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetPolicy(e.ctx, "boss", Policy{MaxPending: -1}); !errors.Is(err, ErrBadPolicy) {
		t.Errorf("negative cap: %v, want ErrBadPolicy", err)
	}
	// Restarted without a policy of its own, the engine uses the stored one.
	bare := e.conf
	bare.Policy = Policy{}
	again := New(bare)
	if _, err := again.Check(e.ctx, e.scan("")); err != nil {
		t.Fatal(err)
	}
	got := again.Policy()
	if got.MaxPending != 7 || len(got.AllowedTypes) != 1 || got.AllowedTypes[0] != wxapi.CardGift {
		t.Errorf("policy after restart = %+v", got)
	}
	// Given one (from the settings store), that one is in force.
	given := New(e.conf)
	if _, err := given.Check(e.ctx, e.scan("")); err != nil {
		t.Fatal(err)
	}
	if got := given.Policy(); got.MaxPending != e.pol.MaxPending || len(got.AllowedTypes) != 0 {
		t.Errorf("policy with Config.Policy set = %+v, want the configured one", got)
	}
	log, _ := e.db.AuditLog(e.ctx, time.Time{})
	if len(log) != 1 || log[0].Action != "offline_policy.set" || log[0].Actor != "boss" {
		t.Errorf("audit = %+v", log)
	}
}

func TestCardsCatalog(t *testing.T) {
	e := newEnv(t)
	cards, err := e.svc.Cards(e.ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	types := map[wxapi.CardType]int{}
	for _, c := range cards {
		types[c.Type]++
	}
	if len(cards) < 7 || types[wxapi.CardCash] < 2 || types[wxapi.CardDiscount] < 1 {
		t.Fatalf("catalog = %d cards %v", len(cards), types)
	}
	cached, err := e.svc.Cards(e.ctx, false)
	if err != nil || len(cached) != len(cards) {
		t.Errorf("cached = %d, %v; want %d", len(cached), err, len(cards))
	}
}

func TestRunDrainsWhenTheNetworkReturns(t *testing.T) {
	e := newEnv(t, listening)
	e.conf.ProbeInterval = 50 * time.Millisecond
	// Rows that failed while down wait a minute or more, unless the return of the network hurries them.
	e.conf.BackoffBase, e.conf.BackoffMax = time.Minute, time.Hour
	e.svc = New(e.conf)
	e.sim.SetFaults(wxsim.Faults{Down: true})
	for i := 1; i <= 2; i++ {
		if out := e.redeem(fmt.Sprintf("30000000000%d", i)); out.Result != ResultQueued {
			t.Fatalf("offline: %+v", out)
		}
	}
	e.sync() // fails while down: the rows now wait a minute
	if due, _ := e.db.Due(e.ctx, time.Now().UnixMilli(), 0, 10); len(due) != 0 {
		t.Fatalf("rows due right after a failed sync: %d", len(due))
	}
	ch, stop := e.svc.Subscribe()
	defer stop()
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() { defer close(done); e.svc.Run(ctx) }()
	time.Sleep(150 * time.Millisecond)
	e.sim.SetFaults(wxsim.Faults{})
	deadline := time.After(5 * time.Second)
	for {
		select {
		case p := <-ch:
			if p.Pending == 0 && p.InFlight == 0 && p.Online && !p.Running {
				cancel()
				<-done
				for i := 1; i <= 2; i++ {
					if got := e.sim.Consumes(fmt.Sprintf("30000000000%d", i)); got != 1 {
						t.Errorf("consumes = %d, want 1", got)
					}
				}
				return
			}
		case <-deadline:
			cancel()
			<-done
			t.Fatalf("queue not drained: %+v", e.svc.Progress())
		}
	}
}

func TestYuanValueMask(t *testing.T) {
	for fen, want := range map[int64]string{2000: "20", 1250: "12.5", 1205: "12.05", 0: "0", 1: "0.01"} {
		if got := money.Short(fen); got != want {
			t.Errorf("money.Short(%d) = %q, want %q", fen, got, want)
		}
	}
	d := ValueMessage(&wxapi.Card{Type: wxapi.CardDiscount, Discount: 15})
	if d.Args["Zhe"] != "8.5" {
		t.Errorf("15%% off = %v折, want 8.5", d.Args["Zhe"])
	}
	if got := Mask("VIP2024A001"); got != "•••• •••• A001" {
		t.Errorf("Mask = %q", got)
	}
}

func TestSyncRespectsQuotaBusyAndTokenErrors(t *testing.T) {
	tests := []struct {
		name       string
		faults     wxsim.Faults
		wantState  storage.State
		wantErrKey string
		paused     bool
	}{
		{"per-minute quota", wxsim.Faults{RateLimit: 1}, storage.StateQueued, KeySyncBusy, true},
		{"busy", wxsim.Faults{Busy: 1}, storage.StateQueued, KeySyncBusy, false},
		{"token killed", wxsim.Faults{TokenInvalidAt: 1}, storage.StateRedeemed, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, listening)
			e.sim.SetFaults(wxsim.Faults{Down: true})
			out := e.redeem("300000000003")
			if out.Result != ResultQueued {
				t.Fatalf("offline: %+v", out)
			}
			e.sim.SetFaults(wxsim.Faults{})
			if !e.svc.probe(e.ctx) {
				t.Fatal("probe failed with the network up")
			}
			time.Sleep(60 * time.Millisecond)
			e.sim.SetFaults(tt.faults)
			p := e.sync()
			r := e.row(out.ID)
			if r.State != tt.wantState || p.LastError.Key != tt.wantErrKey {
				t.Errorf("row %s, last error %q; want %s %q", r.State, p.LastError.Key, tt.wantState, tt.wantErrKey)
			}
			if tt.wantState == storage.StateQueued && r.Attempts != 0 {
				t.Errorf("attempts = %d after a refused consume, want 0", r.Attempts)
			}
			calls := e.sim.Calls("/card/code/consume")
			time.Sleep(60 * time.Millisecond)
			e.sync()
			again := e.sim.Calls("/card/code/consume")
			if tt.paused && again != calls {
				t.Errorf("consume calls grew %d → %d during the 45011 pause", calls, again)
			}
			if !tt.paused && e.row(out.ID).State != storage.StateRedeemed {
				t.Errorf("after the fault cleared: %s, want redeemed", e.row(out.ID).State)
			}
			if p := e.svc.Progress(); !tt.paused && p.LastError.Key != "" {
				t.Errorf("last error %q after a clean sync, want none", p.LastError.Key)
			}
			if got := e.sim.Consumes("300000000003"); got > 1 {
				t.Errorf("consumes = %d", got)
			}
		})
	}
}

func TestRescanAfterACrashSettlesTheAbandonedRow(t *testing.T) {
	tests := []struct {
		name      string
		applied   bool
		want      Result
		wantOld   storage.State
		wantCount int
	}{
		{"consume never applied", false, ResultRedeemed, storage.StateRejected, 1},
		{"consume applied before the crash", true, ResultRejected, storage.StateRedeemed, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.applied {
				if _, err := e.wx.ConsumeCode(e.ctx, "100000000004", ""); err != nil {
					t.Fatal(err)
				}
			}
			old, err := e.db.Insert(e.ctx, storage.Redemption{Code: "100000000004", State: storage.StateChecking, Attempts: 1, NextAttemptAt: time.Now().UnixMilli() - 1})
			if err != nil {
				t.Fatal(err)
			}
			out := e.redeem("100000000004")
			if tt.applied && out.Reason.Key != KeyUsedHere {
				t.Errorf("reason %q, want %q: our own crashed redeem did it", out.Reason.Key, KeyUsedHere)
			}
			if out.Result != tt.want {
				t.Errorf("re-scan: %s %q, want %s", out.Result, out.Reason.Key, tt.want)
			}
			if r := e.row(old); r.State != tt.wantOld {
				t.Errorf("abandoned row: %s, want %s", r.State, tt.wantOld)
			}
			if got := e.sim.Consumes("100000000004"); got != tt.wantCount {
				t.Errorf("consumes = %d, want %d", got, tt.wantCount)
			}
		})
	}
}

var _ WeChat = (*wxapi.Client)(nil)

func TestJournalOnlyServiceNeedsNoWeChat(t *testing.T) {
	e := newEnv(t)
	svc := New(Config{DB: e.db, Terminal: "till-1"})
	if _, err := svc.History(e.ctx, time.Time{}); err != nil {
		t.Errorf("History: %v", err)
	}
	if _, err := svc.Queue(e.ctx); err != nil {
		t.Errorf("Queue: %v", err)
	}
	if _, err := svc.Check(e.ctx, e.scan("100000000001")); !errors.Is(err, ErrNoWeChat) {
		t.Errorf("Check: %v, want ErrNoWeChat", err)
	}
	if _, err := svc.Sync(e.ctx); !errors.Is(err, ErrNoWeChat) {
		t.Errorf("Sync: %v, want ErrNoWeChat", err)
	}
	if _, err := svc.Cards(e.ctx, true); !errors.Is(err, ErrNoWeChat) {
		t.Errorf("Cards(refresh): %v, want ErrNoWeChat", err)
	}
}
