package office

import (
	"bytes"
	"context"
	"fmt"
	"github.com/cardpos/cardpos/money"
	"io"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/report"
	jstorage "github.com/cardpos/cardpos/storage"
)

// Range is how far back the history screen looks.
type Range int

// The ranges offered; Today is the default.
const (
	RangeToday Range = iota
	Range7Days
	Range30Days
)

// History is the 核销记录 screen (F4): today's redemptions by default, searchable by code,
// filtered by state group, with a per-card shift summary and CSV export.
type History struct {
	screen
	rows   []jstorage.Redemption // everything loaded for the range, newest first
	shown  []jstorage.Redemption
	filter report.Filter
	rng    Range
	status string

	search  *widget.Entry
	group   *widget.Select
	period  *widget.Select
	list    *widget.List
	summary *widget.Label
	info    *widget.Label
	export  *widget.Button
	reload  *widget.Button
}

// NewHistory builds the history screen and starts loading today's rows.
func NewHistory(d Deps) *History {
	h := &History{screen: newScreen(d)}
	h.build()
	h.Reload()
	return h
}

// Refresh re-renders the words in the current language and reloads.
func (h *History) Refresh() {
	h.build()
	h.Reload()
}

func (h *History) groupOptions() []string {
	opts := []string{h.t("office.history.all")}
	for _, g := range report.Groups {
		opts = append(opts, h.t(g.Key()))
	}
	return opts
}

func (h *History) build() {
	h.search = widget.NewEntry()
	h.search.SetPlaceHolder(h.t("office.history.search"))
	h.search.SetText(h.filter.Code)
	h.search.OnChanged = func(s string) { h.filter.Code = s; h.apply() }
	h.search.OnSubmitted = func(string) { h.apply() }

	h.group = widget.NewSelect(h.groupOptions(), nil)
	sel := 0
	if len(h.filter.Groups) == 1 {
		for i, g := range report.Groups {
			if g == h.filter.Groups[0] {
				sel = i + 1
			}
		}
	}
	h.group.SetSelectedIndex(sel)
	h.group.OnChanged = func(string) {
		i := h.group.SelectedIndex()
		if i <= 0 {
			h.filter.Groups = nil
		} else {
			h.filter.Groups = []report.Group{report.Groups[i-1]}
		}
		h.apply()
	}

	h.period = widget.NewSelect([]string{h.t("office.history.today"), h.t("office.history.7days"), h.t("office.history.30days")}, nil)
	h.period.SetSelectedIndex(int(h.rng))
	h.period.OnChanged = func(string) {
		if r := Range(h.period.SelectedIndex()); r != h.rng {
			h.rng = r
			h.Reload()
		}
	}

	h.reload = widget.NewButton(h.t("office.history.reload"), h.Reload)
	h.export = widget.NewButton(h.t("office.history.export"), h.ShowExport)

	h.list = widget.NewList(
		func() int { return len(h.shown) },
		func() fyne.CanvasObject {
			return container.NewGridWithColumns(6, cell(), cell(), cell(),
				cell(), cell(), cell())
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(h.shown) {
				return
			}
			cells := o.(*fyne.Container).Objects
			for j, s := range h.rowCells(h.shown[i]) {
				cells[j].(*widget.Label).SetText(s)
			}
		})
	header := container.NewGridWithColumns(6)
	for _, k := range []string{"office.col.time", "office.col.card", "office.col.code", "office.col.value", "office.col.cashier", "office.col.state"} {
		header.Add(widget.NewLabelWithStyle(h.t(k), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	h.summary = widget.NewLabel("")
	h.summary.Wrapping = fyne.TextWrapWord
	h.info = widget.NewLabel(h.status)

	bar := container.NewBorder(nil, nil, nil, container.NewHBox(h.period, h.group, h.reload, h.export), h.search)
	top := container.NewVBox(widget.NewLabelWithStyle(h.t(TitleHistory), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), bar, h.info)
	// The summary wraps, so it is the scroll's only content: a wrapped label inside a VBox keeps
	// whatever height it had before it knew its width.
	side := container.NewBorder(widget.NewLabelWithStyle(h.t("office.summary.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		nil, nil, nil, container.NewVScroll(h.summary))
	body := container.NewHSplit(container.NewBorder(header, nil, nil, nil, h.list), side)
	body.SetOffset(0.68)
	h.set(container.NewBorder(top, nil, nil, nil, body))
	h.apply()
}

func (h *History) rowCells(r jstorage.Redemption) []string {
	value := ""
	if r.FaceValue > 0 {
		value = "¥" + money.Fixed(r.FaceValue)
	}
	state := h.t(report.GroupOf(r.State).Key())
	if r.Offline && report.GroupOf(r.State) == report.GroupSynced {
		state += " " + h.t("office.history.was_offline")
	}
	layout := "01-02 15:04" // the date matters beyond today
	if h.rng == RangeToday {
		layout = "15:04:05"
	}
	return []string{
		time.UnixMilli(r.CreatedAt).In(h.d.Loc).Format(layout),
		r.Title,
		"••" + redeem.Last4(r.Code),
		value,
		r.Cashier,
		state,
	}
}

func (h *History) since() time.Time {
	day := report.StartOfDay(h.d.Now(), h.d.Loc)
	switch h.rng {
	case Range7Days:
		return day.AddDate(0, 0, -6)
	case Range30Days:
		return day.AddDate(0, 0, -29)
	}
	return day
}

// Reload fetches the rows of the chosen range again.
func (h *History) Reload() {
	h.status = h.t("office.loading")
	h.info.SetText(h.status)
	since := h.since()
	run(&h.screen, h.d.Timeout, func(ctx context.Context) ([]jstorage.Redemption, error) {
		return h.d.Journal.History(ctx, since)
	}, func(rows []jstorage.Redemption, err error) {
		if err != nil {
			h.status = h.errText("history", err)
			h.info.SetText(h.status)
			return
		}
		h.rows = rows
		h.status = ""
		h.apply()
	})
}

// apply filters the loaded rows and renders the list, the count line and the summary.
func (h *History) apply() {
	if h.list == nil {
		return
	}
	h.shown = h.filter.Apply(h.rows)
	h.list.Refresh()
	if h.status == "" {
		h.info.SetText(h.t("office.history.count", map[string]any{"Shown": len(h.shown), "Total": len(h.rows)}))
	}
	h.summary.SetText(h.summaryText(report.Summarize(h.shown)))
}

func (h *History) summaryText(s report.Summary) string {
	if len(s.Cards) == 0 {
		return h.t("office.summary.empty")
	}
	var b bytes.Buffer
	for _, c := range s.Cards {
		title := c.Title
		if title == "" {
			title = c.CardID
		}
		fmt.Fprintf(&b, "%s\n  %s\n", title, h.t("office.summary.line", cardArgs(c)))
	}
	fmt.Fprintf(&b, "\n%s\n  %s", h.t("office.summary.total"), h.t("office.summary.line", cardArgs(s.Total)))
	return b.String()
}

func cardArgs(c report.CardTotal) map[string]any {
	return map[string]any{"Synced": c.Synced, "Pending": c.Pending, "Attention": c.Attention,
		"Rejected": c.Rejected, "Yuan": money.Fixed(c.FaceValue)}
}

// Shown returns the rows the list shows now (after search and filter).
func (h *History) Shown() []jstorage.Redemption { return h.shown }

// SetFilter sets the search text and group filter, as typing and choosing would.
func (h *History) SetFilter(f report.Filter) {
	h.filter = f
	h.build()
}

// FocusSearch puts the keyboard focus in the search field.
func (h *History) FocusSearch() {
	if c := fyne.CurrentApp().Driver().CanvasForObject(h.search); c != nil {
		c.Focus(h.search)
	}
}

// ExportCSV writes the shown rows as CSV (report.WriteCSV, with a BOM for Excel, times in the
// screen's zone).
func (h *History) ExportCSV(w io.Writer) error {
	return report.WriteCSV(w, h.shown, report.CSVOptions{Loc: h.d.Loc, BOM: true})
}

// ShowExport opens a save dialog and writes the shown rows as CSV to the chosen file.
func (h *History) ShowExport() {
	if h.d.Window == nil {
		return
	}
	name := "cardpos-" + h.d.Now().In(h.d.Loc).Format("20060102-1504") + ".csv"
	rows := h.shown
	save := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		werr := report.WriteCSV(wc, rows, report.CSVOptions{Loc: h.d.Loc, BOM: true})
		if cerr := wc.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			dialog.ShowInformation(h.t("office.history.export"), h.errText("export", werr), h.d.Window)
			return
		}
		h.info.SetText(h.t("office.history.exported", map[string]any{"N": len(rows), "File": wc.URI().Name()}))
	}, h.d.Window)
	save.SetFileName(name)
	save.SetFilter(storage.NewExtensionFileFilter([]string{".csv"}))
	save.Show()
}
