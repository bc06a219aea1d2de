package office

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/cardpos/cardpos/auth"
	"github.com/cardpos/cardpos/storage"
)

// UserAdmin manages the people who sign in (*auth.Service). The users tab shows when Deps.Auth
// also implements it.
type UserAdmin interface {
	Users(ctx context.Context) ([]storage.User, error)
	AddUser(ctx context.Context, by auth.Session, name string, role auth.Role, pin string) error
	UpdateUser(ctx context.Context, by auth.Session, name string, role auth.Role, pin string) error
	DeleteUser(ctx context.Context, by auth.Session, name string) error
}

var _ UserAdmin = (*auth.Service)(nil)

// usersView is the 人员 tab: the users with role and lock state; add one, change a role or PIN
// (which also unlocks), remove one. Hashes are never shown.
type usersView struct {
	s       *screen
	ua      UserAdmin
	sess    auth.Session
	users   []storage.User
	sel     int
	msgText string

	list      *widget.List
	name, pin *widget.Entry
	role      *widget.Select
	add, upd  *widget.Button
	del       *widget.Button
	msg       *widget.Label
}

func newUsersView(s *screen, ua UserAdmin, sess auth.Session) *usersView {
	return &usersView{s: s, ua: ua, sess: sess, sel: -1}
}

func (v *usersView) t(k string, a ...any) string { return v.s.t(k, a...) }

func (v *usersView) say(text string) {
	v.msgText = text
	if v.msg != nil {
		v.msg.SetText(text)
	}
}

func (v *usersView) roleText(r string) string { return v.t("office.role." + r) }

func (v *usersView) build() fyne.CanvasObject {
	v.msg = widget.NewLabel(v.msgText)
	v.msg.Wrapping = fyne.TextWrapWord
	v.list = widget.NewList(
		func() int { return len(v.users) },
		func() fyne.CanvasObject {
			return container.NewGridWithColumns(3, cell(), cell(), cell())
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(v.users) {
				return
			}
			u := v.users[i]
			cells := o.(*fyne.Container).Objects
			cells[0].(*widget.Label).SetText(u.Name)
			cells[1].(*widget.Label).SetText(v.roleText(u.Role))
			state := ""
			if u.LockedUntil > v.s.d.Now().UnixMilli() {
				state = v.t("office.users.locked", map[string]any{"Until": time.UnixMilli(u.LockedUntil).In(v.s.d.Loc).Format("15:04")})
			}
			cells[2].(*widget.Label).SetText(state)
		})
	v.list.OnSelected = func(i widget.ListItemID) {
		if i < len(v.users) {
			v.sel = i
			v.name.SetText(v.users[i].Name)
			if v.users[i].Role == string(auth.RoleManager) {
				v.role.SetSelectedIndex(1)
			} else {
				v.role.SetSelectedIndex(0)
			}
		}
	}
	v.name = widget.NewEntry()
	v.name.SetPlaceHolder(v.t("office.gate.name"))
	v.pin = widget.NewPasswordEntry()
	v.pin.SetPlaceHolder(v.t("office.users.pin"))
	v.role = widget.NewSelect([]string{v.roleText(string(auth.RoleCashier)), v.roleText(string(auth.RoleManager))}, nil)
	v.role.SetSelectedIndex(0)
	v.add = widget.NewButton(v.t("office.users.add"), func() { v.Add(v.name.Text, v.selRole(), v.pin.Text) })
	v.upd = widget.NewButton(v.t("office.users.update"), func() { v.Update(v.name.Text, v.selRole(), v.pin.Text) })
	v.del = widget.NewButton(v.t("office.users.delete"), func() {
		name := strings.TrimSpace(v.name.Text)
		if name == "" || v.s.d.Window == nil {
			v.Delete(name)
			return
		}
		dialog.ShowConfirm(v.t("office.users.delete"), v.t("office.users.delete_confirm", map[string]any{"Name": name}),
			func(ok bool) {
				if ok {
					v.Delete(name)
				}
			}, v.s.d.Window)
	})
	v.del.Importance = widget.DangerImportance
	form := container.NewVBox(
		widget.NewLabelWithStyle(v.t("office.users.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabel(v.t("office.users.hint")),
		v.name, v.role, v.pin, container.NewGridWithColumns(3, v.add, v.upd, v.del), v.msg)
	split := container.NewHSplit(v.list, container.NewVScroll(form))
	split.SetOffset(0.5)
	return split
}

func (v *usersView) selRole() auth.Role {
	if v.role.SelectedIndex() == 1 {
		return auth.RoleManager
	}
	return auth.RoleCashier
}

func (v *usersView) start() { v.load("") }

func (v *usersView) load(done string) {
	run(v.s, v.s.d.Timeout, func(ctx context.Context) ([]storage.User, error) {
		return v.ua.Users(ctx)
	}, func(us []storage.User, err error) {
		if err != nil {
			v.say(v.s.errText("users", err))
			return
		}
		v.users = us
		v.sel = -1
		if v.list != nil {
			v.list.UnselectAll()
			v.list.Refresh()
		}
		v.say(done)
	})
}

func (v *usersView) act(op string, fn func(context.Context) error, done string) {
	v.pin.SetText("")
	run(v.s, v.s.d.Timeout, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	}, func(_ struct{}, err error) {
		if err != nil {
			v.say(v.s.errText(op, err))
			return
		}
		v.load(done)
	})
}

// Add creates a user with the form's name, role and PIN.
func (v *usersView) Add(name string, role auth.Role, pin string) {
	name = strings.TrimSpace(name)
	v.act("add user", func(ctx context.Context) error { return v.ua.AddUser(ctx, v.sess, name, role, pin) },
		v.t("office.users.added", map[string]any{"Name": name}))
}

// Update sets the user's role and, if a PIN is typed, a new PIN; it also unlocks the user.
func (v *usersView) Update(name string, role auth.Role, pin string) {
	name = strings.TrimSpace(name)
	v.act("update user", func(ctx context.Context) error { return v.ua.UpdateUser(ctx, v.sess, name, role, pin) },
		v.t("office.users.updated", map[string]any{"Name": name}))
}

// Delete removes the user (never the last manager).
func (v *usersView) Delete(name string) {
	name = strings.TrimSpace(name)
	v.act("delete user", func(ctx context.Context) error { return v.ua.DeleteUser(ctx, v.sess, name) },
		v.t("office.users.deleted", map[string]any{"Name": name}))
}
