package printer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"strconv"
)

// ErrNoSpooler is returned by PrintPDF when the print command (lp) is not installed.
var ErrNoSpooler = errors.New("printer: no print command (lp) found")

// Spooler hands PDFs to the operating system. On Linux and macOS it runs CUPS's lp, which prints
// silently; Windows has no silent PDF print without a third-party reader, so there the file
// opens in the default viewer and the user prints from it.
type Spooler struct {
	Command string // print command; "lp" when empty (Linux, macOS)
	Printer string // lp -d destination; the system default when empty
	Copies  int    // lp -n; 1 when 0
	GOOS    string // runtime.GOOS when empty; set in tests
}

// command returns the program and arguments that print path.
func (s Spooler) command(path string) (string, []string) {
	if s.goos() == "windows" {
		return "rundll32", []string{"url.dll,FileProtocolHandler", path}
	}
	name := s.Command
	if name == "" {
		name = "lp"
	}
	var args []string
	if s.Printer != "" {
		args = append(args, "-d", s.Printer)
	}
	if s.Copies > 1 {
		args = append(args, "-n", strconv.Itoa(s.Copies))
	}
	return name, append(args, "--", path)
}

// PrintPDF sends the PDF at path to the printer (or, on Windows, opens it in the default
// viewer). Cancelling ctx kills the command. A missing lp gives an error wrapping ErrNoSpooler.
func (s Spooler) PrintPDF(ctx context.Context, path string) error {
	name, args := s.command(path)
	cmd := exec.CommandContext(ctx, name, args...)
	out, err := cmd.CombinedOutput()
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %v", ErrNoSpooler, err)
	}
	if err != nil {
		return fmt.Errorf("printer: %s: %w: %s", name, err, out)
	}
	return nil
}

// viewerCommand returns the program that opens path in the default viewer.
func (s Spooler) viewerCommand(path string) (string, []string) {
	switch s.goos() {
	case "windows":
		return "rundll32", []string{"url.dll,FileProtocolHandler", path}
	case "darwin":
		return "open", []string{path}
	}
	return "xdg-open", []string{path}
}

// OpenPDF opens the PDF at path in the system's default viewer (xdg-open, open, or the Windows
// file handler), for a manager who wants to look or pick a printer by hand. It returns once the
// viewer has been launched.
func (s Spooler) OpenPDF(ctx context.Context, path string) error {
	name, args := s.viewerCommand(path)
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("printer: %s: %w: %s", name, err, out)
	}
	return nil
}

// PrintPDFData writes pdf to a temporary file and prints it with PrintPDF. lp copies the job
// into the spool before it returns, so the file is removed afterwards; on Windows the viewer
// opens the file after rundll32 returns, so there it is left in the temp folder.
func (s Spooler) PrintPDFData(ctx context.Context, pdf []byte) error {
	f, err := os.CreateTemp("", "cardpos-*.pdf")
	if err != nil {
		return fmt.Errorf("printer: temp file: %w", err)
	}
	name := f.Name()
	if _, err := f.Write(pdf); err != nil {
		f.Close()
		os.Remove(name)
		return fmt.Errorf("printer: temp file: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return fmt.Errorf("printer: temp file: %w", err)
	}
	err = s.PrintPDF(ctx, name)
	if s.goos() != "windows" {
		os.Remove(name)
	}
	return err
}

func (s Spooler) goos() string {
	if s.GOOS == "" {
		return runtime.GOOS
	}
	return s.GOOS
}

// ErrorKey returns the translation key (printer.err.*) for an error of this package, or "".
func ErrorKey(err error) string {
	switch {
	case errors.Is(err, ErrNoSpooler):
		return "printer.err.no_spooler"
	case errors.Is(err, ErrBadTarget):
		return "printer.err.bad_target"
	case errors.Is(err, ErrQRTooLong):
		return "printer.err.qr_too_long"
	case errors.Is(err, ErrImageTooWide):
		return "printer.err.image_too_wide"
	case errors.Is(err, ErrNotRedeemed):
		return "printer.err.not_redeemed"
	}
	return ""
}
