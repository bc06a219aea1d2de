package printer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// ErrBadTarget is returned by ParseTarget for a target it cannot read.
var ErrBadTarget = errors.New("printer: target must be tcp://host[:port], a device path or file:PATH")

// Transport sends one finished job to a printer.
type Transport interface {
	Send(ctx context.Context, job []byte) error
}

// DefaultPort is the raw printing port of network receipt printers (JetDirect / AppSocket).
const DefaultPort = "9100"

// TCP sends jobs to a network printer's raw port. Each Send opens its own connection.
type TCP struct {
	Addr    string        // host:port
	Timeout time.Duration // for dial and write when ctx has no deadline; 0 = 10 s
}

// Send dials Addr, writes job and closes. Cancelling ctx stops a dial or write in progress.
func (t TCP) Send(ctx context.Context, job []byte) error {
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	var dl net.Dialer
	conn, err := dl.DialContext(ctx, "tcp", t.Addr)
	if err != nil {
		return fmt.Errorf("printer: connect %s: %w", t.Addr, err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("printer: %s: %w", t.Addr, err)
	}
	// Cancellation interrupts a blocked write by moving the deadline to now; the AfterFunc's
	// goroutine is owned by ctx and is stopped when Send returns.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if _, err := conn.Write(job); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("printer: write %s: %w", t.Addr, ctx.Err())
		}
		return fmt.Errorf("printer: write %s: %w", t.Addr, err)
	}
	if err := conn.Close(); err != nil {
		return fmt.Errorf("printer: close %s: %w", t.Addr, err)
	}
	return nil
}

// Device writes jobs to a printer device file such as /dev/usb/lp0 (Linux usblp) or a
// parallel/serial port. It never creates the file: a missing device is an error.
type Device struct {
	Path string
}

// Send opens Path for writing, writes job and closes. A device that stops taking data blocks
// the write; ctx is checked before the job starts.
func (d Device) Send(ctx context.Context, job []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.OpenFile(d.Path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("printer: open %s: %w", d.Path, err)
	}
	if _, err := f.Write(job); err != nil {
		f.Close()
		return fmt.Errorf("printer: write %s: %w", d.Path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("printer: close %s: %w", d.Path, err)
	}
	return nil
}

// File appends jobs to a plain file (created 0600 if needed): for tests and for keeping a copy
// of what would have been printed.
type File struct {
	Path string
}

// Send appends job to Path.
func (f File) Send(ctx context.Context, job []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	fh, err := os.OpenFile(f.Path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("printer: open %s: %w", f.Path, err)
	}
	if _, err := fh.Write(job); err != nil {
		fh.Close()
		return fmt.Errorf("printer: write %s: %w", f.Path, err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("printer: close %s: %w", f.Path, err)
	}
	return nil
}

// ParseTarget reads a printer setting: "tcp://192.168.1.50" or "tcp://host:9100" (raw TCP,
// port 9100 by default), "file:/tmp/slips.bin" (a plain file), or a device path such as
// "/dev/usb/lp0" or "COM3".
func ParseTarget(s string) (Transport, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "tcp://"):
		host := strings.TrimSuffix(strings.TrimPrefix(s, "tcp://"), "/")
		if host == "" {
			return nil, fmt.Errorf("%w: %q", ErrBadTarget, s)
		}
		if _, _, err := net.SplitHostPort(host); err != nil {
			host = net.JoinHostPort(strings.Trim(host, "[]"), DefaultPort)
		}
		return TCP{Addr: host}, nil
	case strings.HasPrefix(s, "file:"):
		p := strings.TrimPrefix(strings.TrimPrefix(s, "file:"), "//")
		if p == "" {
			return nil, fmt.Errorf("%w: %q", ErrBadTarget, s)
		}
		return File{Path: p}, nil
	case strings.HasPrefix(s, "/dev/"), strings.HasPrefix(strings.ToUpper(s), "COM"), strings.HasPrefix(s, `\\.\`):
		return Device{Path: s}, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrBadTarget, s)
}

// Send parses target (see ParseTarget) and sends job to it.
func Send(ctx context.Context, target string, job []byte) error {
	t, err := ParseTarget(target)
	if err != nil {
		return err
	}
	return t.Send(ctx, job)
}
