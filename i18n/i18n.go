// Package i18n turns message keys into words in the cashier's language (zh-CN first, English
// second). It reads the same embedded JSON files that ui/ also hands to Fyne's lang package, and
// it exists beside lang because lang follows the system locale only: a till needs a language a
// manager can switch at run time, and the CLI needs words without a display.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"text/template"

	"github.com/cardpos/cardpos/assets"
)

// Lang is a language tag CardPOS ships.
type Lang string

// The shipped languages. ZH is the default and the fallback for missing keys is EN, then the key.
const (
	ZH Lang = "zh-CN"
	EN Lang = "en"
)

// Langs lists the shipped languages, first language first.
var Langs = []Lang{ZH, EN}

// Catalog holds every message of every language. It is safe for concurrent use.
type Catalog struct {
	mu   sync.RWMutex
	cur  Lang
	msgs map[Lang]map[string]string
	tpl  map[string]*template.Template
}

// Load reads every ROOM.LANG.json file of fsys/dir. A file that is not valid JSON is an error.
func Load(fsys fs.FS, dir string) (*Catalog, error) {
	c := &Catalog{cur: ZH, msgs: map[Lang]map[string]string{}, tpl: map[string]*template.Template{}}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("i18n: read %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") {
			continue
		}
		parts := strings.Split(strings.TrimSuffix(name, ".json"), ".")
		lang := Lang(parts[len(parts)-1])
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", name, err)
		}
		var m map[string]string
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s is not a flat JSON object of strings: %w", name, err)
		}
		if c.msgs[lang] == nil {
			c.msgs[lang] = map[string]string{}
		}
		for k, v := range m {
			c.msgs[lang][k] = v
		}
	}
	return c, nil
}

// Default loads the translations embedded in assets. The files are part of the binary, so a
// failure is a build defect and panics.
func Default() *Catalog {
	c, err := Load(assets.Translations, assets.TranslationsDir)
	if err != nil {
		panic(err)
	}
	return c
}

// Parse turns "zh", "zh_CN.UTF-8", "zh-Hans", "en_US" and the like into a shipped language.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, ".@"); i >= 0 {
		s = s[:i]
	}
	switch {
	case s == "":
		return "", false
	case strings.HasPrefix(s, "zh"):
		return ZH, true
	case strings.HasPrefix(s, "en"), s == "c", s == "posix":
		return EN, true
	}
	return "", false
}

// FromEnv picks the language from CARDPOS_LANG, then LC_ALL, LC_MESSAGES and LANG; zh-CN if none
// names a shipped language.
func FromEnv() Lang {
	for _, k := range []string{"CARDPOS_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		if l, ok := Parse(os.Getenv(k)); ok {
			return l
		}
	}
	return ZH
}

// SetLang switches the current language.
func (c *Catalog) SetLang(l Lang) {
	c.mu.Lock()
	c.cur = l
	c.mu.Unlock()
}

// Lang reports the current language.
func (c *Catalog) Lang() Lang {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.cur
}

// T translates key into the current language, filling {{.Name}} from args (a map or a struct).
func (c *Catalog) T(key string, args ...any) string {
	return c.In(c.Lang(), key, args...)
}

// In translates key into language l. A key missing in l falls back to English, then to the key.
func (c *Catalog) In(l Lang, key string, args ...any) string {
	c.mu.RLock()
	s, ok := c.msgs[l][key]
	if !ok {
		s, ok = c.msgs[EN][key]
	}
	c.mu.RUnlock()
	if !ok {
		return key
	}
	if len(args) == 0 || args[0] == nil || !strings.Contains(s, "{{") {
		return s
	}
	t, err := c.template(l, key, s)
	if err != nil {
		return s
	}
	var b strings.Builder
	if err := t.Execute(&b, args[0]); err != nil {
		return s
	}
	return b.String()
}

func (c *Catalog) template(l Lang, key, s string) (*template.Template, error) {
	id := string(l) + "\x00" + key
	c.mu.RLock()
	t := c.tpl[id]
	c.mu.RUnlock()
	if t != nil {
		return t, nil
	}
	t, err := template.New(key).Option("missingkey=zero").Parse(s)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.tpl[id] = t
	c.mu.Unlock()
	return t, nil
}

// Has reports whether key exists in language l.
func (c *Catalog) Has(l Lang, key string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.msgs[l][key]
	return ok
}

// Keys lists the keys of language l, sorted.
func (c *Catalog) Keys(l Lang) []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	keys := make([]string, 0, len(c.msgs[l]))
	for k := range c.msgs[l] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
