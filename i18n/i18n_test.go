package i18n

import (
	"testing"
	"testing/fstest"
)

func TestEveryKeyInBothLanguages(t *testing.T) {
	c := Default()
	for _, l := range Langs {
		other := ZH
		if l == ZH {
			other = EN
		}
		for _, k := range c.Keys(l) {
			if !c.Has(other, k) {
				t.Errorf("key %q is in %s but not in %s", k, l, other)
			}
		}
	}
	if len(c.Keys(ZH)) == 0 {
		t.Fatal("no zh-CN messages loaded")
	}
}

func TestTemplateAndFallback(t *testing.T) {
	fsys := fstest.MapFS{
		"tr/a.en.json":    {Data: []byte(`{"hello":"Hello {{.Name}}","only.en":"English only"}`)},
		"tr/a.zh-CN.json": {Data: []byte(`{"hello":"你好 {{.Name}}"}`)},
	}
	c, err := Load(fsys, "tr")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.T("hello", map[string]any{"Name": "王"}), "你好 王"; got != want {
		t.Errorf("T = %q, want %q", got, want)
	}
	c.SetLang(EN)
	if got, want := c.T("hello", map[string]any{"Name": "Wang"}), "Hello Wang"; got != want {
		t.Errorf("T = %q, want %q", got, want)
	}
	if got, want := c.In(ZH, "only.en"), "English only"; got != want {
		t.Errorf("fallback = %q, want %q", got, want)
	}
	if got, want := c.T("missing.key"), "missing.key"; got != want {
		t.Errorf("missing = %q, want %q", got, want)
	}
}

func TestBadFileIsAnError(t *testing.T) {
	fsys := fstest.MapFS{"tr/a.en.json": {Data: []byte(`{"x": 1}`)}}
	if _, err := Load(fsys, "tr"); err == nil {
		t.Fatal("Load accepted a non-string value")
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Lang{"zh_CN.UTF-8": ZH, "zh-Hans": ZH, "en_US.UTF-8": EN, "C": EN} {
		if got, ok := Parse(in); !ok || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := Parse("fr_FR"); ok {
		t.Error("Parse accepted fr_FR")
	}
}
