package office

import (
	"context"
	"github.com/cardpos/cardpos/money"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/cardpos/cardpos/auth"
	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/secrets"
	"github.com/cardpos/cardpos/settings"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
)

// settingsView is the 设置 tab: credentials (entered once, never shown again, with the store in
// use), API base, offline policy, scanner, camera, printer with a test print, language, terminal.
type settingsView struct {
	s       *screen
	sess    auth.Session
	cur     settings.Settings
	loaded  bool
	store   secrets.Store
	appID   string
	msgTxt  string
	crdTxt  string
	ports   []string // serial ports found, offered beside free entry
	cameras []string

	appIDE, secretE             *widget.Entry
	credState, msg, credMsg     *widget.Label
	saveCred, save, testPrint   *widget.Button
	terminal, shop, apiBase     *widget.Entry
	lang, token                 *widget.Select
	offline                     *widget.Check
	maxPending, maxFace, maxAge *widget.Entry
	lookupWait                  *widget.Entry
	types                       *widget.CheckGroup
	prefix, minLen              *widget.Entry
	serialPort, camDevice       *widget.SelectEntry
	baud, lineEnd               *widget.Select
	camFile                     *widget.Entry
	prKind, paper               *widget.Select
	prAddr                      *widget.Entry
}

func newSettingsView(s *screen, sess auth.Session) *settingsView {
	return &settingsView{s: s, sess: sess, cur: settings.Defaults(), store: secrets.StoreNone}
}

// start loads the settings and the credential state; call it after build.
func (v *settingsView) start() { v.load() }

func (v *settingsView) t(k string, a ...any) string { return v.s.t(k, a...) }

type settingsData struct {
	ports   []string
	cameras []string
	s       settings.Settings
	sErr    error
	store   secrets.Store
	appID   string
	credErr error
}

func (v *settingsView) load() {
	run(v.s, v.s.d.Timeout, func(ctx context.Context) (settingsData, error) {
		d := settingsData{s: settings.Defaults(), store: secrets.StoreNone}
		if v.s.d.Settings != nil {
			d.s, d.sErr = v.s.d.Settings.Load(ctx)
		}
		if v.s.d.Policy != nil {
			d.s.Policy = v.s.d.Policy.Policy()
		}
		if v.s.d.SerialPorts != nil {
			d.ports, _ = v.s.d.SerialPorts(ctx) // none found is not an error worth a message
		}
		if v.s.d.Cameras != nil {
			d.cameras, _ = v.s.d.Cameras(ctx)
		}
		if v.s.d.Secrets != nil {
			c, st, err := v.s.d.Secrets.Load(ctx)
			d.store, d.appID, d.credErr = st, c.AppID, err
		}
		return d, nil
	}, func(d settingsData, _ error) {
		v.cur, v.loaded, v.store, v.appID = d.s, true, d.store, d.appID
		v.ports, v.cameras = d.ports, d.cameras
		switch {
		case d.sErr != nil && !errorsIsInvalid(d.sErr):
			v.msgTxt = v.s.errText("settings", d.sErr)
		case d.sErr != nil:
			v.msgTxt = v.t("office.settings.reset_bad")
		}
		if d.credErr != nil && d.store != secrets.StoreNone {
			v.crdTxt = v.s.errText("credentials", d.credErr)
		}
		if v.terminal != nil {
			v.serialPort.SetOptions(v.ports)
			v.camDevice.SetOptions(v.cameras)
			v.fill()
			v.showCredState()
		}
	})
}

func errorsIsInvalid(err error) bool { return len(settings.FieldErrors(err)) > 0 }

func (v *settingsView) label(k string) fyne.CanvasObject { return widget.NewLabel(v.t(k)) }

func (v *settingsView) head(k string) fyne.CanvasObject {
	return widget.NewLabelWithStyle(v.t(k), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func (v *settingsView) build() fyne.CanvasObject {
	if v.s.d.Settings == nil {
		return widget.NewLabel(v.t("office.settings.unavailable"))
	}
	// Credentials.
	v.credState = widget.NewLabel("")
	v.credState.Wrapping = fyne.TextWrapWord
	v.credMsg = widget.NewLabel(v.crdTxt)
	v.credMsg.Wrapping = fyne.TextWrapWord
	v.appIDE = widget.NewEntry()
	v.appIDE.SetPlaceHolder("AppID (wx…)")
	v.secretE = widget.NewPasswordEntry()
	v.secretE.SetPlaceHolder("AppSecret")
	v.secretE.OnSubmitted = func(string) { v.SaveCredentials(v.appIDE.Text, v.secretE.Text) }
	v.saveCred = widget.NewButton(v.t("office.settings.save_cred"), func() { v.SaveCredentials(v.appIDE.Text, v.secretE.Text) })
	if v.s.d.Secrets == nil {
		v.saveCred.Disable()
	}

	v.terminal, v.shop, v.apiBase = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	v.lang = widget.NewSelect([]string{"简体中文", "English"}, nil)
	v.token = widget.NewSelect([]string{v.t("office.settings.token_stable"), v.t("office.settings.token_classic")}, nil)

	v.offline = widget.NewCheck(v.t("office.settings.offline_on"), nil)
	v.maxPending, v.maxFace, v.maxAge, v.lookupWait = widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	var typeNames []string
	for _, t := range settings.CardTypes() {
		typeNames = append(typeNames, cardTypeText(v.s, t))
	}
	v.types = widget.NewCheckGroup(typeNames, nil)
	v.types.Horizontal = true

	v.prefix, v.minLen = widget.NewEntry(), widget.NewEntry()
	v.serialPort = widget.NewSelectEntry(v.ports)
	v.serialPort.SetPlaceHolder(v.t("office.settings.serial_none"))
	var bauds []string
	for _, b := range settings.Bauds {
		bauds = append(bauds, strconv.Itoa(b))
	}
	v.baud = widget.NewSelect(bauds, nil)
	v.lineEnd = widget.NewSelect([]string{"CR", "LF", "CR LF"}, nil)
	v.camDevice, v.camFile = widget.NewSelectEntry(v.cameras), widget.NewEntry()
	v.camDevice.SetPlaceHolder(v.t("office.settings.camera_first"))
	v.camFile.SetPlaceHolder(v.t("office.settings.camera_file_none"))

	var kinds []string
	for _, k := range settings.PrinterKinds {
		kinds = append(kinds, v.t("office.printer."+string(k)))
	}
	v.prKind = widget.NewSelect(kinds, nil)
	v.prAddr = widget.NewEntry()
	v.prAddr.SetPlaceHolder(v.t("office.settings.printer_addr_hint"))
	v.paper = widget.NewSelect([]string{"58 mm", "80 mm"}, nil)
	v.testPrint = widget.NewButton(v.t("office.settings.test_print"), v.TestPrint)
	if v.s.d.TestPrint == nil {
		v.testPrint.Hide()
	}

	v.msg = widget.NewLabel(v.msgTxt)
	v.msg.Wrapping = fyne.TextWrapWord
	v.save = widget.NewButton(v.t("office.settings.save"), v.Save)
	v.save.Importance = widget.HighImportance

	form := func(pairs ...fyne.CanvasObject) fyne.CanvasObject {
		return container.New(layout.NewFormLayout(), pairs...)
	}
	content := container.NewVBox(
		v.head("office.settings.cred_title"), v.credState,
		form(widget.NewLabel("AppID"), v.appIDE, widget.NewLabel("AppSecret"), v.secretE),
		v.saveCred, v.credMsg, widget.NewSeparator(),
		v.head("office.settings.basic_title"),
		form(v.label("office.settings.terminal"), v.terminal, v.label("office.settings.shop"), v.shop,
			v.label("office.settings.api_base"), v.apiBase, v.label("office.settings.lang"), v.lang,
			v.label("office.settings.token"), v.token),
		widget.NewSeparator(),
		v.head("office.settings.policy_title"), v.offline,
		form(v.label("office.settings.max_pending"), v.maxPending, v.label("office.settings.max_face"), v.maxFace,
			v.label("office.settings.max_age"), v.maxAge, v.label("office.settings.lookup_wait"), v.lookupWait),
		v.label("office.settings.types"), v.types,
		widget.NewSeparator(),
		v.head("office.settings.scanner_title"),
		form(v.label("office.settings.prefix"), v.prefix, v.label("office.settings.min_len"), v.minLen,
			v.label("office.settings.serial"), v.serialPort, v.label("office.settings.baud"), v.baud,
			v.label("office.settings.line_end"), v.lineEnd,
			v.label("office.settings.camera"), v.camDevice, v.label("office.settings.camera_file"), v.camFile),
		widget.NewSeparator(),
		v.head("office.settings.printer_title"),
		form(v.label("office.settings.printer_kind"), v.prKind, v.label("office.settings.printer_addr"), v.prAddr,
			v.label("office.settings.paper"), v.paper),
		v.testPrint,
	)
	v.fill()
	v.showCredState()
	return container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), v.msg, v.save), nil, nil, container.NewVScroll(content))
}

// fill puts the current settings into the widgets.
func (v *settingsView) fill() {
	s := v.cur
	v.terminal.SetText(s.Terminal)
	v.shop.SetText(s.ShopName)
	v.apiBase.SetText(s.APIBase)
	v.lang.SetSelectedIndex(max(slices.Index(i18n.Langs, s.Lang), 0))
	if s.TokenMode == settings.TokenClassic {
		v.token.SetSelectedIndex(1)
	} else {
		v.token.SetSelectedIndex(0)
	}
	v.offline.SetChecked(s.Policy.Enabled)
	v.maxPending.SetText(strconv.Itoa(s.Policy.MaxPending))
	v.maxFace.SetText(money.Fixed(s.Policy.MaxFaceValue))
	v.maxAge.SetText(strconv.FormatFloat(s.Policy.MaxAge.Hours(), 'f', -1, 64))
	v.lookupWait.SetText(strconv.FormatFloat(s.Policy.LookupWait.Seconds(), 'f', -1, 64))
	var sel []string
	for i, t := range settings.CardTypes() {
		if len(s.Policy.AllowedTypes) == 0 || slices.Contains(s.Policy.AllowedTypes, t) {
			sel = append(sel, v.types.Options[i])
		}
	}
	v.types.SetSelected(sel)
	v.prefix.SetText(s.Scanner.WedgePrefix)
	v.minLen.SetText(strconv.Itoa(s.Scanner.MinLength))
	v.serialPort.SetText(s.Scanner.SerialPort)
	v.baud.SetSelectedIndex(max(slices.Index(settings.Bauds, s.Scanner.Baud), 0))
	v.lineEnd.SetSelectedIndex(max(slices.Index(settings.LineEndings, s.Scanner.LineEnding), 0))
	v.camDevice.SetText(s.Camera.Device)
	v.camFile.SetText(s.Camera.File)
	v.prKind.SetSelectedIndex(max(slices.Index(settings.PrinterKinds, s.Printer.Kind), 0))
	v.prAddr.SetText(s.Printer.Address)
	if s.Printer.PaperWidth == 80 {
		v.paper.SetSelectedIndex(1)
	} else {
		v.paper.SetSelectedIndex(0)
	}
}

func (v *settingsView) showCredState() {
	if v.store == secrets.StoreNone {
		v.credState.SetText(v.t("office.settings.cred_none"))
		return
	}
	v.credState.SetText(v.t("office.settings.cred_set", map[string]any{
		"AppID": v.appID, "Store": v.t("office.store." + string(v.store))}))
}

// collect reads the widgets into Settings; a value that does not parse is reported by its
// label key.
func (v *settingsView) collect() (settings.Settings, []string) {
	s := v.cur
	var bad []string
	num := func(e *widget.Entry, key string) int {
		n, err := strconv.Atoi(strings.TrimSpace(e.Text))
		if err != nil {
			bad = append(bad, key)
		}
		return n
	}
	dur := func(e *widget.Entry, key string, unit time.Duration) time.Duration {
		f, err := strconv.ParseFloat(strings.TrimSpace(e.Text), 64)
		if err != nil || f < 0 {
			bad = append(bad, key)
			return 0
		}
		return time.Duration(f * float64(unit))
	}
	s.Terminal = strings.TrimSpace(v.terminal.Text)
	s.ShopName = strings.TrimSpace(v.shop.Text)
	s.APIBase = strings.TrimRight(strings.TrimSpace(v.apiBase.Text), "/")
	s.Lang = i18n.Langs[max(v.lang.SelectedIndex(), 0)]
	s.TokenMode = settings.TokenStable
	if v.token.SelectedIndex() == 1 {
		s.TokenMode = settings.TokenClassic
	}
	s.Policy.Enabled = v.offline.Checked
	s.Policy.MaxPending = num(v.maxPending, "office.settings.max_pending")
	if fen, err := money.Parse(v.maxFace.Text); err != nil {
		bad = append(bad, "office.settings.max_face")
	} else {
		s.Policy.MaxFaceValue = fen
	}
	s.Policy.MaxAge = dur(v.maxAge, "office.settings.max_age", time.Hour).Round(time.Second)
	s.Policy.LookupWait = dur(v.lookupWait, "office.settings.lookup_wait", time.Second).Round(time.Millisecond)
	s.Policy.AllowedTypes = nil
	all := settings.CardTypes()
	var allowed []wxapi.CardType
	for i, name := range v.types.Options {
		if slices.Contains(v.types.Selected, name) {
			allowed = append(allowed, all[i])
		}
	}
	switch {
	case len(allowed) == 0:
		bad = append(bad, "office.settings.types")
	case len(allowed) < len(all):
		s.Policy.AllowedTypes = allowed
	}
	s.Scanner.WedgePrefix = v.prefix.Text
	s.Scanner.MinLength = num(v.minLen, "office.settings.min_len")
	s.Scanner.SerialPort = strings.TrimSpace(v.serialPort.Text)
	s.Scanner.Baud = settings.Bauds[max(v.baud.SelectedIndex(), 0)]
	s.Scanner.LineEnding = settings.LineEndings[max(v.lineEnd.SelectedIndex(), 0)]
	s.Camera.Device = strings.TrimSpace(v.camDevice.Text)
	s.Camera.File = strings.TrimSpace(v.camFile.Text)
	s.Printer.Kind = settings.PrinterKinds[max(v.prKind.SelectedIndex(), 0)]
	s.Printer.Address = strings.TrimSpace(v.prAddr.Text)
	s.Printer.PaperWidth = 58
	if v.paper.SelectedIndex() == 1 {
		s.Printer.PaperWidth = 80
	}
	return s, bad
}

func (v *settingsView) say(text string) {
	v.msgTxt = text
	v.msg.SetText(text)
}

// Save checks the form and saves it under the manager's name.
func (v *settingsView) Save() {
	if !v.loaded {
		return
	}
	s, bad := v.collect()
	if len(bad) > 0 {
		var names []string
		for _, k := range bad {
			names = append(names, v.t(k))
		}
		v.say(v.t("office.settings.unreadable", map[string]any{"Fields": strings.Join(names, "、")}))
		return
	}
	if err := settings.Validate(s); err != nil {
		var lines []string
		for _, fe := range settings.FieldErrors(err) {
			lines = append(lines, v.t(fe.Key, map[string]any{"Value": fe.Value}))
		}
		v.say(strings.Join(lines, "\n"))
		return
	}
	v.save.Disable()
	prev := v.cur
	run(v.s, v.s.d.Timeout, func(ctx context.Context) (settings.Settings, error) {
		if s.ShopName != prev.ShopName || s.APIBase != prev.APIBase {
			if err := v.refuseWhileUnsynced(ctx); err != nil {
				return s, err
			}
		}
		if err := v.s.d.Settings.Save(ctx, v.sess.Name, s); err != nil {
			return s, err
		}
		if v.s.d.Policy != nil && !policyEqual(v.s.d.Policy.Policy(), s.Policy) {
			return s, v.s.d.Policy.SetPolicy(ctx, v.sess.Name, s.Policy)
		}
		return s, nil
	}, func(s settings.Settings, err error) {
		v.save.Enable()
		if err != nil {
			v.say(v.s.errText("save settings", err))
			return
		}
		v.cur = s
		v.say(v.t("office.settings.saved"))
		if v.s.d.OnSettingsSaved != nil {
			v.s.d.OnSettingsSaved(s)
		}
	})
}

// SaveCredentials stores AppID and AppSecret; the fields are cleared whatever happens, and the
// secret is never shown again (only the AppID and the store in use are).
func (v *settingsView) SaveCredentials(appID, secret string) {
	if v.s.d.Secrets == nil {
		return
	}
	v.secretE.SetText("")
	c := secrets.Credentials{AppID: strings.TrimSpace(appID), AppSecret: strings.TrimSpace(secret)}
	if err := secrets.Check(c); err != nil {
		v.crdTxt = v.s.errText("credentials", err)
		v.credMsg.SetText(v.crdTxt)
		return
	}
	v.saveCred.Disable()
	changing := v.appID != "" && v.appID != c.AppID
	run(v.s, v.s.d.Timeout, func(ctx context.Context) (secrets.Store, error) {
		if changing {
			if err := v.refuseWhileUnsynced(ctx); err != nil {
				return secrets.StoreNone, err
			}
		}
		st, err := v.s.d.Secrets.Save(ctx, c)
		if err != nil {
			return st, err
		}
		return st, v.s.d.Auth.Audit(ctx, v.sess, ActionCreds, c.AppID+" → "+string(st))
	}, func(st secrets.Store, err error) {
		v.saveCred.Enable()
		if err != nil {
			v.crdTxt = v.s.errText("credentials", err)
			v.credMsg.SetText(v.crdTxt)
			return
		}
		v.appIDE.SetText("")
		v.store, v.appID = st, c.AppID
		v.crdTxt = v.t("office.settings.cred_saved")
		v.credMsg.SetText(v.crdTxt)
		v.showCredState()
	})
}

// TestPrint sends a test slip to the printer as the form describes it now (saved or not).
func (v *settingsView) TestPrint() {
	if v.s.d.TestPrint == nil {
		return
	}
	s, _ := v.collect()
	p := s.Printer
	if p.Kind == settings.PrinterNone {
		v.say(v.t("office.settings.no_printer"))
		return
	}
	v.say(v.t("office.settings.printing"))
	run(v.s, v.s.d.Timeout, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, v.s.d.TestPrint(ctx, p)
	}, func(_ struct{}, err error) {
		if err != nil {
			v.say(v.s.errText("test print", err))
			return
		}
		v.say(v.t("office.settings.printed"))
	})
}

func policyEqual(a, b redeem.Policy) bool {
	return a.Enabled == b.Enabled && a.MaxPending == b.MaxPending && a.MaxFaceValue == b.MaxFaceValue &&
		a.MaxAge == b.MaxAge && a.LookupWait == b.LookupWait && slices.Equal(a.AllowedTypes, b.AllowedTypes)
}

// UnsyncedError refuses to change the shop, the API base or the AppID while redemptions wait
// to sync: they belong to the old account and would be sent to the new one (counter-ux §10).
type UnsyncedError struct{ N int }

func (e *UnsyncedError) Error() string { return "office: redemptions not yet synced" }

// refuseWhileUnsynced returns an *UnsyncedError when anything is queued or in flight.
func (v *settingsView) refuseWhileUnsynced(ctx context.Context) error {
	if v.s.d.Journal == nil {
		return nil
	}
	rows, err := v.s.d.Journal.Queue(ctx)
	if err != nil {
		return err
	}
	n := 0
	for _, r := range rows {
		if r.State == storage.StateQueued || r.State == storage.StateInFlight {
			n++
		}
	}
	if n > 0 {
		return &UnsyncedError{N: n}
	}
	return nil
}
