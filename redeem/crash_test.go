package redeem

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
	"github.com/cardpos/cardpos/wxapi/wxsim"
)

// The crash harness re-runs this test binary as a helper process (CARDPOS_CRASH_HELPER=1) that
// redeems a few fresh codes and then syncs, and kills it with SIGKILL at a random moment. The
// emulator runs here, with a state file, so it outlives every helper.
const crashHelperEnv = "CARDPOS_CRASH_HELPER"

// TestCrashHelper is the helper process's body; it does nothing in a normal test run.
func TestCrashHelper(t *testing.T) {
	if os.Getenv(crashHelperEnv) != "1" {
		t.Skip("only runs as the crash harness's helper process")
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, os.Getenv("CRASH_DIR"))
	if err != nil {
		fmt.Println("ERR open", err)
		os.Exit(3)
	}
	wx := wxapi.New(wxapi.Config{BaseURL: os.Getenv("CRASH_URL"), AppID: os.Getenv("CRASH_APPID"), Secret: os.Getenv("CRASH_SECRET")})
	pol := DefaultPolicy()
	pol.LookupWait = 300 * time.Millisecond
	svc := New(Config{WX: wx, DB: db, Terminal: "crash", Policy: pol, RequestTimeout: 400 * time.Millisecond,
		Lease: time.Minute, BackoffBase: 20 * time.Millisecond, BackoffMax: 100 * time.Millisecond, ProbeURL: os.Getenv("CRASH_URL")})
	out := bufio.NewWriter(os.Stdout)
	for _, code := range strings.Split(os.Getenv("CRASH_CODES"), ",") {
		if code == "" {
			continue
		}
		o, err := svc.RedeemText(ctx, Scan{Text: code, Source: SourceCLI, Cashier: "crash"}, false)
		if err != nil {
			fmt.Fprintln(out, "ERR redeem", code, err)
			out.Flush()
			os.Exit(3)
		}
		// Printed only after Redeem returned: this is what the cashier was told.
		fmt.Fprintf(out, "ACK %s %s %d\n", code, o.Result, o.ID)
		out.Flush()
	}
	deadline := time.Now().Add(8 * time.Second)
	for time.Now().Before(deadline) {
		p, err := svc.Sync(ctx)
		if err != nil {
			fmt.Fprintln(out, "ERR sync", err)
			out.Flush()
			os.Exit(3)
		}
		if p.Pending == 0 && p.InFlight == 0 {
			c, _ := db.Counts(ctx)
			if c[storage.StateChecking] == 0 {
				fmt.Fprintln(out, "DRAINED")
				out.Flush()
				os.Exit(0)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintln(out, "NOT DRAINED")
	out.Flush()
	os.Exit(0)
}

type ack struct {
	code   string
	result Result
	id     int64
}

func TestCrash(t *testing.T) {
	rounds := 80
	if testing.Short() {
		rounds = 12
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tmp := t.TempDir()
	sim, err := wxsim.New(wxsim.Options{Seed: "demo", StatePath: filepath.Join(tmp, "wxsim.json")})
	if err != nil {
		t.Fatal(err)
	}
	run, err := wxsim.Start(ctx, sim, "127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		// Running.Close has been seen to wait forever for one of its serving goroutines after
		// many Down/up switches (reported to the wxsim owner); do not let that hang this test.
		closed := make(chan struct{})
		go func() { run.Close(); close(closed) }() // owned by this test; ends with Close or the process
		select {
		case <-closed:
		case <-time.After(5 * time.Second):
			t.Log("wxsim: Running.Close did not return within 5 s")
		}
	}()
	wx := wxapi.New(wxapi.Config{BaseURL: run.URL, AppID: sim.AppID(), Secret: sim.Secret()})
	info, err := wx.GetCode(ctx, "100000000001", "", false)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "till")
	var acks []ack
	var allCodes []string
	next := 0
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 5))
	var killedRedeeming, killedSyncing, finished int
	helper := func(codes []string, killAfter time.Duration) []ack {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashHelperEnv+"=1", "CRASH_DIR="+dir, "CRASH_URL="+run.URL,
			"CRASH_APPID="+sim.AppID(), "CRASH_SECRET="+sim.Secret(), "CRASH_CODES="+strings.Join(codes, ","))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var timer *time.Timer
		if killAfter > 0 {
			timer = time.AfterFunc(killAfter, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
		}
		var got []ack
		drained := false
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			drained = drained || sc.Text() == "DRAINED"
			if len(f) == 4 && f[0] == "ACK" {
				id, _ := strconv.ParseInt(f[3], 10, 64)
				got = append(got, ack{f[1], Result(f[2]), id})
			} else if len(f) > 0 && f[0] == "ERR" {
				t.Errorf("helper: %s", sc.Text())
			} else if killAfter == 0 && sc.Text() != "DRAINED" && !strings.HasPrefix(sc.Text(), "---") && !strings.HasPrefix(sc.Text(), "=== ") && sc.Text() != "PASS" {
				t.Logf("helper: %s", sc.Text())
			}
		}
		_ = cmd.Wait()
		if timer != nil {
			timer.Stop()
		}
		switch {
		case drained:
			finished++
		case len(got) < len(codes):
			killedRedeeming++
		default:
			killedSyncing++
		}
		return got
	}
	check := func(round int, final bool) {
		db, err := storage.Open(ctx, dir) // runs quick_check
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		defer db.Close()
		if err := db.IntegrityCheck(ctx); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for _, a := range acks {
			if a.result != ResultRedeemed && a.result != ResultQueued {
				continue
			}
			r, err := db.Redemption(ctx, a.id)
			if err != nil || r.Code != a.code {
				t.Fatalf("round %d: acknowledged %s (%s, id %d) missing: %v %+v", round, a.code, a.result, a.id, err, r)
			}
			ok := r.State == storage.StateRedeemed || !final && (r.State == storage.StateQueued || r.State == storage.StateInFlight)
			if a.result == ResultRedeemed && r.State != storage.StateRedeemed || !ok {
				t.Fatalf("round %d: acknowledged %s %s is now %s (%s)", round, a.code, a.result, r.State, r.Reason)
			}
		}
		for _, code := range allCodes {
			if n := sim.Consumes(code); n > 1 {
				t.Fatalf("round %d: %s consumed %d times at the emulator", round, code, n)
			}
		}
	}
	faults := []wxsim.Faults{{}, {}, {Down: true}, {DropAfterConsume: 2}, {Latency: 60 * time.Millisecond}}
	for round := 0; round < rounds; round++ {
		var codes []string
		for i := 0; i < 3; i++ {
			next++
			code := fmt.Sprintf("91%010d", next)
			if err := sim.AddCode(wxsim.CodeSpec{Code: code, CardID: info.CardID}); err != nil {
				t.Fatal(err)
			}
			codes = append(codes, code)
		}
		allCodes = append(allCodes, codes...)
		sim.SetFaults(faults[rng.IntN(len(faults))])
		acks = append(acks, helper(codes, time.Duration(20+rng.IntN(280))*time.Millisecond)...)
		sim.SetFaults(wxsim.Faults{})
		check(round, false)
	}
	// The network is fine and nobody kills the sync: the queue drains. The helpers' leases are a
	// minute long, so this also shows rows of a killed process are taken over at once.
	helper(nil, 0)
	check(rounds, true)
	db, err := storage.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts, _ := db.Counts(ctx)
	if counts[storage.StateQueued]+counts[storage.StateInFlight]+counts[storage.StateChecking] != 0 || counts[storage.StateConflict] != 0 {
		t.Errorf("after the final sync: %v, want nothing open", counts)
	}
	redeemed := 0
	for _, code := range allCodes {
		rows, _ := db.List(ctx, storage.Filter{Code: code, States: []storage.State{storage.StateRedeemed}})
		st, _ := sim.CodeStatus(code)
		if len(rows) > 1 {
			t.Errorf("%s redeemed in %d journal rows", code, len(rows))
		}
		if (len(rows) == 1) != (st == "CONSUMED") {
			t.Errorf("%s: journal redeemed=%v, emulator status %s", code, len(rows) == 1, st)
		}
		if len(rows) == 1 {
			redeemed++
		}
	}
	acked := 0
	for _, a := range acks {
		if a.result == ResultRedeemed || a.result == ResultQueued {
			acked++
		}
	}
	t.Logf("%d rounds (killed while redeeming %d, while syncing %d, finished %d), %d codes, %d acknowledged, %d redeemed, journal %v",
		rounds, killedRedeeming, killedSyncing, finished, len(allCodes), acked, redeemed, counts)
}
