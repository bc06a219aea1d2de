package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cardpos/cardpos/auth"
	"github.com/cardpos/cardpos/cli"
	"github.com/cardpos/cardpos/printer"
	"github.com/cardpos/cardpos/scanner"
	"github.com/cardpos/cardpos/secrets"
	"github.com/cardpos/cardpos/settings"
	"github.com/cardpos/cardpos/station"
	"github.com/cardpos/cardpos/ui"
	"github.com/cardpos/cardpos/ui/office"
)

// runGUI opens the station and the counter window for inv and returns the exit status. The
// sync worker runs for as long as the window is open.
func runGUI(ctx context.Context, inv *cli.Invocation, env cli.Env) int {
	st, err := station.Open(ctx, inv.Config)
	if err != nil {
		var ce *station.ConfigError
		if errors.As(err, &ce) {
			fmt.Fprintln(env.Stderr, "cardpos: "+env.Catalog.T(ce.Key, ce.Args))
			return cli.ExitUsage
		}
		fmt.Fprintln(env.Stderr, "cardpos: "+err.Error())
		return cli.ExitFailure
	}
	defer st.Close()
	if st.Settings.Lang != "" && env.Getenv("CARDPOS_LANG") == "" {
		env.Catalog.SetLang(st.Settings.Lang) // the manager's choice for this till
	}
	log := st.Logger

	authSvc := auth.New(st.DB)
	if inv.Config.Demo {
		if err := authSvc.SeedDemo(ctx); err != nil {
			log.Warn("demo users", "err", err)
		}
	}

	opts := ui.Options{
		Catalog:  env.Catalog,
		Demo:     inv.Config.Demo,
		Terminal: st.Config.Terminal,
		Logger:   log,
		Wedge:    scanner.WedgeConfig{Prefix: st.Settings.Scanner.WedgePrefix, MinLength: st.Settings.Scanner.MinLength},
	}
	deps := &office.Deps{
		Auth:        authSvc,
		Settings:    settings.NewStore(st.DB),
		Secrets:     secrets.New(st.Dir),
		TestPrint:   office.TestPrinter(env.Catalog, env.Catalog.Lang, time.Local),
		PrintPDF:    printer.Spooler{}.PrintPDF,
		SerialPorts: serialPorts,
		Cameras:     cameraNames,
		Logger:      log,
	}
	opts.Office = deps

	// The engine. A real till without credentials still opens, so that a manager can enter them.
	svc, err := st.Redeem(ctx)
	switch {
	case err == nil:
		opts.Redeemer = svc
		deps.Journal, deps.Policy = svc, svc
		if wx, werr := st.WeChat(ctx); werr == nil {
			deps.Cards = office.CardService{Catalog: svc, API: wx}
		}
		if camp, cerr := st.Campaign(ctx); cerr == nil {
			deps.Campaigns = office.CampaignService{Service: camp}
		} else {
			log.Warn("campaigns unavailable", "err", cerr)
		}
		// The sync worker belongs to this function's ctx: it stops when the window closes.
		wctx, stopWorker := context.WithCancel(ctx)
		defer stopWorker()
		go svc.Run(wctx)
		go func() {
			if err := svc.RefreshCatalog(wctx); err != nil {
				log.Info("catalog refresh at start failed; the cached catalog is used", "err", err)
			}
		}()
	default:
		var ce *station.ConfigError
		if !errors.As(err, &ce) {
			fmt.Fprintln(env.Stderr, "cardpos: "+err.Error())
			return cli.ExitFailure
		}
		log.Warn("engine not ready", "err", err)
		deps.Journal = st.Journal()
	}

	for _, s := range st.Samples(ctx) {
		opts.Samples = append(opts.Samples, ui.Sample{Code: s.Code, CardID: s.CardID, Title: s.Title, CardType: s.CardType, Status: s.Status, Note: s.Note})
	}
	opts.Camera = cameraOpener(inv.Camera, st.Settings.Camera)
	if sc := st.Settings.Scanner; sc.SerialPort != "" {
		opts.Serial = &scanner.SerialConfig{Port: sc.SerialPort, Baud: sc.Baud, LineEnding: scanner.LineEnding(sc.LineEnding)}
	}

	if err := ui.Run(ctx, opts); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("window", "err", err)
		fmt.Fprintln(env.Stderr, "cardpos: "+err.Error())
		return cli.ExitFailure
	}
	return cli.ExitOK
}

// cameraOpener picks the frame source F2 opens: --camera FILE or DEVICE, else the setting's
// file, else its device (scanner.OpenCamera; a build without -tags camera has none).
func cameraOpener(flag string, c settings.Camera) func() (scanner.FrameSource, error) {
	file, device := c.File, c.Device
	if flag != "" {
		file, device = flag, ""
	}
	return func() (scanner.FrameSource, error) {
		if file != "" {
			src, err := scanner.OpenFileSource(file, 15)
			if err == nil {
				return src, nil
			}
			if device == "" {
				src, derr := scanner.OpenCamera(file, 1280, 720)
				if derr == nil {
					return src, nil
				}
				return nil, err
			}
		}
		return scanner.OpenCamera(device, 1280, 720)
	}
}

func serialPorts(context.Context) ([]string, error) {
	ports, err := scanner.ListPorts()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ports))
	for _, p := range ports {
		names = append(names, p.Name)
	}
	return names, nil
}

func cameraNames(context.Context) ([]string, error) {
	cams, err := scanner.ListCameras()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(cams))
	for _, c := range cams {
		names = append(names, c.ID)
	}
	return names, nil
}
