package ui

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cardpos/cardpos/scanner"
)

// A scanner in serial mode, on one end of a socat pty pair, sends a code with CR: it lands as a
// scan (card panel) and the status bar says the scanner is connected.
func TestSerialScannerLandsAsAScan(t *testing.T) {
	if _, err := exec.LookPath("socat"); err != nil {
		t.Skip("socat is not installed (apt-get install socat)")
	}
	dir := t.TempDir()
	gun, till := filepath.Join(dir, "gun"), filepath.Join(dir, "till")
	cmd := exec.Command("socat", "pty,raw,echo=0,link="+gun, "pty,raw,echo=0,link="+till)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for i := 0; ; i++ {
		if _, err := os.Stat(till); err == nil {
			if _, err := os.Stat(gun); err == nil {
				break
			}
		}
		if i > 100 {
			t.Fatal("socat made no ptys")
		}
		time.Sleep(20 * time.Millisecond)
	}
	r := newRig(t, func(o *Options) {
		o.Serial = &scanner.SerialConfig{Port: till, LineEnding: scanner.LineAuto}
	})
	r.until("scanner connected", func() bool { return r.c.status.serialSt == scanner.SerialOpen })
	if got, want := r.c.status.serial.Text, "扫码枪已连接"; got != want {
		t.Errorf("status: got %q, want %q", got, want)
	}
	f, err := os.OpenFile(gun, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("100000000001\r"); err != nil {
		t.Fatal(err)
	}
	r.wait(StatePreview)
	r.red.mu.Lock()
	checks := r.red.checks
	r.red.mu.Unlock()
	if len(checks) != 1 || checks[0].Text != "100000000001" || checks[0].Source != scanner.SourceSerial {
		t.Errorf("checks: got %+v, want one serial scan of 100000000001", checks)
	}
}
