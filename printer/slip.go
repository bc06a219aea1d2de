package printer

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/storage"
)

// Profile describes a receipt printer.
type Profile struct {
	Dots     int  // printable width in dots: 384 on 58 mm paper, 576 on 80 mm
	Columns  int  // characters per line in the normal font (one Chinese character takes two)
	NativeQR bool // the printer understands GS ( k; otherwise QR codes go as raster images
}

// The two common paper widths. Both assume GS ( k, which nearly every printer sold since 2012 has.
var (
	Paper80 = Profile{Dots: 576, Columns: 48, NativeQR: true}
	Paper58 = Profile{Dots: 384, Columns: 32, NativeQR: true}
)

// Words renders slip labels: the catalog and the language slips are printed in.
type Words struct {
	Catalog *i18n.Catalog
	Lang    i18n.Lang
	Loc     *time.Location // the zone times are printed in; time.Local when nil
}

func (w Words) t(key string, args ...any) string {
	c := w.Catalog
	if c == nil {
		c = i18n.Default()
	}
	l := w.Lang
	if l == "" {
		l = i18n.ZH
	}
	return c.In(l, key, args...)
}

func (w Words) time(unix int64) string {
	loc := w.Loc
	if loc == nil {
		loc = time.Local
	}
	return time.Unix(unix, 0).In(loc).Format("2006-01-02 15:04:05")
}

// MaskCode hides all but the end of a card code: 123456789012 → ********9012. Codes of eight
// characters or fewer keep only their last third.
func MaskCode(code string) string {
	r := []rune(code)
	keep := 4
	if len(r) <= 8 {
		keep = len(r) / 3
	}
	return strings.Repeat("*", len(r)-keep) + string(r[len(r)-keep:])
}

// RedemptionSlip is the customer's / till drawer's proof of one redemption.
type RedemptionSlip struct {
	Shop      string
	Terminal  string
	CardTitle string
	Value     string // the value line, already in words (满100减20)
	Code      string // printed masked
	At        int64  // unix seconds
	Cashier   string
	Offline   bool // accepted offline: WeChat confirms later
}

// Encode builds the ESC/POS job for the slip.
func (s RedemptionSlip) Encode(p Profile, w Words) ([]byte, error) {
	d := NewDoc().Align(Center).Size(2, 2).Bold(true).Line(s.Shop).Size(1, 1).Bold(false)
	if s.Terminal != "" {
		d.Line(w.t("printer.slip.terminal", map[string]any{"Terminal": s.Terminal}))
	}
	d.Line(rule(p)).Align(Left)
	d.Line(w.t("printer.slip.card", map[string]any{"Card": s.CardTitle}))
	if s.Value != "" {
		d.Line(w.t("printer.slip.value", map[string]any{"Value": s.Value}))
	}
	d.Line(w.t("printer.slip.code", map[string]any{"Code": MaskCode(s.Code)}))
	d.Line(w.t("printer.slip.time", map[string]any{"Time": w.time(s.At)}))
	d.Line(w.t("printer.slip.cashier", map[string]any{"Cashier": s.Cashier}))
	d.Line(rule(p)).Align(Center).Size(2, 2).Bold(true)
	if s.Offline {
		d.Line(w.t("printer.slip.offline")).Size(1, 1).Bold(false).Line(w.t("printer.slip.offline_note"))
	} else {
		d.Line(w.t("printer.slip.redeemed")).Size(1, 1).Bold(false)
	}
	return d.Feed(3).Cut().Bytes()
}

// CampaignSlip is a dispatch QR code on receipt paper, for handing to a customer at the till.
type CampaignSlip struct {
	Brand    string
	Title    string
	Value    string
	Validity string
	Scene    string
	URL      string // what the QR encodes
}

// Encode builds the ESC/POS job: words, then the code (GS ( k at module size 8 and level M, or a
// raster image of the same code when the printer has no QR generator), then the call to action.
func (s CampaignSlip) Encode(p Profile, w Words) ([]byte, error) {
	d := NewDoc().Align(Center).Size(2, 2).Bold(true).Line(s.Brand).Size(1, 1).Bold(false)
	d.Line(s.Title)
	if s.Value != "" {
		d.Size(2, 2).Bold(true).Line(s.Value).Size(1, 1).Bold(false)
	}
	d.LF()
	if p.NativeQR {
		d.QR(s.URL, QROptions{Size: 8, Level: QRLevelM})
	} else {
		d.QRImage(s.URL, 8, QRLevelM, p.Dots)
	}
	d.LF().Bold(true).Line(w.t("printer.slip.cta")).Bold(false)
	if s.Validity != "" {
		d.Line(s.Validity)
	}
	if s.Scene != "" {
		d.Line(w.t("printer.slip.scene", map[string]any{"Scene": s.Scene}))
	}
	return d.Feed(3).Cut().Bytes()
}

// TestPage is the job the settings screen's "test print" sends: a heading, Chinese text, the
// paper width ruler, a QR code and a cut, so one glance shows GBK, QR support and the width.
func TestPage(p Profile, w Words, at int64) ([]byte, error) {
	d := NewDoc().Align(Center).Size(2, 2).Bold(true).Line(w.t("printer.test.title")).Size(1, 1).Bold(false)
	d.Line(w.t("printer.test.text")).Line(w.time(at)).Align(Left).Line(ruler(p.Columns)).Align(Center)
	if p.NativeQR {
		d.QR("CardPOS", QROptions{Size: 6, Level: QRLevelM})
	} else {
		d.QRImage("CardPOS", 6, QRLevelM, p.Dots)
	}
	return d.LF().Line(w.t("printer.test.done")).Feed(3).Cut().Bytes()
}

func rule(p Profile) string { return strings.Repeat("-", max(p.Columns, 8)) }

// ruler is 1234567890 repeated to the line width, to check Columns against the paper.
func ruler(cols int) string {
	var b strings.Builder
	for i := 1; i <= max(cols, 8); i++ {
		b.WriteByte(byte('0' + i%10))
	}
	return b.String()
}

// ErrNotRedeemed is returned by SlipFor for a journal row that was neither redeemed nor accepted
// offline: there is nothing to give the customer a slip for.
var ErrNotRedeemed = errors.New("printer: no slip for a redemption that was not accepted")

// SlipFor builds the slip of one journal row: redeemed when WeChat confirmed it, accepted
// offline while it waits in the queue. The journal's millisecond times become the slip's seconds.
func SlipFor(r storage.Redemption, shop string) (RedemptionSlip, error) {
	s := RedemptionSlip{Shop: shop, Terminal: r.Terminal, CardTitle: r.Title, Code: r.Code, Cashier: r.Cashier,
		At: r.CreatedAt / 1000}
	switch r.State {
	case storage.StateRedeemed:
		s.Offline = r.Offline && r.RedeemedAt == 0
	case storage.StateQueued, storage.StateInFlight:
		s.Offline = true
	default:
		return RedemptionSlip{}, fmt.Errorf("%w: state %s", ErrNotRedeemed, r.State)
	}
	return s, nil
}
