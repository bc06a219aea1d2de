// Package cli is CardPOS's command-line contract: the global options, the subcommands, their
// output (plain words or one JSON object per line) and their exit status. Store scripts and
// independent checks rely on it, so it only ever grows compatibly.
//
//	cardpos                       GUI (real mode)
//	cardpos --demo                GUI in training mode on the built-in emulator
//	cardpos redeem [--check] [--json] TEXT
//	cardpos sync [--json]
//	cardpos queue [--json]
//	cardpos history [--since DATE] [--json|--csv]
//	cardpos cards [--refresh] [--json]
//	cardpos decode [--json] FILE...
//	cardpos qrcode --card-id ID [--scene S] [--expire SEC] [--unique] [--json]
//	cardpos poster --card-id ID... [--scene S]... [--size a4|a5|a6|tent|sticker] [--expire SEC] -o OUT.pdf|OUT.png
//	cardpos sim [--listen ADDR] [--seed demo] [--state FILE]
//
// Exit status: 0 done; 3 accepted offline / items still queued; 4 refused (or some files had no
// code); 1 usage or configuration error; 2 any other failure.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cardpos/cardpos/campaign"
	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/station"
)

// Exit statuses of the command-line contract.
const (
	ExitOK      = 0 // done: redeemed, valid with --check, queue drained, all files decoded
	ExitUsage   = 1 // usage or configuration error
	ExitFailure = 2 // any other failure
	ExitQueued  = 3 // accepted offline, or items still queued
	ExitRefused = 4 // refused, or some files had no code
)

// Env is what a command reads and writes besides its arguments.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Catalog        *i18n.Catalog
}

// Invocation is a parsed command line: the global options and, unless GUI is true, a subcommand
// with its own arguments.
type Invocation struct {
	Config  station.Config
	GUI     bool
	Command string
	Args    []string // the subcommand's arguments, global options removed
	Camera  string   // --camera FILE|DEVICE for the GUI
}

// usageError is a mistake on the command line: exit 1 with a one-line reason.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// exitError carries an exit status for a command that already printed its result.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// command is one subcommand.
type command struct {
	name    string
	summary string // i18n key
	run     func(ctx context.Context, r *runner, args []string) error
}

var commands = []command{
	{"redeem", "cli.cmd.redeem", runRedeem},
	{"sync", "cli.cmd.sync", runSync},
	{"queue", "cli.cmd.queue", runQueue},
	{"history", "cli.cmd.history", runHistory},
	{"cards", "cli.cmd.cards", runCards},
	{"decode", "cli.cmd.decode", runDecode},
	{"qrcode", "cli.cmd.qrcode", runQRCode},
	{"poster", "cli.cmd.poster", runPoster},
	{"sim", "cli.cmd.sim", runSim},
}

func findCommand(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

// globalFlags registers the options every command accepts, before or after the subcommand name.
func globalFlags(fs *flag.FlagSet, cfg *station.Config, camera *string) {
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "")
	fs.StringVar(&cfg.APIBase, "api-base", cfg.APIBase, "")
	fs.BoolVar(&cfg.Demo, "demo", cfg.Demo, "")
	fs.StringVar(&cfg.Terminal, "terminal", cfg.Terminal, "")
	fs.StringVar(camera, "camera", *camera, "")
}

// Parse reads the global options and finds the subcommand. Environment variables give the
// defaults (CARDPOS_DATA, CARDPOS_API_BASE, CARDPOS_APPID, CARDPOS_SECRET, CARDPOS_TERMINAL).
// It returns flag.ErrHelp for --help.
func Parse(args []string, env Env) (*Invocation, error) {
	inv := &Invocation{Config: station.ConfigFromEnv(env.Getenv)}
	fs := flag.NewFlagSet("cardpos", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	globalFlags(fs, &inv.Config, &inv.Camera)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usagef("%s", env.Catalog.T("cli.err.flag", map[string]any{"Err": err.Error()}))
	}
	rest := fs.Args()
	if len(rest) == 0 {
		inv.GUI = true
		return inv, nil
	}
	name := rest[0]
	if name == "help" {
		return nil, flag.ErrHelp
	}
	if findCommand(name) == nil {
		return nil, usagef("%s", env.Catalog.T("cli.err.unknown_command", map[string]any{"Name": name}))
	}
	inv.Command = name
	inv.Args = rest[1:]
	return inv, nil
}

// Usage writes the top-level help.
func Usage(w io.Writer, c *i18n.Catalog) {
	fmt.Fprintln(w, c.T("cli.usage.title"))
	fmt.Fprintln(w)
	fmt.Fprintln(w, c.T("cli.usage.synopsis"))
	fmt.Fprintln(w, "  cardpos                      "+c.T("cli.cmd.gui"))
	fmt.Fprintln(w, "  cardpos --demo               "+c.T("cli.cmd.demo"))
	for _, cmd := range commands {
		fmt.Fprintf(w, "  cardpos %-20s %s\n", cmd.name, c.T(cmd.summary))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, c.T("cli.usage.options"))
	for _, o := range globalOptionHelp {
		fmt.Fprintf(w, "  %-22s %s\n", o[0], c.T(o[1]))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, c.T("cli.usage.exit"))
	fmt.Fprintln(w)
	fmt.Fprintln(w, c.T("cli.usage.more"))
}

var globalOptionHelp = [][2]string{
	{"--data DIR", "cli.opt.data"},
	{"--api-base URL", "cli.opt.api_base"},
	{"--demo", "cli.opt.demo"},
	{"--terminal NAME", "cli.opt.terminal"},
	{"--camera FILE", "cli.opt.camera"},
	{"CARDPOS_APPID", "cli.opt.appid"},
	{"CARDPOS_SECRET", "cli.opt.secret"},
}

// Run carries out a subcommand and returns its exit status. Errors are printed once, in plain words.
func Run(ctx context.Context, inv *Invocation, env Env) int {
	cmd := findCommand(inv.Command)
	r := &runner{env: env, cfg: inv.Config, name: inv.Command}
	defer r.close()
	err := cmd.run(ctx, r, inv.Args)
	return r.exitCode(err)
}

// Main is the whole command line for everything but the GUI: it returns (status, true) when it
// handled args, and (0, false) when the caller must open the window for inv.
func Main(ctx context.Context, args []string, env Env) (int, *Invocation) {
	inv, err := Parse(args, env)
	if errors.Is(err, flag.ErrHelp) {
		Usage(env.Stdout, env.Catalog)
		return ExitOK, nil
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, "cardpos: "+err.Error())
		return ExitUsage, nil
	}
	if inv.GUI {
		return 0, inv
	}
	return Run(ctx, inv, env), nil
}

// runner holds what one command invocation uses and closes it at the end.
type runner struct {
	env  Env
	cfg  station.Config
	name string
	st   *station.Station
}

// station opens the till's core on first use.
func (r *runner) station(ctx context.Context) (*station.Station, error) {
	if r.st != nil {
		return r.st, nil
	}
	st, err := station.Open(ctx, r.cfg)
	if err != nil {
		return nil, err
	}
	r.st = st
	return st, nil
}

// engine is the redemption engine of the till (WeChat client included).
func (r *runner) engine(ctx context.Context) (*redeem.Service, error) {
	st, err := r.station(ctx)
	if err != nil {
		return nil, err
	}
	return st.Redeem(ctx)
}

// campaigns is the campaign service of the till.
func (r *runner) campaigns(ctx context.Context) (*campaign.Service, error) {
	st, err := r.station(ctx)
	if err != nil {
		return nil, err
	}
	return st.Campaign(ctx)
}

func (r *runner) close() {
	if r.st != nil {
		_ = r.st.Close()
	}
}

func (r *runner) t(key string, args ...any) string { return r.env.Catalog.T(key, args...) }

// flags makes a subcommand's flag set, with the global options too.
func (r *runner) flags() *flag.FlagSet {
	fs := flag.NewFlagSet(r.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var camera string
	globalFlags(fs, &r.cfg, &camera)
	fs.Usage = func() {}
	return fs
}

// parseNoArgs is parse for a subcommand that takes options only.
func (r *runner) parseNoArgs(fs *flag.FlagSet, args []string, usageKey string) error {
	if err := r.parse(fs, args, usageKey); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("%s", r.t("cli.err.no_args"))
	}
	return nil
}

// parse parses a subcommand's flags; on --help it prints the subcommand's help.
func (r *runner) parse(fs *flag.FlagSet, args []string, usageKey string) error {
	if err := fs.Parse(interleave(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(r.env.Stdout, r.t(usageKey))
			fmt.Fprintln(r.env.Stdout)
			fmt.Fprintln(r.env.Stdout, r.t("cli.usage.options"))
			fs.VisitAll(func(f *flag.Flag) {
				key := "cli.flag." + f.Name
				if r.env.Catalog.Has(i18n.EN, key) {
					fmt.Fprintf(r.env.Stdout, "  --%-14s %s\n", f.Name, r.t(key))
				}
			})
			return &exitError{ExitOK}
		}
		return usagef("%s", r.t("cli.err.flag", map[string]any{"Err": err.Error()}))
	}
	return nil
}

// interleave moves flags after positional arguments to the front, so `redeem CODE --json` works
// like `redeem --json CODE`. A lone "--" ends the options.
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil {
			if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
				continue
			}
			if i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		}
	}
	return append(append(flags, "--"), pos...)
}

// exitCode turns a command's error into the exit status, printing it once.
func (r *runner) exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(r.env.Stderr, "cardpos %s: %s\n", r.name, ue.msg)
		return ExitUsage
	}
	var ce *station.ConfigError
	if errors.As(err, &ce) {
		fmt.Fprintf(r.env.Stderr, "cardpos %s: %s\n", r.name, r.t(ce.Key, ce.Args))
		return ExitUsage
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(r.env.Stderr, "cardpos %s: %s\n", r.name, r.t("cli.err.interrupted"))
		return ExitFailure
	}
	fmt.Fprintf(r.env.Stderr, "cardpos %s: %s\n", r.name, r.t("cli.err.failure", map[string]any{"Err": err.Error()}))
	return ExitFailure
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

// Set appends one value; a comma-separated value adds several.
func (s *stringList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*s = append(*s, p)
		}
	}
	return nil
}

// absPaths makes paths absolute for messages; errors leave the path as given.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// stdEnv is the process environment.
func StdEnv(c *i18n.Catalog) Env {
	return Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Catalog: c}
}
