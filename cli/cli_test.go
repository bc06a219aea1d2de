package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/wxapi/wxsim"
)

// run runs the command line args with env vars and returns the exit status and outputs.
func run(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	cat := i18n.Default()
	cat.SetLang(i18n.EN)
	env := Env{Stdout: &out, Stderr: &errb, Catalog: cat, Getenv: func(k string) string { return vars[k] }}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code, gui := Main(ctx, args, env)
	if gui != nil {
		t.Fatalf("%v: asked for the GUI", args)
	}
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"CARDPOS_DATA": dir}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--bogus"}, "flag provided but not defined"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"redeem"}, "give exactly one scanned text"},
		{[]string{"redeem", "--nope", "1"}, "flag provided but not defined"},
		{[]string{"decode"}, "give at least one image file"},
		{[]string{"qrcode"}, "--card-id"},
		{[]string{"poster", "--card-id", "x"}, "-o OUT.pdf"},
		{[]string{"poster", "--card-id", "x", "-o", "a.txt"}, ".pdf or .png"},
		{[]string{"poster", "--card-id", "x", "--size", "a0", "-o", "a.pdf"}, "unknown poster size"},
		{[]string{"history", "--since", "yesterdayish"}, "cannot read --since"},
		{[]string{"history", "--json", "--csv"}, "--json or --csv"},
		{[]string{"qrcode", "--card-id", "x", "--expire", "5"}, "between 60 and 1800"},
		{[]string{"sim", "--seed", "nope"}, "unknown seed"},
	} {
		code, _, stderr := run(t, vars, tc.args...)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tc.args, code, ExitUsage, stderr)
		}
		if lines := strings.Count(strings.TrimSpace(stderr), "\n"); lines != 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: stderr %q, want one line containing %q", tc.args, stderr, tc.want)
		}
	}
}

func TestHelp(t *testing.T) {
	code, out, _ := run(t, nil, "--help")
	if code != ExitOK || !strings.Contains(out, "cardpos redeem") || !strings.Contains(out, "Exit status") {
		t.Errorf("--help: exit %d, output %q", code, out)
	}
	for _, cmd := range commands {
		code, out, _ := run(t, nil, cmd.name, "--help")
		if code != ExitOK || !strings.Contains(out, "Usage: cardpos "+cmd.name) {
			t.Errorf("%s --help: exit %d, output %q", cmd.name, code, out)
		}
	}
}

func TestNoCredentialsIsAConfigurationError(t *testing.T) {
	vars := map[string]string{"CARDPOS_DATA": t.TempDir(), "CARDPOS_API_BASE": "http://127.0.0.1:1"}
	code, _, stderr := run(t, vars, "redeem", "100000000001")
	if code != ExitUsage || !strings.Contains(stderr, "AppID") {
		t.Errorf("exit %d, stderr %q; want 1 and a word about credentials", code, stderr)
	}
}

// simEnv starts the demo emulator over httptest and returns the variables that point a till at it.
func simEnv(t *testing.T) (*wxsim.Sim, map[string]string) {
	t.Helper()
	sim, err := wxsim.New(wxsim.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, map[string]string{
		"CARDPOS_DATA": t.TempDir(), "CARDPOS_API_BASE": srv.URL,
		"CARDPOS_APPID": sim.AppID(), "CARDPOS_SECRET": sim.Secret(),
	}
}

func TestRedeemAgainstTheEmulator(t *testing.T) {
	sim, vars := simEnv(t)

	code, out, stderr := run(t, vars, "redeem", "--check", "--json", "100000000001")
	var j map[string]any
	if err := json.Unmarshal([]byte(out), &j); err != nil || code != ExitOK || j["result"] != "valid" {
		t.Fatalf("--check: exit %d, out %q, stderr %q", code, out, stderr)
	}
	if n := sim.Consumes("100000000001"); n != 0 {
		t.Fatalf("--check consumed the code %d times", n)
	}

	code, out, _ = run(t, vars, "redeem", "100000000001", "--json")
	if err := json.Unmarshal([]byte(out), &j); err != nil || code != ExitOK || j["result"] != "redeemed" {
		t.Fatalf("redeem: exit %d, out %q", code, out)
	}
	for _, k := range []string{"result", "code", "card_id", "title", "card_type", "errcode", "reason", "id"} {
		if _, ok := j[k]; !ok {
			t.Errorf("redeem --json has no %q: %s", k, out)
		}
	}
	if j["card_type"] != "CASH" || j["id"].(float64) == 0 {
		t.Errorf("redeem --json = %s", out)
	}
	if n := sim.Consumes("100000000001"); n != 1 {
		t.Errorf("emulator counted %d consumes, want 1", n)
	}

	code, out, _ = run(t, vars, "redeem", "--json", "100000000001")
	if err := json.Unmarshal([]byte(out), &j); err != nil || code != ExitRefused || j["result"] != "rejected" || j["reason"] == "" {
		t.Errorf("second redeem: exit %d, out %q; want 4, rejected with a reason", code, out)
	}

	code, out, _ = run(t, vars, "redeem", "--json", "134567890123456789")
	if err := json.Unmarshal([]byte(out), &j); err != nil || code != ExitRefused || !strings.Contains(strings.ToLower(j["reason"].(string)), "pay") {
		t.Errorf("payment code: exit %d, out %q; want 4 and a reason naming the payment code", code, out)
	}

	code, out, _ = run(t, vars, "history", "--since", "all", "--json")
	if code != ExitOK || strings.Count(out, "\n") < 2 || !strings.Contains(out, `"state":"redeemed"`) {
		t.Errorf("history: exit %d, out %q", code, out)
	}
	code, out, _ = run(t, vars, "history", "--csv")
	if code != ExitOK || !strings.HasPrefix(out, "\ufeffid,created_at,") {
		t.Errorf("history --csv: exit %d, out %q", code, out)
	}
	code, out, _ = run(t, vars, "queue", "--json")
	if code != ExitOK || out != "" {
		t.Errorf("empty queue: exit %d, out %q", code, out)
	}
}

func TestOfflineRedeemQueuesThenSyncs(t *testing.T) {
	sim, vars := simEnv(t)
	// Fill the catalog while online, then take the network down.
	if code, out, stderr := run(t, vars, "cards", "--refresh", "--json"); code != ExitOK || !strings.Contains(out, `"card_type":"CASH"`) {
		t.Fatalf("cards --refresh: exit %d, out %q, stderr %q", code, out, stderr)
	}
	sim.SetFaults(wxsim.Faults{Down: true})
	defer sim.SetFaults(wxsim.Faults{})
	code, out, stderr := run(t, vars, "redeem", "--json", "100000000002")
	if code != ExitQueued || !strings.Contains(out, `"result":"queued"`) {
		t.Fatalf("offline redeem: exit %d, out %q, stderr %q; want 3 queued", code, out, stderr)
	}
	if code, _, _ := run(t, vars, "queue"); code != ExitQueued {
		t.Errorf("queue with one waiting: exit %d, want 3", code)
	}
	sim.SetFaults(wxsim.Faults{})
	code, out, stderr = run(t, vars, "sync", "--json")
	if code != ExitOK || !strings.Contains(out, `"pending":0`) {
		t.Fatalf("sync: exit %d, out %q, stderr %q", code, out, stderr)
	}
	if n := sim.Consumes("100000000002"); n != 1 {
		t.Errorf("emulator counted %d consumes after sync, want 1", n)
	}
}

func TestDecode(t *testing.T) {
	qr := filepath.Join("..", "..", "shared", "testdata", "barcodes", "zxing-qrcode-1", "1.png")
	if _, err := os.Stat(qr); err != nil {
		t.Skipf("shared test images not here: %v", err)
	}
	want, _ := os.ReadFile(strings.TrimSuffix(qr, ".png") + ".txt")
	blank := filepath.Join(t.TempDir(), "blank.png")
	writeBlankPNG(t, blank)

	code, out, _ := run(t, nil, "decode", "--json", qr)
	var j decodeJSON
	if err := json.Unmarshal([]byte(out), &j); err != nil || code != ExitOK || !j.OK || j.Text != string(want) || j.Format != "QR_CODE" {
		t.Fatalf("decode: exit %d, out %q", code, out)
	}
	code, out, _ = run(t, nil, "decode", "--json", qr, blank)
	sc := bufio.NewScanner(strings.NewReader(out))
	n := 0
	for sc.Scan() {
		n++
	}
	if code != ExitRefused || n != 2 || !strings.Contains(out, `"ok":false`) {
		t.Errorf("decode with a blank image: exit %d, out %q; want 4 and two lines", code, out)
	}
	code, _, _ = run(t, nil, "decode", filepath.Join(t.TempDir(), "missing.png"))
	if code != ExitFailure {
		t.Errorf("decode of a missing file: exit %d, want 2", code)
	}
}

func TestSimPrintsItsFirstLineAndStops(t *testing.T) {
	pr, pw := io.Pipe()
	cat := i18n.Default()
	env := Env{Stdout: pw, Stderr: io.Discard, Catalog: cat, Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		code, _ := Main(ctx, []string{"sim", "--seed", "demo", "--listen", "127.0.0.1:0"}, env)
		pw.Close()
		done <- code
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var first map[string]string
	if err := json.Unmarshal([]byte(line), &first); err != nil || !strings.HasPrefix(first["api_base"], "http://127.0.0.1:") || first["appid"] == "" || first["secret"] == "" {
		t.Fatalf("first line %q", line)
	}
	go io.Copy(io.Discard, pr)
	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Errorf("sim exit %d after cancel, want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sim did not stop")
	}
}

func writeBlankPNG(t *testing.T, path string) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}
