// Package posixlocale, imported for its side effect by main, rewrites a POSIX locale ("C",
// "POSIX", "C.UTF-8") in LC_ALL, LC_MESSAGES and LANG to "en_US.UTF-8" before Fyne's lang
// package reads them. Fyne cannot parse "C" and would print an error on every start, which is
// noise on the stderr of every `cardpos` command a cron job or store script runs. English is what
// a POSIX locale means to i18n.FromEnv as well, so no word changes.
//
// It works because Go initialises packages in import-path order once their imports are ready:
// this package needs only os and strings and sorts before the locale library Fyne's lang waits for.
package posixlocale

import (
	"os"
	"strings"
)

func init() {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(k)
		base := strings.ToUpper(v)
		if i := strings.IndexByte(base, '.'); i >= 0 {
			base = base[:i]
		}
		if base == "C" || base == "POSIX" {
			_ = os.Setenv(k, "en_US.UTF-8")
		}
	}
}
