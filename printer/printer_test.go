package printer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/storage"
)

// The reference sequence from ../shared/docs/engineering.md.
const knownQR1234 = "1B 40 1D 28 6B 04 00 31 41 32 00 1D 28 6B 03 00 31 43 03 1D 28 6B 03 00 31 45 30 " +
	"1D 28 6B 07 00 31 50 30 31 32 33 34 1D 28 6B 03 00 31 51 30"

func TestEncoderBytes(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  *Doc
		want string
	}{
		{"qrCode 1234 defaults", NewDoc().QR("1234", QROptions{}), knownQR1234},
		{"init", NewDoc(), "1B 40"},
		{"align center", NewDoc().Align(Center), "1B 40 1B 61 01"},
		{"double size", NewDoc().Size(2, 2), "1B 40 1D 21 11"},
		{"size clamps", NewDoc().Size(9, 0), "1B 40 1D 21 70"},
		{"bold on off", NewDoc().Bold(true).Bold(false), "1B 40 1B 45 01 1B 45 00"},
		{"feed cut", NewDoc().Feed(3).Cut(), "1B 40 1B 64 03 1D 56 42 00"},
		{"gbk text", NewDoc().Line("中文A"), "1B 40 D6 D0 CE C4 41 0A"},
		{"qr size 8 level M", NewDoc().QR("ab", QROptions{Size: 8, Level: QRLevelM}),
			"1B 40 1D 28 6B 04 00 31 41 32 00 1D 28 6B 03 00 31 43 08 1D 28 6B 03 00 31 45 31 " +
				"1D 28 6B 05 00 31 50 30 61 62 1D 28 6B 03 00 31 51 30"},
		{"raster 9x2", NewDoc().Image(checker(9, 2), 0),
			"1B 40 1D 76 30 00 02 00 02 00 AA 80 55 00"},
	} {
		got, err := tc.doc.Bytes()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if want := hexBytes(tc.want); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got % X\nwant % X", tc.name, got, want)
		}
	}
}

func TestQRStoreLengthAbove255(t *testing.T) {
	data := strings.Repeat("x", 300)
	job, err := NewDoc().QR(data, QROptions{}).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(job, []byte{0x1d, '(', 'k', 0x2f, 0x01, '1', 'P', '0'}) // 303 = 0x012f
	if i < 0 {
		t.Fatalf("store command with pL=2F pH=01 not found in % X", job[:40])
	}
	if got := parseJob(t, job).qr; !slices.Equal(got, []string{data}) {
		t.Errorf("parsed qr = %q", got)
	}
}

func TestEncoderErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  *Doc
		want error
	}{
		{"qr too long", NewDoc().QR(strings.Repeat("9", 7090), QROptions{}), ErrQRTooLong},
		{"qr size 17", NewDoc().QR("x", QROptions{Size: 17}), ErrBadQROption},
		{"image too wide", NewDoc().Image(checker(600, 1), 576), ErrImageTooWide},
		{"empty image", NewDoc().Image(checker(0, 0), 576), ErrEmptyImage},
		{"first error kept", NewDoc().QR("x", QROptions{Model: 3}).Image(checker(600, 1), 576), ErrBadQROption},
	} {
		if _, err := tc.doc.Bytes(); !errors.Is(err, tc.want) {
			t.Errorf("%s: error = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestGBK(t *testing.T) {
	for in, want := range map[string]string{
		"满100减20": "C2 FA 31 30 30 BC F5 32 30",
		"￥":       "A3 A4",
		"a😀b":     "61 3F 62",       // no emoji in GBK
		"x\x1b@y": "78 40 79",       // ESC cannot be injected through text
		"一\n二":    "D2 BB 0A B6 FE", // LF kept
	} {
		if got := GBK(in); !bytes.Equal(got, hexBytes(want)) {
			t.Errorf("GBK(%q) = % X, want %s", in, got, want)
		}
	}
}

func TestMaskCode(t *testing.T) {
	for in, want := range map[string]string{
		"123456789012": "********9012",
		"12345678":     "******78",
		"123":          "**3",
		"":             "",
	} {
		if got := MaskCode(in); got != want {
			t.Errorf("MaskCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Transport
		err  error
	}{
		{"tcp://192.168.1.50", TCP{Addr: "192.168.1.50:9100"}, nil},
		{"tcp://printer.local:9101", TCP{Addr: "printer.local:9101"}, nil},
		{"tcp://[fe80::1]", TCP{Addr: "[fe80::1]:9100"}, nil},
		{"/dev/usb/lp0", Device{Path: "/dev/usb/lp0"}, nil},
		{"COM3", Device{Path: "COM3"}, nil},
		{"file:/tmp/slips.bin", File{Path: "/tmp/slips.bin"}, nil},
		{"file:///tmp/slips.bin", File{Path: "/tmp/slips.bin"}, nil},
		{"tcp://", nil, ErrBadTarget},
		{"printer", nil, ErrBadTarget},
	} {
		got, err := ParseTarget(tc.in)
		if !errors.Is(err, tc.err) {
			t.Errorf("ParseTarget(%q) error = %v, want %v", tc.in, err, tc.err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseTarget(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}

func words(lang i18n.Lang) Words {
	return Words{Catalog: i18n.Default(), Lang: lang, Loc: time.FixedZone("CST", 8*3600)}
}

// fakePrinter listens on loopback like a network printer's port 9100 and hands back each job.
// Its goroutine ends when the listener closes (t.Cleanup).
func fakePrinter(t *testing.T) (addr string, jobs <-chan []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan []byte, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, _ := io.ReadAll(c)
			c.Close()
			ch <- b
		}
	}()
	return ln.Addr().String(), ch
}

func receive(t *testing.T, jobs <-chan []byte) []byte {
	t.Helper()
	select {
	case b := <-jobs:
		return b
	case <-time.After(5 * time.Second):
		t.Fatal("fake printer received nothing")
		return nil
	}
}

func TestRedemptionSlipOverTCP(t *testing.T) {
	addr, jobs := fakePrinter(t)
	at := time.Date(2026, 12, 4, 14, 30, 5, 0, time.UTC).Unix()
	for _, tc := range []struct {
		name    string
		slip    RedemptionSlip
		lang    i18n.Lang
		want    []string
		notWant string
	}{
		{"redeemed zh", RedemptionSlip{Shop: "星巴克 国贸店", Terminal: "POS-2", CardTitle: "满100减20代金券",
			Value: "满100减20", Code: "123456789012", At: at, Cashier: "王芳"}, i18n.ZH,
			[]string{"星巴克 国贸店", "终端：POS-2", "卡券：满100减20代金券", "优惠：满100减20", "券码：********9012",
				"时间：2026-12-04 22:30:05", "收银员：王芳", "核销成功"}, "123456789012"},
		{"offline zh", RedemptionSlip{Shop: "星巴克", CardTitle: "八折券", Code: "998877665544", At: at,
			Cashier: "li", Offline: true}, i18n.ZH,
			[]string{"卡券：八折券", "券码：********5544", "已受理（离线）", "网络恢复后自动向微信确认"}, "核销成功"},
		{"offline en", RedemptionSlip{Shop: "Cafe", CardTitle: "20% off", Code: "998877665544", At: at,
			Cashier: "li", Offline: true}, i18n.EN,
			[]string{"Card: 20% off", "ACCEPTED OFFLINE", "Time: 2026-12-04 22:30:05"}, "REDEEMED"},
	} {
		job, err := tc.slip.Encode(Paper80, words(tc.lang))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err := (TCP{Addr: addr}).Send(context.Background(), job); err != nil {
			t.Fatalf("%s: send: %v", tc.name, err)
		}
		got := receive(t, jobs)
		if !bytes.Equal(got, job) {
			t.Fatalf("%s: printer got %d bytes, sent %d", tc.name, len(got), len(job))
		}
		p := parseJob(t, got)
		if !p.init || !p.cut {
			t.Errorf("%s: init=%v cut=%v, want both", tc.name, p.init, p.cut)
		}
		for _, w := range tc.want {
			if !slices.Contains(p.lines, w) {
				t.Errorf("%s: line %q missing; lines %q", tc.name, w, p.lines)
			}
		}
		if strings.Contains(strings.Join(p.lines, "\n"), tc.notWant) {
			t.Errorf("%s: slip contains %q; lines %q", tc.name, tc.notWant, p.lines)
		}
	}
}

func TestCampaignSlipQRDecodesBack(t *testing.T) {
	addr, jobs := fakePrinter(t)
	const url = "http://weixin.qq.com/q/02abcDEF_sim-table-01"
	slip := CampaignSlip{Brand: "喜茶", Title: "新品买一送一", Value: "满30减5", Validity: "长期有效",
		Scene: "till-1", URL: url}
	for _, tc := range []struct {
		name    string
		profile Profile
	}{
		{"native GS ( k", Paper80},
		{"raster fallback 58mm", Profile{Dots: 384, Columns: 32}},
	} {
		job, err := slip.Encode(tc.profile, words(i18n.ZH))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err := (TCP{Addr: addr}).Send(context.Background(), job); err != nil {
			t.Fatalf("%s: send: %v", tc.name, err)
		}
		p := parseJob(t, receive(t, jobs))
		for _, w := range []string{"喜茶", "新品买一送一", "满30减5", "微信扫一扫领取", "场景：till-1"} {
			if !slices.Contains(p.lines, w) {
				t.Errorf("%s: line %q missing; lines %q", tc.name, w, p.lines)
			}
		}
		if tc.profile.NativeQR {
			if !slices.Equal(p.qr, []string{url}) {
				t.Errorf("%s: qr payloads %q, want [%q]", tc.name, p.qr, url)
			}
			if want := (QROptions{Model: 2, Size: 8, Level: QRLevelM}); len(p.qrOpts) != 1 || p.qrOpts[0] != want {
				t.Errorf("%s: qr options %+v, want %+v", tc.name, p.qrOpts, want)
			}
			continue
		}
		if len(p.qr) != 0 || len(p.images) == 0 {
			t.Fatalf("%s: %d GS ( k codes and %d images, want a raster only", tc.name, len(p.qr), len(p.images))
		}
		img := stack(p.images)
		if w := p.images[0].Bounds().Dx(); w > tc.profile.Dots {
			t.Errorf("%s: raster %d dots wide on %d-dot paper", tc.name, w, tc.profile.Dots)
		}
		bmp, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		res, err := gzqr.NewQRCodeReader().Decode(bmp, nil)
		if err != nil {
			t.Fatalf("%s: raster QR does not decode: %v", tc.name, err)
		}
		if got := res.GetText(); got != url {
			t.Errorf("%s: raster QR = %q, want %q", tc.name, got, url)
		}
	}
}

func TestTCPSendErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens now
	if err := (TCP{Addr: addr, Timeout: time.Second}).Send(context.Background(), []byte{esc, '@'}); err == nil {
		t.Error("Send to a closed port succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (TCP{Addr: addr}).Send(ctx, []byte{esc, '@'}); !errors.Is(err, context.Canceled) {
		t.Errorf("Send with cancelled ctx: %v, want context.Canceled", err)
	}
}

func TestFileAndDeviceTransports(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	f := File{Path: filepath.Join(dir, "slips.bin")}
	if err := f.Send(ctx, []byte{esc, '@', 'a'}); err != nil {
		t.Fatal(err)
	}
	if err := Send(ctx, "file:"+f.Path, []byte{esc, '@', 'b'}); err != nil {
		t.Fatal(err)
	}
	if err := Send(ctx, "lpt", nil); !errors.Is(err, ErrBadTarget) {
		t.Errorf("Send to %q: %v, want ErrBadTarget", "lpt", err)
	}
	got, err := os.ReadFile(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{esc, '@', 'a', esc, '@', 'b'}; !bytes.Equal(got, want) {
		t.Errorf("file = % X, want % X", got, want)
	}
	if err := (Device{Path: filepath.Join(dir, "lp0")}).Send(ctx, []byte{esc, '@'}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Device on a missing path: %v, want ErrNotExist (no file created)", err)
	}
	// An existing "device" (a file standing in for /dev/usb/lp0) receives the job.
	dev := filepath.Join(dir, "lp1")
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := (Device{Path: dev}).Send(ctx, []byte{esc, '@'}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dev); !bytes.Equal(got, []byte{esc, '@'}) {
		t.Errorf("device got % X", got)
	}
}

func TestTestPage(t *testing.T) {
	job, err := TestPage(Paper58, words(i18n.ZH), 0)
	if err != nil {
		t.Fatal(err)
	}
	p := parseJob(t, job)
	if !slices.Contains(p.lines, "打印测试") || !slices.Contains(p.lines, "12345678901234567890123456789012") {
		t.Errorf("test page lines %q", p.lines)
	}
	if !slices.Equal(p.qr, []string{"CardPOS"}) {
		t.Errorf("test page qr %q", p.qr)
	}
}

func TestSpoolerCommand(t *testing.T) {
	for _, tc := range []struct {
		s    Spooler
		want []string
	}{
		{Spooler{GOOS: "linux"}, []string{"lp", "--", "/tmp/a.pdf"}},
		{Spooler{GOOS: "darwin", Printer: "Kitchen", Copies: 2}, []string{"lp", "-d", "Kitchen", "-n", "2", "--", "/tmp/a.pdf"}},
		{Spooler{GOOS: "windows", Printer: "ignored"}, []string{"rundll32", "url.dll,FileProtocolHandler", "/tmp/a.pdf"}},
	} {
		name, args := tc.s.command("/tmp/a.pdf")
		if got := append([]string{name}, args...); !cmp.Equal(got, tc.want) {
			t.Errorf("%+v: %q, want %q", tc.s, got, tc.want)
		}
	}
	for goos, want := range map[string][]string{
		"linux":   {"xdg-open", "/tmp/a.pdf"},
		"darwin":  {"open", "/tmp/a.pdf"},
		"windows": {"rundll32", "url.dll,FileProtocolHandler", "/tmp/a.pdf"},
	} {
		name, args := Spooler{GOOS: goos}.viewerCommand("/tmp/a.pdf")
		if got := append([]string{name}, args...); !cmp.Equal(got, want) {
			t.Errorf("viewer on %s: %q, want %q", goos, got, want)
		}
	}
}

func TestPrintPDFRunsLP(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake lp is a shell script")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "args")
	lp := filepath.Join(dir, "lp")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + log + "\n"
	if err := os.WriteFile(lp, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	s := Spooler{Command: lp, Printer: "Front", GOOS: "linux"}
	if err := s.PrintPDF(context.Background(), "/tmp/poster.pdf"); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if want := "-d\nFront\n--\n/tmp/poster.pdf\n"; string(got) != want {
		t.Errorf("lp args %q, want %q", got, want)
	}
	// PrintPDFData hands lp a temporary copy with the same bytes and removes it afterwards.
	grab := filepath.Join(dir, "lpgrab")
	copyTo := filepath.Join(dir, "copy.pdf")
	if err := os.WriteFile(grab, []byte("#!/bin/sh\nfor a; do f=$a; done\ncp \"$f\" "+copyTo+"\necho \"$f\" > "+log+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4 test")
	if err := (Spooler{Command: grab, GOOS: "linux"}).PrintPDFData(context.Background(), pdf); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(copyTo); !bytes.Equal(got, pdf) {
		t.Errorf("lp saw %q, want %q", got, pdf)
	}
	tmp, _ := os.ReadFile(log)
	if _, err := os.Stat(strings.TrimSpace(string(tmp))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary PDF %s left behind: %v", tmp, err)
	}
	failing := filepath.Join(dir, "lpfail")
	if err := os.WriteFile(failing, []byte("#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	err = Spooler{Command: failing, GOOS: "linux"}.PrintPDF(context.Background(), "/tmp/x.pdf")
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("failing lp: %v, want its message", err)
	}
	err = Spooler{Command: filepath.Join(dir, "no-such-lp"), GOOS: "linux"}.PrintPDF(context.Background(), "/tmp/x.pdf")
	if !errors.Is(err, ErrNoSpooler) {
		t.Errorf("missing lp: %v, want ErrNoSpooler", err)
	}
	if ErrorKey(err) != "printer.err.no_spooler" {
		t.Errorf("ErrorKey = %q", ErrorKey(err))
	}
}

func TestSlipFor(t *testing.T) {
	base := storage.Redemption{Code: "123456789012", Title: "满100减20元券", Cashier: "王芳", Terminal: "POS-1",
		CreatedAt: 1764836405123}
	for _, tc := range []struct {
		state    storage.State
		offline  bool
		redeemed int64
		want     bool // Offline on the slip
		err      error
	}{
		{storage.StateRedeemed, false, 1764836405500, false, nil},
		{storage.StateRedeemed, true, 1764836999000, false, nil}, // queued offline, since confirmed
		{storage.StateQueued, true, 0, true, nil},
		{storage.StateInFlight, true, 0, true, nil},
		{storage.StateRejected, false, 0, false, ErrNotRedeemed},
		{storage.StateConflict, true, 0, false, ErrNotRedeemed},
	} {
		r := base
		r.State, r.Offline, r.RedeemedAt = tc.state, tc.offline, tc.redeemed
		got, err := SlipFor(r, "星巴克")
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: error = %v, want %v", tc.state, err, tc.err)
			continue
		}
		if err != nil {
			if ErrorKey(err) != "printer.err.not_redeemed" {
				t.Errorf("%s: ErrorKey = %q", tc.state, ErrorKey(err))
			}
			continue
		}
		want := RedemptionSlip{Shop: "星巴克", Terminal: "POS-1", CardTitle: "满100减20元券", Code: "123456789012",
			Cashier: "王芳", At: 1764836405, Offline: tc.want}
		if got != want {
			t.Errorf("%s: %+v, want %+v", tc.state, got, want)
		}
	}
}

// A printer that takes the connection but never reads (paper jam, cover open) must not hang the
// till: cancelling ctx ends the blocked write.
func TestTCPSendCancelledWhilePrinterStalls(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	held := make(chan net.Conn, 1)
	go func() { // ends when ln closes
		c, err := ln.Accept()
		if err == nil {
			held <- c
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	err = (TCP{Addr: ln.Addr().String(), Timeout: time.Minute}).Send(ctx, make([]byte, 64<<20))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Send to a stalled printer: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send took %v after cancel", d)
	}
	select {
	case c := <-held:
		c.Close()
	default:
	}
}
