package scanner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.bug.st/serial"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// LineEnding says what ends one code on a serial scanner.
type LineEnding string

// The line endings a serial scanner can be configured with.
const (
	LineAuto LineEnding = ""     // CR, LF or CRLF, whichever comes (default)
	LineCR   LineEnding = "cr"   // CR only
	LineLF   LineEnding = "lf"   // LF only
	LineCRLF LineEnding = "crlf" // CR followed by LF
	LineNone LineEnding = "none" // no suffix: a pause of SerialConfig.Idle ends the code
)

// SerialConfig says which port to read and how.
type SerialConfig struct {
	Port       string        // e.g. /dev/ttyACM0, COM3
	Baud       int           // default 9600 (USB-CDC scanners ignore it)
	LineEnding LineEnding    // default LineAuto
	Reopen     time.Duration // wait between attempts to reopen after an unplug (default 1 s)
	Idle       time.Duration // with LineNone, the pause that ends a code (default 100 ms)
	MaxLine    int           // longest line kept, in bytes (default 4096); longer lines are dropped
}

func (c SerialConfig) withDefaults() SerialConfig {
	if c.Baud <= 0 {
		c.Baud = 9600
	}
	if c.Reopen <= 0 {
		c.Reopen = time.Second
	}
	if c.Idle <= 0 {
		c.Idle = 100 * time.Millisecond
	}
	if c.MaxLine <= 0 {
		c.MaxLine = 4096
	}
	return c
}

// SerialState is the state of a serial scanner as the UI shows it.
type SerialState string

// The states a serial scanner goes through.
const (
	SerialOpening      SerialState = "opening"      // trying to open the port
	SerialOpen         SerialState = "open"         // reading
	SerialDisconnected SerialState = "disconnected" // unplugged or failed; retrying every Reopen
	SerialStopped      SerialState = "stopped"      // Run returned
)

// SerialStatus is one state change of a serial scanner. Err says why it is disconnected.
type SerialStatus struct {
	State SerialState
	Port  string
	Err   error
	At    time.Time
}

// MessageKey returns the translation key naming the state, e.g. "scanner.serial.open".
func (s SerialStatus) MessageKey() string { return "scanner.serial." + string(s.State) }

// PortInfo describes one serial port found on the machine.
type PortInfo struct {
	Name         string // what to put in SerialConfig.Port
	USB          bool
	VID, PID     string // USB vendor and product ids (hex), when known
	Product      string // USB product string, when known
	SerialNumber string
}

// ErrPortGone is wrapped in SerialStatus.Err when the port stopped answering (unplugged).
var ErrPortGone = errors.New("scanner: serial port disconnected")

// Serial reads codes from a scanner in serial (USB-COM) mode, one line per code, and reopens the
// port by itself after an unplug. Payloads are UTF-8; a line that is not valid UTF-8 is read as
// GB18030 (scanners set to Chinese output send GBK).
type Serial struct {
	cfg    SerialConfig
	emit   func(Event)
	status func(SerialStatus)
	open   func(name string, mode *serial.Mode) (serial.Port, error)

	lastState SerialState // what status last said (only Run's goroutine touches it)
	lastErr   string
}

// NewSerial returns a Serial that sends codes to emit and state changes to status (either may be
// nil). Nothing happens until Run.
func NewSerial(cfg SerialConfig, emit func(Event), status func(SerialStatus)) *Serial {
	return &Serial{cfg: cfg.withDefaults(), emit: emit, status: status, open: serial.Open}
}

// Run opens the port and reads codes until ctx is done, reopening the port every Reopen after
// it fails or is unplugged. It blocks: the caller runs it on a goroutine it owns and stops it by
// cancelling ctx; emit and status are called on that goroutine. It returns ctx's error.
func (s *Serial) Run(ctx context.Context) error {
	defer s.report(SerialStopped, nil)
	for {
		s.report(SerialOpening, nil)
		p, err := s.open(s.cfg.Port, &serial.Mode{BaudRate: s.cfg.Baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
		if err == nil {
			err = s.read(ctx, p)
			p.Close()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.report(SerialDisconnected, fmt.Errorf("%w: %s: %w", ErrPortGone, s.cfg.Port, err))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(s.cfg.Reopen):
		}
	}
}

// report tells status about a change; retries that fail the same way again say nothing new,
// and while disconnected the attempts to reopen are not reported as "opening".
func (s *Serial) report(st SerialState, err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	if st == SerialOpening && s.lastState == SerialDisconnected || st == s.lastState && msg == s.lastErr {
		return
	}
	s.lastState, s.lastErr = st, msg
	if s.status != nil {
		s.status(SerialStatus{State: st, Port: s.cfg.Port, Err: err, At: time.Now().UTC()})
	}
}

// read reads lines from an open port until ctx is done (nil) or the port fails (its error).
func (s *Serial) read(ctx context.Context, p serial.Port) error {
	// A short read timeout keeps ctx checked; a timeout is (0, nil), not the end of the data.
	if err := p.SetReadTimeout(50 * time.Millisecond); err != nil {
		return err
	}
	// Stop a blocked Read at once when ctx ends.
	var once sync.Once
	stop := context.AfterFunc(ctx, func() { once.Do(func() { p.Close() }) })
	defer stop()

	s.report(SerialOpen, nil)
	lines := newLineSplitter(s.cfg.LineEnding, s.cfg.MaxLine)
	buf := make([]byte, 512)
	lastByte := time.Now()
	for {
		n, err := p.Read(buf)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		now := time.Now()
		if n == 0 {
			if s.cfg.LineEnding == LineNone && now.Sub(lastByte) >= s.cfg.Idle {
				s.emitLine(lines.flush(), now)
			}
			continue
		}
		lastByte = now
		for _, line := range lines.write(buf[:n]) {
			s.emitLine(line, now)
		}
	}
}

func (s *Serial) emitLine(line []byte, at time.Time) {
	if len(line) == 0 || s.emit == nil {
		return
	}
	s.emit(Event{Text: decodePayload(line), Source: SourceSerial, At: at.UTC()})
}

// decodePayload reads a line as UTF-8, or as GB18030 when it is not valid UTF-8.
func decodePayload(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	if s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b); err == nil {
		return string(s)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// lineSplitter cuts a byte stream into lines by a LineEnding.
type lineSplitter struct {
	end     LineEnding
	max     int
	cur     []byte
	tooLong bool
	afterCR bool // LineAuto: the last byte was CR, so an LF right after it ends nothing
}

func newLineSplitter(end LineEnding, max int) *lineSplitter {
	return &lineSplitter{end: end, max: max}
}

// write adds bytes and returns the lines they completed, without their line endings. Empty lines
// and lines longer than max are dropped.
func (l *lineSplitter) write(b []byte) [][]byte {
	var out [][]byte
	for _, c := range b {
		ends := false
		switch l.end {
		case LineAuto:
			if c == '\n' && l.afterCR {
				l.afterCR = false
				continue
			}
			l.afterCR = c == '\r'
			ends = c == '\r' || c == '\n'
		case LineCR:
			ends = c == '\r'
		case LineLF:
			ends = c == '\n'
		case LineCRLF:
			if c == '\n' && len(l.cur) > 0 && l.cur[len(l.cur)-1] == '\r' {
				l.cur = l.cur[:len(l.cur)-1]
				ends = true
			}
		}
		if ends {
			if line := l.flush(); line != nil {
				out = append(out, line)
			}
			continue
		}
		if len(l.cur) >= l.max {
			l.tooLong = true
			continue
		}
		l.cur = append(l.cur, c)
	}
	return out
}

// flush ends the current line (nil when empty or too long).
func (l *lineSplitter) flush() []byte {
	line := l.cur
	tooLong := l.tooLong
	l.cur, l.tooLong = nil, false
	if tooLong || len(line) == 0 {
		return nil
	}
	return line
}
