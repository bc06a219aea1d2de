package settings

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
)

func open(t *testing.T) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func audit(t *testing.T, db *storage.DB) []string {
	t.Helper()
	log, err := db.AuditLog(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range log {
		out = append(out, e.Actor+"|"+e.Action+"|"+e.Detail)
	}
	return out
}

func TestLoadDefaultsOnFreshDatabase(t *testing.T) {
	db := open(t)
	got, err := Load(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Defaults(), got); diff != "" {
		t.Errorf("fresh Load differs from Defaults (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(redeem.DefaultPolicy(), got.Policy); diff != "" {
		t.Errorf("policy differs from redeem.DefaultPolicy:\n%s", diff)
	}
}

func TestSaveRoundTripAndAudit(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	s := Defaults()
	s.Terminal = "前台2号"
	s.ShopName = "星巴克 国贸店"
	s.APIBase = "http://127.0.0.1:8123"
	s.Lang = i18n.EN
	s.Policy = redeem.Policy{Enabled: false, MaxPending: 50, MaxFaceValue: 100_00, MaxAge: 6 * time.Hour,
		AllowedTypes: []wxapi.CardType{wxapi.CardCash, wxapi.CardGift}, LookupWait: 1500 * time.Millisecond}
	s.Scanner = Scanner{WedgePrefix: "~", MinLength: 8, SerialPort: "/dev/ttyUSB0", Baud: 115200, LineEnding: LineCRLF}
	s.Camera = Camera{Device: "/dev/video0", File: ""}
	s.Printer = Printer{Kind: PrinterTCP, Address: "192.168.1.50:9100", PaperWidth: 80}
	s.TokenMode = TokenClassic
	if err := Save(ctx, db, "店长", s); err != nil {
		t.Fatal(err)
	}
	got, err := Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, got); diff != "" {
		t.Errorf("Load after Save (-want +got):\n%s", diff)
	}
	// Saving the same again changes nothing and writes no audit entry.
	if err := Save(ctx, db, "店长", got); err != nil {
		t.Fatal(err)
	}
	got.Policy.MaxPending = 80
	if err := Save(ctx, db, "店长", got); err != nil {
		t.Fatal(err)
	}
	a := audit(t, db)
	if len(a) != 2 {
		t.Fatalf("audit entries = %d (%q), want 2", len(a), a)
	}
	if !strings.Contains(a[0], "店长|settings.saved|") || !strings.Contains(a[0], "terminal: POS-01 → 前台2号") {
		t.Errorf("first audit entry = %q", a[0])
	}
	if want := "店长|settings.saved|policy.max_pending: 50 → 80"; a[1] != want {
		t.Errorf("second audit entry = %q, want %q", a[1], want)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*Settings)
		field string
	}{
		{"empty terminal", func(s *Settings) { s.Terminal = " " }, kTerminal},
		{"ftp api base", func(s *Settings) { s.APIBase = "ftp://x" }, kAPIBase},
		{"unknown lang", func(s *Settings) { s.Lang = "fr" }, kLang},
		{"negative pending", func(s *Settings) { s.Policy.MaxPending = -1 }, kMaxPending},
		{"age too short", func(s *Settings) { s.Policy.MaxAge = time.Minute }, kMaxAge},
		{"wait too long", func(s *Settings) { s.Policy.LookupWait = time.Minute }, kLookupWait},
		{"bad type", func(s *Settings) { s.Policy.AllowedTypes = []wxapi.CardType{"COUPON"} }, kAllowed},
		{"baud", func(s *Settings) { s.Scanner.Baud = 1234 }, kBaud},
		{"line ending", func(s *Settings) { s.Scanner.LineEnding = "tab" }, kLineEnd},
		{"tcp without port", func(s *Settings) { s.Printer = Printer{Kind: PrinterTCP, Address: "10.0.0.5", PaperWidth: 58} }, kPrAddr},
		{"device without path", func(s *Settings) { s.Printer = Printer{Kind: PrinterDevice, PaperWidth: 58} }, kPrAddr},
		{"paper", func(s *Settings) { s.Printer.PaperWidth = 76 }, kPaper},
		{"token mode", func(s *Settings) { s.TokenMode = "fast" }, kToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Defaults()
			tc.edit(&s)
			err := Validate(s)
			fes := FieldErrors(err)
			if !errors.Is(err, ErrInvalid) || len(fes) != 1 || fes[0].Field != tc.field || fes[0].Key == "" {
				t.Errorf("Validate = %v (%d field errors); want one on %s", err, len(fes), tc.field)
			}
			db := open(t)
			if err := Save(context.Background(), db, "m", s); !errors.Is(err, ErrInvalid) {
				t.Errorf("Save of invalid settings = %v, want ErrInvalid", err)
			}
			if a := audit(t, db); len(a) != 0 {
				t.Errorf("invalid Save wrote audit %q", a)
			}
		})
	}
	if err := Validate(Defaults()); err != nil {
		t.Errorf("Validate(Defaults()) = %v", err)
	}
}

func TestLoadReplacesBadStoredValues(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	err := db.SaveSettings(ctx, map[string]string{kMaxPending: "lots", kBaud: "1234", kShop: "A店"},
		storage.AuditEntry{At: 1, Actor: "test", Action: "seed"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(ctx, db)
	if !errors.Is(err, ErrInvalid) || len(FieldErrors(err)) != 2 {
		t.Errorf("Load error = %v, want two field errors", err)
	}
	d := Defaults()
	if s.Policy.MaxPending != d.Policy.MaxPending || s.Scanner.Baud != d.Scanner.Baud || s.ShopName != "A店" {
		t.Errorf("Load = pending %d baud %d shop %q; want defaults for the bad ones and A店",
			s.Policy.MaxPending, s.Scanner.Baud, s.ShopName)
	}
	if err := Validate(s); err != nil {
		t.Errorf("Load returned invalid settings: %v", err)
	}
}

func TestPrinterTarget(t *testing.T) {
	for _, tc := range []struct {
		p    Printer
		want string
	}{
		{Printer{Kind: PrinterTCP, Address: "10.0.0.5:9100"}, "tcp://10.0.0.5:9100"},
		{Printer{Kind: PrinterDevice, Address: "/dev/usb/lp0"}, "/dev/usb/lp0"},
		{Printer{Kind: PrinterFile, Address: "/tmp/slips.bin"}, "file:/tmp/slips.bin"},
		{Printer{Kind: PrinterNone, Address: "x"}, ""},
	} {
		if got := tc.p.Target(); got != tc.want {
			t.Errorf("%+v.Target() = %q, want %q", tc.p, got, tc.want)
		}
	}
}
