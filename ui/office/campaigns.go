package office

import (
	"context"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	fstorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/cardpos/cardpos/auth"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
)

// expiries are the QR lifetimes offered: permanent, or WeChat's 30-minute maximum.
var expiries = []int{0, 1800}

// campaignView is the 活动 tab: make a dispatch QR code for a card, preview the poster, save it
// as PDF and print it; earlier campaigns are listed for reprints.
type campaignView struct {
	s       *screen
	sess    auth.Session
	cards   []wxapi.Card
	list    []storage.Campaign
	sel     int64 // campaign id shown in the preview, 0 = none
	img     image.Image
	msgText string

	card     *widget.Select
	name     *widget.Entry
	scene    *widget.Entry
	expire   *widget.Select
	unique   *widget.Check
	create   *widget.Button
	savePDF  *widget.Button
	savePNG  *widget.Button
	print    *widget.Button
	camps    *widget.List
	preview  *canvas.Image
	msg      *widget.Label
	cardSel  int
	expirSel int
}

func newCampaignView(s *screen, sess auth.Session) *campaignView {
	return &campaignView{s: s, sess: sess, cardSel: -1}
}

// start loads the cards and campaigns; call it after build.
func (v *campaignView) start() {
	if v.s.d.Campaigns != nil {
		v.load()
	}
}

func (v *campaignView) t(k string, a ...any) string { return v.s.t(k, a...) }

func (v *campaignView) say(text string) {
	v.msgText = text
	if v.msg != nil {
		v.msg.SetText(text)
	}
}

func (v *campaignView) cardOptions() []string {
	out := make([]string, len(v.cards))
	for i, c := range v.cards {
		out[i] = fmt.Sprintf("%s (%s)", c.Base.Title, cardTypeText(v.s, c.Type))
	}
	return out
}

func (v *campaignView) build() fyne.CanvasObject {
	if v.s.d.Campaigns == nil {
		return widget.NewLabel(v.t("office.campaign.unavailable"))
	}
	v.msg = widget.NewLabel(v.msgText)
	v.msg.Wrapping = fyne.TextWrapWord
	v.card = widget.NewSelect(v.cardOptions(), func(string) { v.cardSel = v.card.SelectedIndex() })
	v.card.PlaceHolder = v.t("office.campaign.card")
	if v.cardSel >= 0 && v.cardSel < len(v.cards) {
		v.card.SetSelectedIndex(v.cardSel)
	}
	v.name = widget.NewEntry()
	v.name.SetPlaceHolder(v.t("office.campaign.name"))
	v.scene = widget.NewEntry()
	v.scene.SetPlaceHolder(v.t("office.campaign.scene"))
	v.expire = widget.NewSelect([]string{v.t("office.campaign.permanent"), v.t("office.campaign.30min")},
		func(string) { v.expirSel = v.expire.SelectedIndex() })
	v.expire.SetSelectedIndex(v.expirSel)
	v.unique = widget.NewCheck(v.t("office.campaign.unique"), nil)
	v.create = widget.NewButton(v.t("office.campaign.create"), v.Create)
	v.create.Importance = widget.HighImportance
	v.savePDF = widget.NewButton(v.t("office.campaign.save_pdf"), v.ShowSavePDF)
	v.savePNG = widget.NewButton(v.t("office.campaign.save_png"), v.ShowSavePNG)
	v.print = widget.NewButton(v.t("office.campaign.print"), v.Print)
	if v.s.d.PrintPDF == nil {
		v.print.Hide()
	}
	v.camps = widget.NewList(
		func() int { return len(v.list) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(v.list) {
				c := v.list[i]
				o.(*widget.Label).SetText(fmt.Sprintf("%s · %s", c.Name, time.UnixMilli(c.CreatedAt).In(v.s.d.Loc).Format("01-02 15:04")))
			}
		})
	v.camps.OnSelected = func(i widget.ListItemID) {
		if i < len(v.list) {
			v.show(v.list[i].ID)
		}
	}
	v.preview = canvas.NewImageFromImage(v.img)
	v.preview.FillMode = canvas.ImageFillContain
	v.preview.SetMinSize(fyne.NewSize(240, 340))
	v.syncButtons()

	form := container.NewVBox(
		widget.NewLabelWithStyle(v.t("office.campaign.new"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		v.card, v.name, v.scene, v.expire, v.unique, v.create, v.msg)
	left := container.NewBorder(form, nil, nil, nil, v.camps)
	right := container.NewBorder(nil, container.NewGridWithColumns(3, v.savePNG, v.savePDF, v.print), nil, nil, v.preview)
	split := container.NewHSplit(left, right)
	split.SetOffset(0.5)
	return split
}

func (v *campaignView) syncButtons() {
	if v.sel == 0 {
		v.savePDF.Disable()
		v.savePNG.Disable()
		v.print.Disable()
	} else {
		v.savePDF.Enable()
		v.savePNG.Enable()
		v.print.Enable()
	}
}

type campaignData struct {
	cards []wxapi.Card
	list  []storage.Campaign
}

func (v *campaignView) load() {
	run(v.s, v.s.d.Timeout, func(ctx context.Context) (campaignData, error) {
		var d campaignData
		var err error
		if v.s.d.Cards != nil {
			if d.cards, err = v.s.d.Cards.Cards(ctx, false); err != nil {
				return d, err
			}
		}
		d.list, err = v.s.d.Campaigns.Campaigns(ctx)
		return d, err
	}, func(d campaignData, err error) {
		if err != nil {
			v.say(v.s.errText("campaigns", err))
			return
		}
		v.cards, v.list = d.cards, d.list
		if v.card != nil {
			v.card.Options = v.cardOptions()
			v.card.Refresh()
			v.camps.Refresh()
		}
	})
}

// Create asks for a dispatch QR code with the form's values and previews its poster.
func (v *campaignView) Create() {
	if v.cardSel < 0 || v.cardSel >= len(v.cards) {
		v.say(v.t("office.campaign.need_card"))
		return
	}
	req := CampaignRequest{
		Name:          strings.TrimSpace(v.name.Text),
		CardIDs:       []string{v.cards[v.cardSel].ID},
		Scene:         strings.TrimSpace(v.scene.Text),
		ExpireSeconds: expiries[max(v.expirSel, 0)],
		Unique:        v.unique.Checked,
		CreatedBy:     v.sess.Name,
	}
	v.create.Disable()
	v.say(v.t("office.loading"))
	run(v.s, v.s.d.Timeout, func(ctx context.Context) (*storage.Campaign, error) {
		c, err := v.s.d.Campaigns.Create(ctx, req)
		if err != nil {
			return nil, err
		}
		return c, v.s.d.Auth.Audit(ctx, v.sess, ActionCampaign, fmt.Sprintf("%d %s %s", c.ID, c.Name, strings.Join(c.CardIDs, ",")))
	}, func(c *storage.Campaign, err error) {
		v.create.Enable()
		if err != nil {
			v.say(v.s.errText("campaign", err))
			return
		}
		v.list = append([]storage.Campaign{*c}, v.list...)
		v.camps.Refresh()
		v.say(v.t("office.campaign.created", map[string]any{"Name": c.Name}))
		v.show(c.ID)
	})
}

// show renders campaign id's poster into the preview.
func (v *campaignView) show(id int64) {
	v.sel = id
	v.syncButtons()
	run(v.s, v.s.d.Timeout, func(ctx context.Context) (image.Image, error) {
		return v.s.d.Campaigns.Preview(ctx, id)
	}, func(img image.Image, err error) {
		if err != nil {
			v.say(v.s.errText("preview", err))
			return
		}
		if v.sel != id {
			return
		}
		v.img = img
		v.preview.Image = img
		v.preview.Refresh()
	})
}

// ShowSavePDF asks for a file and writes the shown campaign's poster there as PDF.
func (v *campaignView) ShowSavePDF() { v.showSave("pdf", v.s.d.Campaigns.PDF) }

// ShowSavePNG asks for a file and writes the shown campaign's poster there as PNG.
func (v *campaignView) ShowSavePNG() { v.showSave("png", v.s.d.Campaigns.PNG) }

func (v *campaignView) showSave(ext string, write func(context.Context, int64, io.Writer) error) {
	if v.sel == 0 || v.s.d.Window == nil {
		return
	}
	id := v.sel
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		run(v.s, v.s.d.Timeout, func(ctx context.Context) (string, error) {
			perr := write(ctx, id, wc)
			if cerr := wc.Close(); perr == nil {
				perr = cerr
			}
			return wc.URI().Name(), perr
		}, func(name string, err error) {
			if err != nil {
				v.say(v.s.errText("save poster", err))
				return
			}
			v.say(v.t("office.campaign.saved", map[string]any{"File": name}))
		})
	}, v.s.d.Window)
	d.SetFileName(fmt.Sprintf("cardpos-campaign-%d.%s", id, ext))
	d.SetFilter(fstorage.NewExtensionFileFilter([]string{"." + ext}))
	d.Show()
}

// Print writes the shown campaign's poster to a temporary PDF and prints it.
func (v *campaignView) Print() {
	if v.sel == 0 || v.s.d.PrintPDF == nil {
		return
	}
	id := v.sel
	v.say(v.t("office.campaign.printing"))
	run(v.s, v.s.d.Timeout, func(ctx context.Context) (struct{}, error) {
		f, err := os.CreateTemp("", "cardpos-poster-*.pdf")
		if err != nil {
			return struct{}{}, err
		}
		path := f.Name()
		if runtime.GOOS != "windows" {
			// lp copies the file when the job is submitted; on Windows the viewer opens it
			// later, so the temporary file stays for the OS to clean.
			defer os.Remove(path)
		}
		perr := v.s.d.Campaigns.PDF(ctx, id, f)
		if cerr := f.Close(); perr == nil {
			perr = cerr
		}
		if perr != nil {
			return struct{}{}, perr
		}
		return struct{}{}, v.s.d.PrintPDF(ctx, filepath.Clean(path))
	}, func(_ struct{}, err error) {
		if err != nil {
			v.say(v.s.errText("print", err))
			return
		}
		v.say(v.t("office.campaign.printed"))
	})
}
