package scanner

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestLineSplitter(t *testing.T) {
	tests := []struct {
		name   string
		end    LineEnding
		chunks []string
		want   []string
	}{
		{"auto CRLF split across reads", LineAuto, []string{"7512342\r", "\n12312\r\n"}, []string{"7512342", "12312"}},
		{"auto CR, LF and CRLF mixed", LineAuto, []string{"a1\rb2\nc3\r\nd4\n\n"}, []string{"a1", "b2", "c3", "d4"}},
		{"auto LF CR is two endings, no empty line", LineAuto, []string{"a\n\rb\r"}, []string{"a", "b"}},
		{"cr only keeps LF", LineCR, []string{"ab\ncd\r"}, []string{"ab\ncd"}},
		{"lf only keeps CR", LineLF, []string{"ab\r\n"}, []string{"ab\r"}},
		{"crlf only", LineCRLF, []string{"a\rb\r", "\nc\n\r\n"}, []string{"a\rb", "c\n"}},
		{"no ending yields nothing until flushed", LineNone, []string{"abc\r\n"}, nil},
		{"too long dropped, next kept", LineAuto, []string{strings.Repeat("x", 20) + "\r\nok\r\n"}, []string{"ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLineSplitter(tt.end, 16)
			var got []string
			for _, c := range tt.chunks {
				for _, line := range l.write([]byte(c)) {
					got = append(got, string(line))
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestDecodePayload(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("核销券123")
	for in, want := range map[string]string{"751234212312": "751234212312", "核销券123": "核销券123", gbk: "核销券123"} {
		if got := decodePayload([]byte(in)); got != want {
			t.Errorf("decodePayload(%q) = %q, want %q", in, got, want)
		}
	}
}

// ptyPair runs socat with a pair of linked pseudo-terminals in dir: the scanner's end and the
// POS's end. stop kills it (an unplug); start again with the same dir is a replug.
type ptyPair struct {
	dir          string
	scanner, pos string
	cmd          *exec.Cmd
}

func newPtyPair(t *testing.T) *ptyPair {
	t.Helper()
	if _, err := exec.LookPath("socat"); err != nil {
		t.Skip("socat is not installed: the serial tests need it for a pseudo-terminal pair (apt-get install socat)")
	}
	dir := t.TempDir()
	p := &ptyPair{dir: dir, scanner: filepath.Join(dir, "scanner"), pos: filepath.Join(dir, "pos")}
	p.start(t)
	t.Cleanup(p.stop)
	return p
}

func (p *ptyPair) start(t *testing.T) {
	t.Helper()
	os.Remove(p.scanner)
	os.Remove(p.pos)
	p.cmd = exec.Command("socat", "pty,raw,echo=0,link="+p.scanner, "pty,raw,echo=0,link="+p.pos)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, e1 := os.Stat(p.scanner)
		_, e2 := os.Stat(p.pos)
		if e1 == nil && e2 == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("socat did not create its ptys")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (p *ptyPair) stop() {
	if p.cmd != nil && p.cmd.Process != nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
		p.cmd = nil
	}
}

func (p *ptyPair) send(t *testing.T, chunks ...string) {
	t.Helper()
	f, err := os.OpenFile(p.scanner, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range chunks {
		if _, err := f.WriteString(c); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type serialRig struct {
	events chan Event
	states chan SerialStatus
	cancel context.CancelFunc
	done   chan error
}

func runSerial(t *testing.T, cfg SerialConfig) *serialRig {
	t.Helper()
	r := &serialRig{events: make(chan Event, 16), states: make(chan SerialStatus, 64), done: make(chan error, 1)}
	s := NewSerial(cfg, func(e Event) { r.events <- e }, func(st SerialStatus) { r.states <- st })
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	return r
}

func (r *serialRig) waitState(t *testing.T, want SerialState) SerialStatus {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case st := <-r.states:
			if st.State == want {
				return st
			}
		case <-timeout:
			t.Fatalf("no %s state", want)
		}
	}
}

func (r *serialRig) waitEvents(t *testing.T, n int) []string {
	t.Helper()
	var got []string
	timeout := time.After(5 * time.Second)
	for len(got) < n {
		select {
		case e := <-r.events:
			if e.Source != SourceSerial {
				t.Errorf("source %q", e.Source)
			}
			got = append(got, e.Text)
		case <-timeout:
			t.Fatalf("got %q, want %d events", got, n)
		}
	}
	return got
}

func TestSerialReadsLines(t *testing.T) {
	p := newPtyPair(t)
	r := runSerial(t, SerialConfig{Port: p.pos, Baud: 115200})
	r.waitState(t, SerialOpen)
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("核销券")
	p.send(t, "751234212312\r", "\nAB12cd\r", "X9Y8\n", "中文UTF8\r\n", gbk+"\r\n")
	got := r.waitEvents(t, 5)
	want := []string{"751234212312", "AB12cd", "X9Y8", "中文UTF8", "核销券"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestSerialNoSuffixEndsOnIdle(t *testing.T) {
	p := newPtyPair(t)
	r := runSerial(t, SerialConfig{Port: p.pos, LineEnding: LineNone, Idle: 80 * time.Millisecond})
	r.waitState(t, SerialOpen)
	p.send(t, "7512", "34212312")
	time.Sleep(300 * time.Millisecond)
	p.send(t, "AB12cd")
	if diff := cmp.Diff([]string{"751234212312", "AB12cd"}, r.waitEvents(t, 2)); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestSerialSurvivesUnplug(t *testing.T) {
	p := newPtyPair(t)
	r := runSerial(t, SerialConfig{Port: p.pos, Reopen: 100 * time.Millisecond})
	r.waitState(t, SerialOpen)
	p.send(t, "751234212312\r\n")
	r.waitEvents(t, 1)

	p.stop() // unplug
	st := r.waitState(t, SerialDisconnected)
	if !errors.Is(st.Err, ErrPortGone) {
		t.Errorf("disconnected with %v, want ErrPortGone", st.Err)
	}
	if st.MessageKey() != "scanner.serial.disconnected" {
		t.Errorf("MessageKey %q", st.MessageKey())
	}
	time.Sleep(300 * time.Millisecond) // a few failed reopen attempts
	p.start(t)                         // replug
	r.waitState(t, SerialOpen)
	p.send(t, "198374613512\r\n")
	if got := r.waitEvents(t, 1); got[0] != "198374613512" {
		t.Errorf("after replug got %q", got)
	}
	r.cancel()
	select {
	case err := <-r.done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
		r.done <- err
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
	r.waitState(t, SerialStopped)
}

func TestSerialMissingPortReportsOnce(t *testing.T) {
	dir := t.TempDir()
	r := runSerial(t, SerialConfig{Port: filepath.Join(dir, "ttyACM9"), Reopen: 20 * time.Millisecond})
	st := r.waitState(t, SerialDisconnected)
	if !errors.Is(st.Err, ErrPortGone) {
		t.Errorf("Err = %v, want ErrPortGone", st.Err)
	}
	time.Sleep(200 * time.Millisecond) // about ten failed attempts
	select {
	case st := <-r.states:
		t.Errorf("repeated status %s (%v) while the port stays missing", st.State, st.Err)
	default:
	}
}
