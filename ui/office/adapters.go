package office

import (
	"context"
	"errors"
	"image"
	"io"
	"time"

	"github.com/cardpos/cardpos/auth"
	"github.com/cardpos/cardpos/campaign"
	"github.com/cardpos/cardpos/i18n"
	"github.com/cardpos/cardpos/printer"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/secrets"
	"github.com/cardpos/cardpos/settings"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
)

// The services main wires satisfy the interfaces as they are; these lines fail the build when
// a contract drifts.
var (
	_ Journal       = (*redeem.Service)(nil)
	_ PolicyEngine  = (*redeem.Service)(nil)
	_ Authenticator = (*auth.Service)(nil)
	_ SettingsStore = (*settings.Store)(nil)
	_ SecretStore   = (*secrets.Vault)(nil)
	_ CardAdmin     = CardService{}
	_ CampaignMaker = CampaignService{}
)

// CardCatalog is the catalog half of CardAdmin (*redeem.Service).
type CardCatalog interface {
	Cards(ctx context.Context, refresh bool) ([]wxapi.Card, error)
}

// CardAPI is the management half of CardAdmin (*wxapi.Client).
type CardAPI interface {
	ModifyStock(ctx context.Context, cardID string, delta int64) error
	UnavailableCode(ctx context.Context, cardID, code, reason string) error
	SetTestWhitelist(ctx context.Context, openIDs, usernames []string) error
}

// CardService joins the engine's catalog and the WeChat client into a CardAdmin.
type CardService struct {
	Catalog CardCatalog
	API     CardAPI
}

// Cards lists the catalog, fetching it from WeChat first when refresh is set.
func (c CardService) Cards(ctx context.Context, refresh bool) ([]wxapi.Card, error) {
	return c.Catalog.Cards(ctx, refresh)
}

// ModifyStock changes a card's stock at WeChat.
func (c CardService) ModifyStock(ctx context.Context, cardID string, delta int64) error {
	return c.API.ModifyStock(ctx, cardID, delta)
}

// UnavailableCode voids a code at WeChat.
func (c CardService) UnavailableCode(ctx context.Context, cardID, code, reason string) error {
	return c.API.UnavailableCode(ctx, cardID, code, reason)
}

// SetTestWhitelist sets WeChat's test whitelist.
func (c CardService) SetTestWhitelist(ctx context.Context, openIDs, usernames []string) error {
	return c.API.SetTestWhitelist(ctx, openIDs, usernames)
}

// CampaignService adapts *campaign.Service to CampaignMaker: posters in Size ("" = A4),
// previews at DPI (0 = campaign's preview resolution).
type CampaignService struct {
	Service *campaign.Service
	Size    campaign.Size
	DPI     float64
}

// Campaigns lists the saved campaigns.
func (c CampaignService) Campaigns(ctx context.Context) ([]storage.Campaign, error) {
	return c.Service.Campaigns(ctx)
}

// Create asks WeChat for a dispatch QR code and saves the campaign.
func (c CampaignService) Create(ctx context.Context, r CampaignRequest) (*storage.Campaign, error) {
	return c.Service.Create(ctx, campaign.CreateRequest{Name: r.Name, CardIDs: r.CardIDs, Scene: r.Scene,
		ExpireSeconds: r.ExpireSeconds, Unique: r.Unique, CreatedBy: r.CreatedBy})
}

// Preview renders a saved campaign's poster.
func (c CampaignService) Preview(ctx context.Context, id int64) (image.Image, error) {
	img, err := c.Service.Preview(ctx, id, c.Size, c.DPI)
	if err != nil {
		return nil, err
	}
	return img, nil
}

// PDF writes a saved campaign's poster as PDF.
func (c CampaignService) PDF(ctx context.Context, id int64, w io.Writer) error {
	_, err := c.Service.Reprint(ctx, []int64{id}, c.Size, w, campaign.FormatPDF)
	return err
}

// PNG writes a saved campaign's poster as PNG.
func (c CampaignService) PNG(ctx context.Context, id int64, w io.Writer) error {
	_, err := c.Service.Reprint(ctx, []int64{id}, c.Size, w, campaign.FormatPNG)
	return err
}

// ErrNoPrinter says the printer setting is "none".
var ErrNoPrinter = errors.New("office: no printer configured")

// TestPrinter returns a Deps.TestPrint that sends printer.TestPage, in the language lang returns
// at call time, to the printer a settings.Printer describes.
func TestPrinter(cat *i18n.Catalog, lang func() i18n.Lang, loc *time.Location) func(context.Context, settings.Printer) error {
	return func(ctx context.Context, p settings.Printer) error {
		target := p.Target()
		if target == "" {
			return ErrNoPrinter
		}
		prof := printer.Paper58
		if p.PaperWidth == 80 {
			prof = printer.Paper80
		}
		job, err := printer.TestPage(prof, printer.Words{Catalog: cat, Lang: lang(), Loc: loc}, time.Now().Unix())
		if err != nil {
			return err
		}
		return printer.Send(ctx, target, job)
	}
}
