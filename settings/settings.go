// Package settings gives the till's settings their types, defaults and checks, and keeps them in
// the storage settings table as key/value rows. Saving writes an audit entry with what changed.
// It imports no Fyne.
package settings

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
)

// PrinterKind is how receipts and posters reach a printer.
type PrinterKind string

// The printer kinds.
const (
	PrinterNone   PrinterKind = "none"
	PrinterTCP    PrinterKind = "tcp"    // ESC/POS over raw TCP, usually port 9100
	PrinterDevice PrinterKind = "device" // ESC/POS to a device file or serial port
	PrinterFile   PrinterKind = "file"   // write the bytes to a file (tests, training)
)

// PrinterKinds lists the kinds in the order a settings screen offers them.
var PrinterKinds = []PrinterKind{PrinterNone, PrinterTCP, PrinterDevice, PrinterFile}

// TokenMode is how wxapi gets access tokens.
type TokenMode string

// The token modes. Stable is the default: several terminals on one AppID do not knock each
// other's tokens out.
const (
	TokenStable  TokenMode = "stable"
	TokenClassic TokenMode = "classic"
)

// LineEnding is what ends one scan from a serial scanner.
type LineEnding string

// The line endings a serial scanner may send.
const (
	LineCR   LineEnding = "cr"
	LineLF   LineEnding = "lf"
	LineCRLF LineEnding = "crlf"
)

// LineEndings lists the line endings in the order a settings screen offers them.
var LineEndings = []LineEnding{LineCR, LineLF, LineCRLF}

// Bauds lists the serial speeds offered.
var Bauds = []int{9600, 19200, 38400, 57600, 115200}

// Scanner is how scans arrive.
type Scanner struct {
	WedgePrefix string     // characters the keyboard-wedge scanner sends before a code; "" = none
	MinLength   int        // shorter bursts are not scans
	SerialPort  string     // "" = no serial scanner
	Baud        int        // serial speed
	LineEnding  LineEnding // what ends one serial scan
}

// Camera is the camera scanner's source.
type Camera struct {
	Device string // camera name or path; "" = the first one
	File   string // a video or image file read instead of a camera (demo, tests); "" = none
}

// Printer is the receipt and poster printer.
type Printer struct {
	Kind       PrinterKind
	Address    string // tcp: host:port; device and file: a path
	PaperWidth int    // millimetres: 58 or 80
}

// Settings are everything a manager sets on one till.
type Settings struct {
	Terminal  string // this till's name in the journal
	ShopName  string // printed on posters and receipts
	APIBase   string // WeChat API base URL; the emulator's in demo mode
	Lang      i18n.Lang
	Policy    redeem.Policy
	Scanner   Scanner
	Camera    Camera
	Printer   Printer
	TokenMode TokenMode
}

// DefaultAPIBase is WeChat's API host.
const DefaultAPIBase = "https://api.weixin.qq.com"

// Defaults are a fresh till's settings; the policy is redeem.DefaultPolicy.
func Defaults() Settings {
	return Settings{
		Terminal:  "POS-01",
		APIBase:   DefaultAPIBase,
		Lang:      i18n.ZH,
		Policy:    redeem.DefaultPolicy(),
		Scanner:   Scanner{MinLength: 3, Baud: 9600, LineEnding: LineCR},
		Printer:   Printer{Kind: PrinterNone, PaperWidth: 58},
		TokenMode: TokenStable,
	}
}

// FieldError says one setting is not acceptable. Key is the message key that explains it
// (in assets/translations/office.*.json).
type FieldError struct {
	Field string // the storage key, e.g. "policy.max_pending"
	Key   string
	Value string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("settings: %s = %q is not valid (%s)", e.Field, e.Value, e.Key)
}

// ErrInvalid matches every *FieldError with errors.Is.
var ErrInvalid = errors.New("settings: invalid value")

// Is makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// FieldErrors returns every *FieldError inside err (as joined by Validate or Load).
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if fe, ok := e.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		walk(errors.Unwrap(e))
	}
	walk(err)
	return out
}

var allTypes = []wxapi.CardType{wxapi.CardGroupon, wxapi.CardCash, wxapi.CardDiscount, wxapi.CardGift,
	wxapi.CardGeneralCoupon, wxapi.CardMember}

// CardTypes lists the card types an offline policy may allow.
func CardTypes() []wxapi.CardType { return slices.Clone(allTypes) }

// Validate checks every field and returns all problems joined, each a *FieldError.
func Validate(s Settings) error {
	var errs []error
	bad := func(field, key, value string) { errs = append(errs, &FieldError{Field: field, Key: key, Value: value}) }
	if n := len([]rune(s.Terminal)); strings.TrimSpace(s.Terminal) == "" || n > 32 {
		bad(kTerminal, "office.settings.err.terminal", s.Terminal)
	}
	if len([]rune(s.ShopName)) > 40 {
		bad(kShop, "office.settings.err.shop", s.ShopName)
	}
	if u, err := url.Parse(s.APIBase); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		bad(kAPIBase, "office.settings.err.api_base", s.APIBase)
	}
	if !slices.Contains(i18n.Langs, s.Lang) {
		bad(kLang, "office.settings.err.lang", string(s.Lang))
	}
	p := s.Policy
	if p.MaxPending < 0 || p.MaxPending > 10000 {
		bad(kMaxPending, "office.settings.err.max_pending", strconv.Itoa(p.MaxPending))
	}
	if p.MaxFaceValue < 0 || p.MaxFaceValue > 1_000_000_00 {
		bad(kMaxFace, "office.settings.err.max_face", strconv.FormatInt(p.MaxFaceValue, 10))
	}
	if p.MaxAge < 10*time.Minute || p.MaxAge > 30*24*time.Hour {
		bad(kMaxAge, "office.settings.err.max_age", p.MaxAge.String())
	}
	if p.LookupWait < 500*time.Millisecond || p.LookupWait > 30*time.Second {
		bad(kLookupWait, "office.settings.err.lookup_wait", p.LookupWait.String())
	}
	for _, t := range p.AllowedTypes {
		if !slices.Contains(allTypes, t) {
			bad(kAllowed, "office.settings.err.card_type", string(t))
		}
	}
	if s.Scanner.MinLength < 1 || s.Scanner.MinLength > 64 {
		bad(kMinLen, "office.settings.err.min_length", strconv.Itoa(s.Scanner.MinLength))
	}
	if !slices.Contains(Bauds, s.Scanner.Baud) {
		bad(kBaud, "office.settings.err.baud", strconv.Itoa(s.Scanner.Baud))
	}
	if !slices.Contains(LineEndings, s.Scanner.LineEnding) {
		bad(kLineEnd, "office.settings.err.line_ending", string(s.Scanner.LineEnding))
	}
	if len(s.Scanner.WedgePrefix) > 8 {
		bad(kPrefix, "office.settings.err.prefix", s.Scanner.WedgePrefix)
	}
	switch s.Printer.Kind {
	case PrinterNone:
	case PrinterTCP:
		if host, port, err := net.SplitHostPort(s.Printer.Address); err != nil || host == "" || port == "" {
			bad(kPrAddr, "office.settings.err.printer_tcp", s.Printer.Address)
		}
	case PrinterDevice, PrinterFile:
		if strings.TrimSpace(s.Printer.Address) == "" {
			bad(kPrAddr, "office.settings.err.printer_path", s.Printer.Address)
		}
	default:
		bad(kPrKind, "office.settings.err.printer_kind", string(s.Printer.Kind))
	}
	if s.Printer.PaperWidth != 58 && s.Printer.PaperWidth != 80 {
		bad(kPaper, "office.settings.err.paper", strconv.Itoa(s.Printer.PaperWidth))
	}
	if s.TokenMode != TokenStable && s.TokenMode != TokenClassic {
		bad(kToken, "office.settings.err.token_mode", string(s.TokenMode))
	}
	return errors.Join(errs...)
}

// The storage keys.
const (
	kTerminal   = "terminal"
	kShop       = "shop_name"
	kAPIBase    = "api_base"
	kLang       = "lang"
	kEnabled    = "policy.enabled"
	kMaxPending = "policy.max_pending"
	kMaxFace    = "policy.max_face_value_fen"
	kMaxAge     = "policy.max_age_s"
	kAllowed    = "policy.allowed_types"
	kLookupWait = "policy.lookup_wait_ms"
	kPrefix     = "scanner.wedge_prefix"
	kMinLen     = "scanner.min_length"
	kPort       = "scanner.serial_port"
	kBaud       = "scanner.baud"
	kLineEnd    = "scanner.line_ending"
	kCamDevice  = "camera.device"
	kCamFile    = "camera.file"
	kPrKind     = "printer.kind"
	kPrAddr     = "printer.address"
	kPaper      = "printer.paper_mm"
	kToken      = "token_mode"
)

func encode(s Settings) map[string]string {
	types := make([]string, len(s.Policy.AllowedTypes))
	for i, t := range s.Policy.AllowedTypes {
		types[i] = string(t)
	}
	return map[string]string{
		kTerminal:   s.Terminal,
		kShop:       s.ShopName,
		kAPIBase:    s.APIBase,
		kLang:       string(s.Lang),
		kEnabled:    strconv.FormatBool(s.Policy.Enabled),
		kMaxPending: strconv.Itoa(s.Policy.MaxPending),
		kMaxFace:    strconv.FormatInt(s.Policy.MaxFaceValue, 10),
		kMaxAge:     strconv.FormatInt(int64(s.Policy.MaxAge/time.Second), 10),
		kAllowed:    strings.Join(types, ","),
		kLookupWait: strconv.FormatInt(s.Policy.LookupWait.Milliseconds(), 10),
		kPrefix:     s.Scanner.WedgePrefix,
		kMinLen:     strconv.Itoa(s.Scanner.MinLength),
		kPort:       s.Scanner.SerialPort,
		kBaud:       strconv.Itoa(s.Scanner.Baud),
		kLineEnd:    string(s.Scanner.LineEnding),
		kCamDevice:  s.Camera.Device,
		kCamFile:    s.Camera.File,
		kPrKind:     string(s.Printer.Kind),
		kPrAddr:     s.Printer.Address,
		kPaper:      strconv.Itoa(s.Printer.PaperWidth),
		kToken:      string(s.TokenMode),
	}
}

// decode fills s from m; a value that does not parse keeps the default and is reported.
func decode(m map[string]string) (Settings, error) {
	s := Defaults()
	var errs []error
	str := func(k string, dst *string) {
		if v, ok := m[k]; ok {
			*dst = v
		}
	}
	num := func(k string, set func(int64)) {
		v, ok := m[k]
		if !ok {
			return
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, &FieldError{Field: k, Key: "office.settings.err.stored", Value: v})
			return
		}
		set(n)
	}
	str(kTerminal, &s.Terminal)
	str(kShop, &s.ShopName)
	str(kAPIBase, &s.APIBase)
	if v, ok := m[kLang]; ok {
		s.Lang = i18n.Lang(v)
	}
	if v, ok := m[kEnabled]; ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, &FieldError{Field: kEnabled, Key: "office.settings.err.stored", Value: v})
		} else {
			s.Policy.Enabled = b
		}
	}
	num(kMaxPending, func(n int64) { s.Policy.MaxPending = int(n) })
	num(kMaxFace, func(n int64) { s.Policy.MaxFaceValue = n })
	num(kMaxAge, func(n int64) { s.Policy.MaxAge = time.Duration(n) * time.Second })
	num(kLookupWait, func(n int64) { s.Policy.LookupWait = time.Duration(n) * time.Millisecond })
	if v, ok := m[kAllowed]; ok {
		s.Policy.AllowedTypes = nil
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				s.Policy.AllowedTypes = append(s.Policy.AllowedTypes, wxapi.CardType(t))
			}
		}
	}
	str(kPrefix, &s.Scanner.WedgePrefix)
	num(kMinLen, func(n int64) { s.Scanner.MinLength = int(n) })
	str(kPort, &s.Scanner.SerialPort)
	num(kBaud, func(n int64) { s.Scanner.Baud = int(n) })
	if v, ok := m[kLineEnd]; ok {
		s.Scanner.LineEnding = LineEnding(v)
	}
	str(kCamDevice, &s.Camera.Device)
	str(kCamFile, &s.Camera.File)
	if v, ok := m[kPrKind]; ok {
		s.Printer.Kind = PrinterKind(v)
	}
	str(kPrAddr, &s.Printer.Address)
	num(kPaper, func(n int64) { s.Printer.PaperWidth = int(n) })
	if v, ok := m[kToken]; ok {
		s.TokenMode = TokenMode(v)
	}
	return s, errors.Join(errs...)
}

// KV is the settings table; storage.DB implements it.
type KV interface {
	Settings(ctx context.Context) (map[string]string, error)
	SaveSettings(ctx context.Context, values map[string]string, audit storage.AuditEntry) error
}

// ActionSaved is the audit action of a settings change.
const ActionSaved = "settings.saved"

// Load reads the settings, filling what was never saved with Defaults. A stored value that does
// not parse or no longer validates is replaced by its default and reported in the returned
// error (each a *FieldError, errors.Is ErrInvalid); the Settings are usable either way.
func Load(ctx context.Context, db KV) (Settings, error) {
	m, err := db.Settings(ctx)
	if err != nil {
		return Defaults(), fmt.Errorf("settings: load: %w", err)
	}
	s, derr := decode(m)
	verr := Validate(s)
	if verr != nil {
		d := encode(Defaults())
		fixed := m
		for _, fe := range FieldErrors(verr) {
			fixed[fe.Field] = d[fe.Field]
		}
		s, _ = decode(fixed)
	}
	return s, errors.Join(derr, verr)
}

// Save validates s and writes the fields that changed, with one audit entry by actor listing
// them ("policy.max_pending: 200 → 100"). Invalid settings are not written at all.
func Save(ctx context.Context, db KV, actor string, s Settings) error {
	if err := Validate(s); err != nil {
		return err
	}
	old, err := db.Settings(ctx)
	if err != nil {
		return fmt.Errorf("settings: save: %w", err)
	}
	prev := encode(Defaults())
	for k, v := range old {
		prev[k] = v
	}
	next := encode(s)
	changed := map[string]string{}
	var lines []string
	for k, v := range next {
		if _, stored := old[k]; stored && prev[k] == v {
			continue
		}
		changed[k] = v
		if prev[k] != v {
			lines = append(lines, fmt.Sprintf("%s: %s → %s", k, prev[k], v))
		}
	}
	if len(changed) == 0 {
		return nil
	}
	sort.Strings(lines)
	entry := storage.AuditEntry{At: time.Now().UnixMilli(), Actor: actor, Action: ActionSaved, Detail: strings.Join(lines, "; ")}
	if err := db.SaveSettings(ctx, changed, entry); err != nil {
		return fmt.Errorf("settings: save: %w", err)
	}
	return nil
}

// Store binds Load and Save to one database, for screens that take an interface.
type Store struct{ db KV }

// NewStore returns a Store on db.
func NewStore(db KV) *Store { return &Store{db: db} }

// Load is Load(ctx, db).
func (s *Store) Load(ctx context.Context) (Settings, error) { return Load(ctx, s.db) }

// Save is Save(ctx, db, actor, v).
func (s *Store) Save(ctx context.Context, actor string, v Settings) error {
	return Save(ctx, s.db, actor, v)
}

// Target is the printer as package printer's ParseTarget reads it: "tcp://host:port", a
// device path, "file:PATH", or "" for no printer.
func (p Printer) Target() string {
	switch p.Kind {
	case PrinterTCP:
		return "tcp://" + p.Address
	case PrinterDevice:
		return p.Address
	case PrinterFile:
		return "file:" + p.Address
	}
	return ""
}
