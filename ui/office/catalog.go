package office

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/cardpos/cardpos/auth"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/wxapi"
)

// The audit actions of the manager area.
const (
	ActionStock     = "card.stock"
	ActionVoid      = "card.void"
	ActionWhitelist = "card.whitelist"
	ActionCampaign  = "campaign.create"
	ActionCreds     = "secrets.saved"
)

// catalogView is the 卡券 tab: the catalog with refresh, stock change, voiding a code and the
// test whitelist.
type catalogView struct {
	s       *screen
	sess    auth.Session
	cards   []wxapi.Card
	sel     int
	msgText string

	list                 *widget.List
	delta, code, reason  *widget.Entry
	openIDs, usernames   *widget.Entry
	msg                  *widget.Label
	refresh, add, remove *widget.Button
	void, whitelist      *widget.Button
}

func newCatalogView(s *screen, sess auth.Session) *catalogView {
	return &catalogView{s: s, sess: sess, sel: -1}
}

// start loads the catalog; call it after build.
func (v *catalogView) start() {
	if v.s.d.Cards != nil {
		v.load(false, "")
	}
}

func (v *catalogView) t(k string, a ...any) string { return v.s.t(k, a...) }

func cardTypeText(s *screen, t wxapi.CardType) string { return s.t(redeem.CardTypeMessage(t).Key) }

func (v *catalogView) build() fyne.CanvasObject {
	if v.s.d.Cards == nil {
		return widget.NewLabel(v.t("office.catalog.unavailable"))
	}
	v.msg = widget.NewLabel(v.msgText)
	v.msg.Wrapping = fyne.TextWrapWord
	v.refresh = widget.NewButton(v.t("office.catalog.refresh"), func() { v.load(true, "") })
	v.list = widget.NewList(
		func() int { return len(v.cards) },
		func() fyne.CanvasObject {
			return container.NewGridWithColumns(4, cell(), cell(), cell(), cell())
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(v.cards) {
				return
			}
			c := v.cards[i]
			cells := o.(*fyne.Container).Objects
			cells[0].(*widget.Label).SetText(c.Base.Title)
			cells[1].(*widget.Label).SetText(cardTypeText(v.s, c.Type))
			cells[2].(*widget.Label).SetText(v.t("office.catalog.stock", map[string]any{"N": c.Base.Quantity}))
			cells[3].(*widget.Label).SetText(c.ID)
		})
	v.list.OnSelected = func(i widget.ListItemID) { v.sel = i }
	if v.sel >= 0 && v.sel < len(v.cards) {
		v.list.Select(v.sel)
	}

	v.delta = widget.NewEntry()
	v.delta.SetPlaceHolder(v.t("office.catalog.delta"))
	v.add = widget.NewButton(v.t("office.catalog.add"), func() { v.Stock(v.delta.Text, 1) })
	v.remove = widget.NewButton(v.t("office.catalog.remove"), func() { v.Stock(v.delta.Text, -1) })

	v.code = widget.NewEntry()
	v.code.SetPlaceHolder(v.t("office.catalog.void_code"))
	v.reason = widget.NewEntry()
	v.reason.SetPlaceHolder(v.t("office.catalog.void_reason"))
	v.void = widget.NewButton(v.t("office.catalog.void"), func() {
		code, reason := strings.TrimSpace(v.code.Text), strings.TrimSpace(v.reason.Text)
		if code == "" || reason == "" || v.s.d.Window == nil {
			v.Void(code, reason)
			return
		}
		// Voiding cannot be undone: ask once more, naming the code.
		dialog.ShowConfirm(v.t("office.catalog.void"), v.t("office.catalog.void_confirm", map[string]any{"Code": code}),
			func(ok bool) {
				if ok {
					v.Void(code, reason)
				}
			}, v.s.d.Window)
	})
	v.void.Importance = widget.DangerImportance

	v.openIDs = widget.NewEntry()
	v.openIDs.SetPlaceHolder(v.t("office.catalog.openids"))
	v.usernames = widget.NewEntry()
	v.usernames.SetPlaceHolder(v.t("office.catalog.usernames"))
	v.whitelist = widget.NewButton(v.t("office.catalog.whitelist"), func() { v.Whitelist(v.openIDs.Text, v.usernames.Text) })

	bold := func(k string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(v.t(k), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	side := container.NewVBox(
		bold("office.catalog.stock_title"), v.delta, container.NewGridWithColumns(2, v.add, v.remove),
		widget.NewSeparator(),
		bold("office.catalog.void_title"), v.code, v.reason, v.void,
		widget.NewSeparator(),
		bold("office.catalog.whitelist_title"), v.openIDs, v.usernames, v.whitelist,
		v.msg)
	split := container.NewHSplit(container.NewBorder(container.NewBorder(nil, nil, nil, v.refresh, bold("office.catalog.title")), nil, nil, nil, v.list),
		container.NewVScroll(side))
	split.SetOffset(0.58)
	return split
}

func (v *catalogView) say(text string) {
	v.msgText = text
	if v.msg != nil {
		v.msg.SetText(text)
	}
}

// load fetches the catalog; done, when not empty, is said instead of the card count.
func (v *catalogView) load(refresh bool, done string) {
	v.say(v.t("office.loading"))
	run(v.s, v.s.d.Timeout, func(ctx context.Context) ([]wxapi.Card, error) {
		return v.s.d.Cards.Cards(ctx, refresh)
	}, func(cards []wxapi.Card, err error) {
		if err != nil {
			v.say(v.s.errText("catalog", err))
			return
		}
		v.cards = cards
		if v.sel >= len(cards) {
			v.sel = -1
		}
		if v.list != nil {
			v.list.Refresh()
		}
		if done == "" {
			done = v.t("office.catalog.loaded", map[string]any{"N": len(cards)})
		}
		v.say(done)
	})
}

// Stock changes the selected card's stock by sign × the typed amount.
func (v *catalogView) Stock(amount string, sign int64) {
	if v.sel < 0 || v.sel >= len(v.cards) {
		v.say(v.t("office.catalog.pick"))
		return
	}
	n, err := strconv.ParseInt(strings.TrimSpace(amount), 10, 64)
	if err != nil || n <= 0 || n > 1_000_000 {
		v.say(v.t("office.catalog.bad_delta"))
		return
	}
	card := v.cards[v.sel]
	delta := sign * n
	run(v.s, v.s.d.Timeout, func(ctx context.Context) (struct{}, error) {
		if err := v.s.d.Cards.ModifyStock(ctx, card.ID, delta); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, v.s.d.Auth.Audit(ctx, v.sess, ActionStock, fmt.Sprintf("%s %+d", card.ID, delta))
	}, func(_ struct{}, err error) {
		if err != nil {
			v.say(v.s.errText("stock", err))
			return
		}
		v.delta.SetText("")
		v.load(false, v.t("office.catalog.stock_done", map[string]any{"Title": card.Base.Title, "Delta": fmt.Sprintf("%+d", delta)}))
	})
}

// Void makes one code unavailable for a reason (both needed), for the selected card if any.
func (v *catalogView) Void(code, reason string) {
	code, reason = strings.TrimSpace(code), strings.TrimSpace(reason)
	if code == "" || reason == "" {
		v.say(v.t("office.catalog.void_need"))
		return
	}
	cardID := ""
	if v.sel >= 0 && v.sel < len(v.cards) {
		cardID = v.cards[v.sel].ID
	}
	run(v.s, v.s.d.Timeout, func(ctx context.Context) (struct{}, error) {
		if err := v.s.d.Cards.UnavailableCode(ctx, cardID, code, reason); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, v.s.d.Auth.Audit(ctx, v.sess, ActionVoid, fmt.Sprintf("%s %s: %s", cardID, code, reason))
	}, func(_ struct{}, err error) {
		if err != nil {
			v.say(v.s.errText("void", err))
			return
		}
		v.code.SetText("")
		v.reason.SetText("")
		v.say(v.t("office.catalog.void_done", map[string]any{"Code": code}))
	})
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\n' }) {
		out = append(out, f)
	}
	return out
}

// Whitelist sets the test whitelist from comma-separated openids and WeChat usernames.
func (v *catalogView) Whitelist(openIDs, usernames string) {
	ids, names := splitList(openIDs), splitList(usernames)
	if len(ids)+len(names) == 0 {
		v.say(v.t("office.catalog.whitelist_need"))
		return
	}
	run(v.s, v.s.d.Timeout, func(ctx context.Context) (struct{}, error) {
		if err := v.s.d.Cards.SetTestWhitelist(ctx, ids, names); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, v.s.d.Auth.Audit(ctx, v.sess, ActionWhitelist, strings.Join(append(ids, names...), ","))
	}, func(_ struct{}, err error) {
		if err != nil {
			v.say(v.s.errText("whitelist", err))
			return
		}
		v.say(v.t("office.catalog.whitelist_done", map[string]any{"N": len(ids) + len(names)}))
	})
}
