// Command cardpos is CardPOS (卡券核销台), the counter software for WeChat cards and coupons.
// With no subcommand it opens the counter window; the subcommands are the command-line contract
// in package cli. This file only parses, wires and hands over.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/cardpos/cardpos/cli"
	"github.com/cardpos/cardpos/i18n"
	_ "github.com/cardpos/cardpos/i18n/posixlocale" // before Fyne reads the locale
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	catalog := i18n.Default()
	catalog.SetLang(i18n.FromEnv())
	env := cli.StdEnv(catalog)
	code, gui := cli.Main(ctx, os.Args[1:], env)
	if gui != nil {
		code = runGUI(ctx, gui, env)
	}
	stop()
	os.Exit(code)
}
