package office

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cardpos/cardpos/auth"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/report"
	jstorage "github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
)

// Queue is the 待同步 screen: what waits to sync and what needs a manager, with 立即同步 (F5)
// and a manager action that resolves a conflict with a note (name, PIN and note on the screen,
// checked by the Authenticator each time).
type Queue struct {
	screen
	rows     []jstorage.Redemption
	selected int64 // row id, 0 = none
	status   string
	syncing  bool

	counts  *widget.Label
	info    *widget.Label
	list    *widget.List
	detail  *widget.Label
	syncBtn *widget.Button

	mgrName *widget.Entry
	mgrPIN  *widget.Entry
	note    *widget.Entry
	resolve *widget.Button
	resMsg  *widget.Label
}

// NewQueue builds the queue screen and starts loading it.
func NewQueue(d Deps) *Queue {
	q := &Queue{screen: newScreen(d)}
	q.build()
	q.Reload()
	return q
}

// Refresh re-renders the words in the current language and reloads.
func (q *Queue) Refresh() {
	q.build()
	q.Reload()
}

func needsManager(s jstorage.State) bool {
	return s == jstorage.StateConflict || s == jstorage.StateExpired
}

func (q *Queue) build() {
	q.counts = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	q.info = widget.NewLabel(q.status)
	q.info.Wrapping = fyne.TextWrapWord
	q.syncBtn = widget.NewButton(q.t("office.queue.sync_now"), q.SyncNow)
	if q.syncing {
		q.syncBtn.Disable()
	}
	q.list = widget.NewList(
		func() int { return len(q.rows) },
		func() fyne.CanvasObject {
			return container.NewGridWithColumns(5, cell(), cell(), cell(),
				cell(), cell())
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(q.rows) {
				return
			}
			cells := o.(*fyne.Container).Objects
			for j, s := range q.rowCells(q.rows[i]) {
				cells[j].(*widget.Label).SetText(s)
			}
		})
	q.list.OnSelected = func(i widget.ListItemID) {
		if i < len(q.rows) {
			q.selected = q.rows[i].ID
			q.showDetail()
		}
	}
	header := container.NewGridWithColumns(5)
	for _, k := range []string{"office.col.time", "office.col.card", "office.col.code", "office.col.tries", "office.col.error"} {
		header.Add(widget.NewLabelWithStyle(q.t(k), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}

	q.detail = widget.NewLabel(q.t("office.queue.pick"))
	q.detail.Wrapping = fyne.TextWrapWord
	q.note = widget.NewMultiLineEntry()
	q.note.SetPlaceHolder(q.t("office.queue.note"))
	q.note.SetMinRowsVisible(2)
	q.mgrName = widget.NewEntry()
	q.mgrName.SetPlaceHolder(q.t("office.gate.name"))
	q.mgrPIN = widget.NewPasswordEntry()
	q.mgrPIN.SetPlaceHolder(q.t("office.gate.pin"))
	q.mgrPIN.OnSubmitted = func(string) { q.Resolve() }
	q.resolve = widget.NewButton(q.t("office.queue.resolve"), q.Resolve)
	q.resMsg = widget.NewLabel("")
	q.resMsg.Wrapping = fyne.TextWrapWord
	// The detail wraps, so it takes the pane's free height (a wrapped label in a VBox is cut to
	// the height it had before it knew its width).
	form := container.NewBorder(
		widget.NewLabelWithStyle(q.t("office.queue.resolve_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewVBox(q.note, q.mgrName, q.mgrPIN, q.resolve, q.resMsg), nil, nil,
		container.NewVScroll(q.detail))

	top := container.NewVBox(
		widget.NewLabelWithStyle(q.t(TitleQueue), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, q.syncBtn, q.counts), q.info)
	split := container.NewHSplit(container.NewBorder(header, nil, nil, nil, q.list), form)
	split.SetOffset(0.62)
	q.set(container.NewBorder(top, nil, nil, nil, split))
	q.render()
}

// lastError is the plain words for why a row has not synced yet: WeChat's errcode in words, or
// "not delivered" for a transport failure. The raw error text stays in the journal and the CSV.
func (q *Queue) lastError(r jstorage.Redemption) string {
	switch {
	case r.ErrCode != 0:
		return q.t(wxapi.Explain(r.ErrCode).Key, map[string]any{"Code": r.ErrCode})
	case r.LastError != "":
		return q.t("office.queue.not_sent")
	}
	return ""
}

func (q *Queue) rowCells(r jstorage.Redemption) []string {
	last := q.lastError(r)
	if needsManager(r.State) {
		last = q.t(report.GroupOf(r.State).Key()) + " " + q.reasonText(r)
	}
	return []string{
		time.UnixMilli(r.CreatedAt).In(q.d.Loc).Format("01-02 15:04"),
		r.Title,
		"••" + redeem.Last4(r.Code),
		q.t("office.queue.tries", map[string]any{"N": r.Attempts}),
		strings.TrimSpace(last),
	}
}

func (q *Queue) reasonText(r jstorage.Redemption) string {
	if r.Reason == "" {
		return ""
	}
	return q.t(r.Reason)
}

func (q *Queue) render() {
	pending, attention := 0, 0
	for _, r := range q.rows {
		if needsManager(r.State) {
			attention++
		} else {
			pending++
		}
	}
	q.counts.SetText(q.t("office.queue.counts", map[string]any{"Pending": pending, "Attention": attention}))
	q.list.Refresh()
	q.showDetail()
}

func (q *Queue) selectedRow() (jstorage.Redemption, bool) {
	for _, r := range q.rows {
		if r.ID == q.selected {
			return r, true
		}
	}
	return jstorage.Redemption{}, false
}

func (q *Queue) showDetail() {
	r, ok := q.selectedRow()
	if !ok || r.State != jstorage.StateConflict {
		if ok && needsManager(r.State) {
			q.detail.SetText(q.t("office.queue.expired", map[string]any{"Title": r.Title, "Last4": redeem.Last4(r.Code)}))
		} else if ok {
			q.detail.SetText(q.t("office.queue.waiting", map[string]any{"Title": r.Title, "Last4": redeem.Last4(r.Code)}))
		} else {
			q.detail.SetText(q.t("office.queue.pick"))
		}
		q.resolve.Disable()
		return
	}
	text := q.t("office.queue.conflict", map[string]any{"Title": r.Title, "Last4": redeem.Last4(r.Code),
		"Reason": q.reasonText(r), "Cashier": r.Cashier})
	if r.ConflictDetail != "" {
		text += "\n" + r.ConflictDetail
	}
	q.detail.SetText(text)
	q.resolve.Enable()
}

// Select picks the row with this journal id, as clicking or arrowing to it would.
func (q *Queue) Select(id int64) {
	for i, r := range q.rows {
		if r.ID == id {
			q.list.Select(i)
			return
		}
	}
}

// Rows returns what the screen lists now.
func (q *Queue) Rows() []jstorage.Redemption { return q.rows }

// Reload fetches the queue again.
func (q *Queue) Reload() {
	run(&q.screen, q.d.Timeout, func(ctx context.Context) ([]jstorage.Redemption, error) {
		return q.d.Journal.Queue(ctx)
	}, func(rows []jstorage.Redemption, err error) {
		if err != nil {
			q.status = q.errText("queue", err)
			q.info.SetText(q.status)
			return
		}
		q.rows = rows
		q.render()
	})
}

// SyncNow sends the queue (F5 on this screen) and shows how far it got.
func (q *Queue) SyncNow() {
	if q.syncing {
		return
	}
	q.syncing = true
	q.syncBtn.Disable()
	q.status = q.t("office.queue.syncing")
	q.info.SetText(q.status)
	run(&q.screen, 3*q.d.Timeout, func(ctx context.Context) (redeem.SyncProgress, error) {
		return q.d.Journal.Sync(ctx)
	}, func(p redeem.SyncProgress, err error) {
		q.syncing = false
		q.syncBtn.Enable()
		if err != nil {
			q.status = q.errText("sync", err)
		} else {
			q.status = q.t("office.queue.synced", map[string]any{"Done": p.Done, "Pending": p.Pending + p.InFlight, "Conflicts": p.Conflicts})
		}
		q.info.SetText(q.status)
		q.Reload()
	})
}

// Resolve checks the manager's name and PIN and closes the selected conflict with the note.
func (q *Queue) Resolve() {
	r, ok := q.selectedRow()
	if !ok || r.State != jstorage.StateConflict {
		return
	}
	note := strings.TrimSpace(q.note.Text)
	if note == "" {
		q.resMsg.SetText(q.t("office.queue.need_note"))
		return
	}
	name, pin := strings.TrimSpace(q.mgrName.Text), q.mgrPIN.Text
	q.mgrPIN.SetText("")
	q.resolve.Disable()
	q.resMsg.SetText(q.t("office.loading"))
	run(&q.screen, q.d.Timeout, func(ctx context.Context) (auth.Session, error) {
		sess, err := q.d.Auth.SignInManager(ctx, name, pin)
		if err != nil {
			return sess, err
		}
		return sess, q.d.Journal.ResolveConflict(ctx, r.ID, sess.Name, note)
	}, func(sess auth.Session, err error) {
		q.resolve.Enable()
		if err != nil {
			q.resMsg.SetText(q.errText("resolve", err))
			return
		}
		q.note.SetText("")
		q.resMsg.SetText(q.t("office.queue.resolved", map[string]any{"Manager": sess.Name}))
		q.selected = 0
		q.Reload()
	})
}
