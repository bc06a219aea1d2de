// Package campaign dispatches WeChat card QR codes (card/qrcode/create) for in-store campaigns,
// keeps them in storage so they can be listed and reprinted, and lays them out as posters: A4 and
// A5 posters, an A6 card, a folded A6 table tent and a till sticker, rendered to PDF (fpdf) and to
// PNG (x/image) from one layout with the embedded CJK font. It imports no Fyne.
package campaign

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/printer"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
)

// Errors callers branch on. ErrorKey gives the translation key for each.
var (
	ErrNoCards        = errors.New("campaign: no card id")
	ErrTooManyCards   = errors.New("campaign: too many cards for one code")
	ErrBadExpiry      = errors.New("campaign: expiry must be 0 (permanent) or 60–1800 seconds")
	ErrDuplicateScene = errors.New("campaign: scene given twice")
	ErrSceneTooLong   = errors.New("campaign: scene too long")
	ErrUnknownSize    = errors.New("campaign: unknown poster size")
	ErrUnknownFormat  = errors.New("campaign: unknown output format")
	ErrPNGOnePage     = errors.New("campaign: a png holds one page; use pdf for several scenes")
	ErrEmptyURL       = errors.New("campaign: WeChat returned no url to encode")
	ErrNoPages        = errors.New("campaign: nothing to render")
	ErrFontNotLoaded  = errors.New("campaign: the CJK font did not load")
)

// MaxCards is the most cards one QR_MULTIPLE_CARD code carries (WeChat's limit, as documented).
const MaxCards = 5

// MaxSceneLen is the longest scene value (outer_str) accepted, in bytes.
const MaxSceneLen = 128

// ErrorKey returns the translation key (campaign.err.*) for an error of this package, or "" for
// any other error.
func ErrorKey(err error) string {
	for _, e := range []struct {
		err error
		key string
	}{
		{ErrNoCards, "campaign.err.no_cards"}, {ErrTooManyCards, "campaign.err.too_many_cards"},
		{ErrBadExpiry, "campaign.err.bad_expiry"}, {ErrDuplicateScene, "campaign.err.duplicate_scene"},
		{ErrSceneTooLong, "campaign.err.scene_too_long"}, {ErrUnknownSize, "campaign.err.unknown_size"},
		{ErrUnknownFormat, "campaign.err.unknown_format"}, {ErrPNGOnePage, "campaign.err.png_one_page"},
		{ErrEmptyURL, "campaign.err.empty_url"}, {ErrNoPages, "campaign.err.no_pages"},
		{ErrFontNotLoaded, "campaign.err.font"},
	} {
		if errors.Is(err, e.err) {
			return e.key
		}
	}
	return ""
}

// QRCreator is what campaign needs from WeChat; *wxapi.Client satisfies it.
type QRCreator interface {
	CreateQRCode(ctx context.Context, req wxapi.QRCodeRequest) (*wxapi.QRCode, error)
	GetCard(ctx context.Context, cardID string) (*wxapi.Card, error)
}

// Store keeps campaigns; *storage.DB satisfies it.
type Store interface {
	SaveCampaign(ctx context.Context, c *storage.Campaign) error
	Campaigns(ctx context.Context) ([]storage.Campaign, error)
	CampaignByID(ctx context.Context, id int64) (*storage.Campaign, error)
}

// Format is a poster output format.
type Format string

// The output formats.
const (
	FormatPDF Format = "pdf"
	FormatPNG Format = "png"
)

// FormatFromPath picks the format from a file name's extension: .png is PNG, anything else PDF.
func FormatFromPath(path string) Format {
	if strings.EqualFold(filepath.Ext(path), ".png") {
		return FormatPNG
	}
	return FormatPDF
}

// Options configures a Service. Zero values give: i18n.Default(), posters in zh-CN, dates in
// time.Local, time.Now, the embedded font.
type Options struct {
	Catalog  *i18n.Catalog
	Lang     i18n.Lang      // the posters' language (customers read them), not the UI's
	Location *time.Location // the zone validity dates are shown in
	Now      func() time.Time
	Font     *Font
}

// Service creates dispatch codes and renders posters. It is safe for concurrent use when its
// QRCreator and Store are.
type Service struct {
	api   QRCreator
	store Store
	cat   *i18n.Catalog
	lang  i18n.Lang
	loc   *time.Location
	now   func() time.Time
	font  *Font
}

// New returns a Service over api and store. It parses the poster font once.
func New(api QRCreator, store Store, opt Options) (*Service, error) {
	s := &Service{api: api, store: store, cat: opt.Catalog, lang: opt.Lang, loc: opt.Location, now: opt.Now, font: opt.Font}
	if s.cat == nil {
		s.cat = i18n.Default()
	}
	if s.lang == "" {
		s.lang = i18n.ZH
	}
	if s.loc == nil {
		s.loc = time.Local
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.font == nil {
		f, err := DefaultFont()
		if err != nil {
			return nil, err
		}
		s.font = f
	}
	return s, nil
}

// CreateRequest asks for one dispatch code.
type CreateRequest struct {
	Name          string   // what managers call it; the scene when empty
	CardIDs       []string // one → QR_CARD, 2–5 → QR_MULTIPLE_CARD
	Scene         string   // outer_str, echoed back in claim events
	ExpireSeconds int      // 0 = permanent (default), else 60–1800
	Unique        bool     // is_unique_code: every scan gets a fresh code
	CreatedBy     string
}

func validate(cards []string, expire int, scenes ...string) error {
	if len(cards) == 0 {
		return ErrNoCards
	}
	for _, c := range cards {
		if strings.TrimSpace(c) == "" {
			return ErrNoCards
		}
	}
	if len(cards) > MaxCards {
		return fmt.Errorf("%w: %d, at most %d", ErrTooManyCards, len(cards), MaxCards)
	}
	if expire != 0 && (expire < 60 || expire > 1800) {
		return fmt.Errorf("%w: %d", ErrBadExpiry, expire)
	}
	seen := map[string]bool{}
	for _, sc := range scenes {
		if len(sc) > MaxSceneLen {
			return fmt.Errorf("%w: %q", ErrSceneTooLong, sc)
		}
		if seen[sc] {
			return fmt.Errorf("%w: %q", ErrDuplicateScene, sc)
		}
		seen[sc] = true
	}
	return nil
}

// Create asks WeChat for a dispatch code and saves it as a campaign.
func (s *Service) Create(ctx context.Context, req CreateRequest) (*storage.Campaign, error) {
	if err := validate(req.CardIDs, req.ExpireSeconds, req.Scene); err != nil {
		return nil, err
	}
	return s.create(ctx, req)
}

func (s *Service) create(ctx context.Context, req CreateRequest) (*storage.Campaign, error) {
	qr := wxapi.QRCodeRequest{ExpireSeconds: req.ExpireSeconds}
	for _, id := range req.CardIDs {
		qr.Cards = append(qr.Cards, wxapi.QRCard{CardID: id, IsUniqueCode: req.Unique, OuterStr: req.Scene})
	}
	code, err := s.api.CreateQRCode(ctx, qr)
	if err != nil {
		return nil, fmt.Errorf("campaign: create qr code: %w", err)
	}
	if code == nil || code.URL == "" {
		return nil, ErrEmptyURL
	}
	name := req.Name
	if name == "" {
		name = req.Scene
	}
	c := &storage.Campaign{
		Name:          name,
		CardIDs:       append([]string(nil), req.CardIDs...),
		Scene:         req.Scene,
		Ticket:        code.Ticket,
		URL:           code.URL,
		ExpireSeconds: req.ExpireSeconds,
		Unique:        req.Unique,
		CreatedBy:     req.CreatedBy,
		CreatedAt:     s.now().UTC().UnixMilli(),
	}
	if err := s.store.SaveCampaign(ctx, c); err != nil {
		return nil, fmt.Errorf("campaign: save: %w", err)
	}
	return c, nil
}

// Campaigns lists the saved campaigns, newest first.
func (s *Service) Campaigns(ctx context.Context) ([]storage.Campaign, error) {
	return s.store.Campaigns(ctx)
}

// PosterRequest asks for one code per scene and a poster page for each.
type PosterRequest struct {
	Name          string   // campaign name; each campaign is named "Name scene" (or the scene)
	CardIDs       []string // the card(s) every code dispatches
	Scenes        []string // one page per scene (table-01 … table-30); none = one page without scene
	Size          Size     // a4 | a5 | a6 | tent | sticker; "" = a4
	ExpireSeconds int      // 0 = permanent
	Unique        bool
	CreatedBy     string
}

// Poster creates one dispatch code per scene, saves each campaign and writes the posters to w:
// a PDF with one page per scene, or a PNG of the single page. Everything is checked and the
// cards are fetched before the first code is made. If rendering fails after codes were made, the
// saved campaigns are returned with the error so they can be reprinted.
func (s *Service) Poster(ctx context.Context, req PosterRequest, w io.Writer, format Format) ([]storage.Campaign, error) {
	size, err := defaultSize(req.Size)
	if err != nil {
		return nil, err
	}
	scenes := req.Scenes
	if len(scenes) == 0 {
		scenes = []string{""}
	}
	if err := checkFormat(format, len(scenes)); err != nil {
		return nil, err
	}
	if err := validate(req.CardIDs, req.ExpireSeconds, scenes...); err != nil {
		return nil, err
	}
	cards, err := s.cards(ctx, req.CardIDs)
	if err != nil {
		return nil, err
	}
	made := make([]storage.Campaign, 0, len(scenes))
	for _, sc := range scenes {
		name := strings.TrimSpace(req.Name + " " + sc)
		c, err := s.create(ctx, CreateRequest{Name: name, CardIDs: req.CardIDs, Scene: sc,
			ExpireSeconds: req.ExpireSeconds, Unique: req.Unique, CreatedBy: req.CreatedBy})
		if err != nil {
			return made, err
		}
		made = append(made, *c)
	}
	return made, s.render(made, cards, size, w, format)
}

// Reprint renders saved campaigns again (one page each), fetching their cards for the words.
func (s *Service) Reprint(ctx context.Context, ids []int64, size Size, w io.Writer, format Format) ([]storage.Campaign, error) {
	size, err := defaultSize(size)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, ErrNoPages
	}
	if err := checkFormat(format, len(ids)); err != nil {
		return nil, err
	}
	list := make([]storage.Campaign, 0, len(ids))
	cards := map[string]*wxapi.Card{}
	for _, id := range ids {
		c, err := s.store.CampaignByID(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("campaign: reprint %d: %w", id, err)
		}
		got, err := s.cards(ctx, c.CardIDs)
		if err != nil {
			return nil, err
		}
		for k, v := range got {
			cards[k] = v
		}
		list = append(list, *c)
	}
	return list, s.render(list, cards, size, w, format)
}

// Preview renders a saved campaign as an image at dpi (PreviewDPI when 0), for the UI.
func (s *Service) Preview(ctx context.Context, id int64, size Size, dpi float64) (*image.RGBA, error) {
	size, err := defaultSize(size)
	if err != nil {
		return nil, err
	}
	c, err := s.store.CampaignByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("campaign: preview %d: %w", id, err)
	}
	cards, err := s.cards(ctx, c.CardIDs)
	if err != nil {
		return nil, err
	}
	pages, err := s.pages([]storage.Campaign{*c}, cards, size)
	if err != nil {
		return nil, err
	}
	return RenderImage(pages[0], s.font, dpi)
}

func defaultSize(z Size) (Size, error) {
	if z == "" {
		return SizeA4, nil
	}
	return ParseSize(string(z))
}

func checkFormat(f Format, pages int) error {
	switch f {
	case FormatPDF:
		return nil
	case FormatPNG:
		if pages > 1 {
			return ErrPNGOnePage
		}
		return nil
	}
	return fmt.Errorf("%w: %q", ErrUnknownFormat, f)
}

func (s *Service) cards(ctx context.Context, ids []string) (map[string]*wxapi.Card, error) {
	out := map[string]*wxapi.Card{}
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		c, err := s.api.GetCard(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("campaign: get card %s: %w", id, err)
		}
		out[id] = c
	}
	return out, nil
}

func (s *Service) pages(list []storage.Campaign, cards map[string]*wxapi.Card, size Size) ([]Page, error) {
	pages := make([]Page, 0, len(list))
	for _, c := range list {
		cs := make([]*wxapi.Card, 0, len(c.CardIDs))
		for _, id := range c.CardIDs {
			cs = append(cs, cards[id])
		}
		content, err := ContentFor(c, cs, s.cat, s.lang, s.loc)
		if err != nil {
			return nil, err
		}
		p, err := Layout(size, content, s.font)
		if err != nil {
			return nil, err
		}
		pages = append(pages, p)
	}
	return pages, nil
}

func (s *Service) render(list []storage.Campaign, cards map[string]*wxapi.Card, size Size, w io.Writer, format Format) error {
	pages, err := s.pages(list, cards, size)
	if err != nil {
		return err
	}
	if format == FormatPNG {
		return WritePNG(w, pages[0], s.font, PreviewDPI)
	}
	return WritePDF(w, pages, s.font)
}

// Slip returns the receipt-printer version of a saved campaign: the same words as its poster and
// its url, for printer.CampaignSlip.Encode.
func (s *Service) Slip(ctx context.Context, id int64) (printer.CampaignSlip, error) {
	c, err := s.store.CampaignByID(ctx, id)
	if err != nil {
		return printer.CampaignSlip{}, fmt.Errorf("campaign: slip %d: %w", id, err)
	}
	cards, err := s.cards(ctx, c.CardIDs)
	if err != nil {
		return printer.CampaignSlip{}, err
	}
	cs := make([]*wxapi.Card, 0, len(c.CardIDs))
	for _, id := range c.CardIDs {
		cs = append(cs, cards[id])
	}
	content, err := ContentFor(*c, cs, s.cat, s.lang, s.loc)
	if err != nil {
		return printer.CampaignSlip{}, err
	}
	return printer.CampaignSlip{Brand: content.Brand, Title: content.Title, Value: content.Value,
		Validity: content.Validity, Scene: c.Scene, URL: c.URL}, nil
}
