package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/cardpos/cardpos/campaign"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/report"
	"github.com/cardpos/cardpos/scanner"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
	"github.com/cardpos/cardpos/wxapi/wxsim"
)

// printJSON writes v as one JSON line, with no HTML escaping.
func (r *runner) printJSON(v any) {
	enc := json.NewEncoder(r.env.Stdout)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// msg renders a redeem.Message in the current language.
func (r *runner) msg(m redeem.Message) string {
	if m.Key == "" {
		return ""
	}
	return r.env.Catalog.T(m.Key, m.Args)
}

// redeemJSON is the --json line of `redeem`, part of the command-line contract.
type redeemJSON struct {
	Result   string `json:"result"`
	Code     string `json:"code"`
	CardID   string `json:"card_id"`
	Title    string `json:"title"`
	CardType string `json:"card_type"`
	ErrCode  int    `json:"errcode"`
	Reason   string `json:"reason"`
	ID       int64  `json:"id"`
	Value    string `json:"value,omitempty"`
	ValidTo  int64  `json:"valid_to,omitempty"`
	Offline  bool   `json:"offline,omitempty"`
}

func runRedeem(ctx context.Context, r *runner, args []string) error {
	fs := r.flags()
	check := fs.Bool("check", false, "")
	asJSON := fs.Bool("json", false, "")
	if err := r.parse(fs, args, "cli.usage.redeem"); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("%s", r.t("cli.err.redeem_args"))
	}
	svc, err := r.engine(ctx)
	if err != nil {
		return err
	}
	out, err := svc.RedeemText(ctx, redeem.Scan{Text: fs.Arg(0), Source: redeem.SourceCLI, At: time.Now()}, *check)
	if err != nil {
		return err
	}
	j := redeemJSON{
		Result: string(out.Result), Code: out.Code, CardID: out.CardID, Title: out.Title,
		CardType: string(out.CardType), ErrCode: out.ErrCode, Reason: r.msg(out.Reason), ID: out.ID,
	}
	if p := out.Preview; p != nil {
		j.Value, j.ValidTo, j.Offline = r.msg(p.Value), p.ValidTo, p.Offline
	}
	if *asJSON {
		r.printJSON(j)
	} else {
		line := r.t("cli.redeem.result."+string(out.Result), map[string]any{"Title": j.Title, "Code": j.Code, "Value": j.Value})
		if j.Reason != "" {
			line += " — " + j.Reason
		}
		fmt.Fprintln(r.env.Stdout, line)
	}
	switch out.Result {
	case redeem.ResultRedeemed, redeem.ResultValid:
		return nil
	case redeem.ResultQueued:
		return &exitError{ExitQueued}
	default:
		return &exitError{ExitRefused}
	}
}

// progressJSON is the --json line of `sync`.
type progressJSON struct {
	Pending   int    `json:"pending"`
	InFlight  int    `json:"in_flight"`
	Done      int    `json:"done"`
	Conflicts int    `json:"conflicts"`
	Expired   int    `json:"expired"`
	Online    bool   `json:"online"`
	Error     string `json:"error,omitempty"`
}

func runSync(ctx context.Context, r *runner, args []string) error {
	fs := r.flags()
	asJSON := fs.Bool("json", false, "")
	if err := r.parseNoArgs(fs, args, "cli.usage.sync"); err != nil {
		return err
	}
	svc, err := r.engine(ctx)
	if err != nil {
		return err
	}
	p, err := svc.Sync(ctx)
	if err != nil && p.Pending+p.InFlight == 0 {
		return err
	}
	j := progressJSON{p.Pending, p.InFlight, p.Done, p.Conflicts, p.Expired, p.Online, r.msg(p.LastError)}
	if err != nil && j.Error == "" {
		j.Error = err.Error()
	}
	if *asJSON {
		r.printJSON(j)
	} else {
		fmt.Fprintln(r.env.Stdout, r.t("cli.sync.summary", j))
		if j.Error != "" {
			fmt.Fprintln(r.env.Stdout, j.Error)
		}
	}
	if p.Pending+p.InFlight > 0 {
		return &exitError{ExitQueued}
	}
	return nil
}

// rowJSON is one journal row in `queue` and `history` output.
type rowJSON struct {
	ID                int64  `json:"id"`
	State             string `json:"state"`
	Code              string `json:"code"`
	CardID            string `json:"card_id"`
	Title             string `json:"title"`
	CardType          string `json:"card_type"`
	FaceValue         int64  `json:"face_value_fen"`
	Source            string `json:"source"`
	Cashier           string `json:"cashier"`
	Terminal          string `json:"terminal"`
	Offline           bool   `json:"offline"`
	Attempts          int    `json:"attempts"`
	ErrCode           int    `json:"errcode"`
	LastError         string `json:"last_error,omitempty"`
	Reason            string `json:"reason,omitempty"`
	ConflictDetail    string `json:"conflict_detail,omitempty"`
	ConfirmedByStatus bool   `json:"confirmed_by_status,omitempty"`
	CreatedAt         string `json:"created_at"`
	RedeemedAt        string `json:"redeemed_at,omitempty"`
}

func (r *runner) row(x storage.Redemption) rowJSON {
	j := rowJSON{
		ID: x.ID, State: string(x.State), Code: x.Code, CardID: x.CardID, Title: x.Title, CardType: x.CardType,
		FaceValue: x.FaceValue, Source: x.Source, Cashier: x.Cashier, Terminal: x.Terminal, Offline: x.Offline,
		Attempts: x.Attempts, ErrCode: x.ErrCode, LastError: x.LastError, ConflictDetail: x.ConflictDetail,
		ConfirmedByStatus: x.ConfirmedByStatus, CreatedAt: msTime(x.CreatedAt),
	}
	if x.Reason != "" {
		j.Reason = r.t(x.Reason)
	}
	if x.RedeemedAt != 0 {
		j.RedeemedAt = msTime(x.RedeemedAt)
	}
	return j
}

func msTime(ms int64) string { return time.UnixMilli(ms).Local().Format(time.RFC3339) }

func runQueue(ctx context.Context, r *runner, args []string) error {
	fs := r.flags()
	asJSON := fs.Bool("json", false, "")
	if err := r.parseNoArgs(fs, args, "cli.usage.queue"); err != nil {
		return err
	}
	st, err := r.station(ctx)
	if err != nil {
		return err
	}
	rows, err := st.Journal().Queue(ctx)
	if err != nil {
		return err
	}
	waiting := 0
	for _, x := range rows {
		if x.State == storage.StateQueued || x.State == storage.StateInFlight {
			waiting++
		}
		if *asJSON {
			r.printJSON(r.row(x))
		} else {
			j := r.row(x)
			fmt.Fprintf(r.env.Stdout, "%-6d %-10s %-20s %-14s %s  %s\n", j.ID, r.t("state."+j.State), j.Code, j.Title, j.CreatedAt, firstOf(j.Reason, j.LastError))
		}
	}
	if !*asJSON && len(rows) == 0 {
		fmt.Fprintln(r.env.Stdout, r.t("cli.queue.empty"))
	}
	if waiting > 0 {
		return &exitError{ExitQueued}
	}
	return nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// parseSince reads --since: a date (2026-12-04, local midnight), an RFC 3339 time, "today", or a
// duration back from now ("8h").
func parseSince(s string, now time.Time) (time.Time, error) {
	switch s {
	case "", "today":
		y, m, d := now.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, now.Location()), nil
	case "all":
		return time.Unix(0, 0), nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, now.Location()); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, errors.New(s)
}

func runHistory(ctx context.Context, r *runner, args []string) error {
	fs := r.flags()
	since := fs.String("since", "today", "")
	asJSON := fs.Bool("json", false, "")
	asCSV := fs.Bool("csv", false, "")
	if err := r.parseNoArgs(fs, args, "cli.usage.history"); err != nil {
		return err
	}
	if *asJSON && *asCSV {
		return usagef("%s", r.t("cli.err.json_or_csv"))
	}
	from, err := parseSince(*since, time.Now())
	if err != nil {
		return usagef("%s", r.t("cli.err.since", map[string]any{"Value": *since}))
	}
	st, err := r.station(ctx)
	if err != nil {
		return err
	}
	rows, err := st.Journal().History(ctx, from)
	if err != nil {
		return err
	}
	switch {
	case *asJSON:
		for _, x := range rows {
			r.printJSON(r.row(x))
		}
	case *asCSV:
		// The same file the history screen exports, UTF-8 with a BOM so that spreadsheet
		// programs on Chinese Windows read it right.
		return report.WriteCSV(r.env.Stdout, rows, report.CSVOptions{BOM: true, Loc: time.Local})
	default:
		for _, x := range rows {
			j := r.row(x)
			fmt.Fprintf(r.env.Stdout, "%s  %-10s %-20s %-14s %s\n", j.CreatedAt, r.t("state."+j.State), j.Code, j.Title, j.Reason)
		}
		if len(rows) == 0 {
			fmt.Fprintln(r.env.Stdout, r.t("cli.history.empty"))
		}
	}
	return nil
}

// cardJSON is one catalog card in `cards --json`.
type cardJSON struct {
	CardID     string `json:"card_id"`
	CardType   string `json:"card_type"`
	Title      string `json:"title"`
	Brand      string `json:"brand"`
	Status     string `json:"status"`
	Color      string `json:"color"`
	Value      string `json:"value"`
	LeastCost  int64  `json:"least_cost_fen,omitempty"`
	ReduceCost int64  `json:"reduce_cost_fen,omitempty"`
	Discount   int    `json:"discount,omitempty"`
	Quantity   int64  `json:"quantity"`
	DateType   string `json:"date_type"`
	Begin      int64  `json:"begin_timestamp,omitempty"`
	End        int64  `json:"end_timestamp,omitempty"`
	CustomCode bool   `json:"use_custom_code,omitempty"`
}

func runCards(ctx context.Context, r *runner, args []string) error {
	fs := r.flags()
	refresh := fs.Bool("refresh", false, "")
	asJSON := fs.Bool("json", false, "")
	if err := r.parseNoArgs(fs, args, "cli.usage.cards"); err != nil {
		return err
	}
	st, err := r.station(ctx)
	if err != nil {
		return err
	}
	svc := st.Journal()
	if *refresh {
		if svc, err = st.Redeem(ctx); err != nil {
			return err
		}
	}
	cards, err := svc.Cards(ctx, *refresh)
	if err != nil {
		return err
	}
	for _, c := range cards {
		j := cardJSON{
			CardID: c.ID, CardType: string(c.Type), Title: c.Base.Title, Brand: c.Base.BrandName,
			Status: c.Base.Status, Color: c.Base.Color, Value: r.msg(redeem.ValueMessage(&c)),
			LeastCost: c.LeastCost, ReduceCost: c.ReduceCost, Discount: c.Discount, Quantity: c.Base.Quantity,
			DateType: c.Base.DateInfo.Type, Begin: c.Base.DateInfo.BeginTimestamp, End: c.Base.DateInfo.EndTimestamp,
			CustomCode: c.Base.UseCustomCode,
		}
		if *asJSON {
			r.printJSON(j)
		} else {
			fmt.Fprintf(r.env.Stdout, "%-30s %-15s %-12s %s\n", j.CardID, r.msg(redeem.CardTypeMessage(wxapi.CardType(j.CardType))), j.Title, j.Value)
		}
	}
	if !*asJSON && len(cards) == 0 {
		fmt.Fprintln(r.env.Stdout, r.t("cli.cards.empty"))
	}
	return nil
}

// decodeJSON is one line of `decode --json`, part of the command-line contract.
type decodeJSON struct {
	File   string `json:"file"`
	OK     bool   `json:"ok"`
	Format string `json:"format,omitempty"`
	Text   string `json:"text,omitempty"`
	Kind   string `json:"kind,omitempty"`
	Error  string `json:"error,omitempty"`
}

func runDecode(ctx context.Context, r *runner, args []string) error {
	fs := r.flags()
	asJSON := fs.Bool("json", false, "")
	if err := r.parse(fs, args, "cli.usage.decode"); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("%s", r.t("cli.err.decode_args"))
	}
	missed, failed := 0, 0
	for _, f := range fs.Args() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		j := decodeJSON{File: f}
		res, err := scanner.DecodeFile(f)
		switch {
		case err == nil:
			j.OK, j.Format, j.Text = true, res.Format, res.Text
			j.Kind = string(scanner.Classify(res.Text).Kind)
		case errors.Is(err, scanner.ErrNotFound):
			missed++
			j.Error = r.t("cli.decode.no_code")
		default:
			failed++
			j.Error = r.t("cli.decode.unreadable", map[string]any{"Err": err.Error()})
		}
		if *asJSON {
			r.printJSON(j)
		} else if j.OK {
			fmt.Fprintf(r.env.Stdout, "%s: %s %s\n", f, j.Format, j.Text)
		} else {
			fmt.Fprintf(r.env.Stdout, "%s: %s\n", f, j.Error)
		}
	}
	switch {
	case failed > 0:
		return &exitError{ExitFailure}
	case missed > 0:
		return &exitError{ExitRefused}
	}
	return nil
}

// qrJSON is the --json line of `qrcode`.
type qrJSON struct {
	ID            int64    `json:"id"`
	CardIDs       []string `json:"card_ids"`
	Scene         string   `json:"scene,omitempty"`
	Ticket        string   `json:"ticket"`
	URL           string   `json:"url"`
	ExpireSeconds int      `json:"expire_seconds"`
	Unique        bool     `json:"unique,omitempty"`
	PNG           string   `json:"png,omitempty"`
}

func runQRCode(ctx context.Context, r *runner, args []string) error {
	fs := r.flags()
	var cardIDs stringList
	fs.Var(&cardIDs, "card-id", "")
	scene := fs.String("scene", "", "")
	expire := fs.Int("expire", 0, "")
	unique := fs.Bool("unique", false, "")
	asJSON := fs.Bool("json", false, "")
	out := fs.String("o", "", "")
	if err := r.parse(fs, args, "cli.usage.qrcode"); err != nil {
		return err
	}
	if len(cardIDs) == 0 || fs.NArg() != 0 {
		return usagef("%s", r.t("cli.err.card_id"))
	}
	if *expire != 0 && (*expire < 60 || *expire > 1800) {
		return usagef("%s", r.t("cli.err.expire"))
	}
	svc, err := r.campaigns(ctx)
	if err != nil {
		return err
	}
	c, err := svc.Create(ctx, campaign.CreateRequest{CardIDs: cardIDs, Scene: *scene, ExpireSeconds: *expire, Unique: *unique, CreatedBy: "cli"})
	if err != nil {
		return r.wxFailure(err)
	}
	j := qrJSON{ID: c.ID, CardIDs: c.CardIDs, Scene: c.Scene, Ticket: c.Ticket, URL: c.URL, ExpireSeconds: c.ExpireSeconds, Unique: c.Unique}
	if *out != "" {
		if err := svc.WriteQRPNG(c.URL, *out); err != nil {
			return err
		}
		j.PNG = absPath(*out)
	}
	if *asJSON {
		r.printJSON(j)
	} else {
		fmt.Fprintln(r.env.Stdout, c.URL)
	}
	return nil
}

// wxFailure turns a WeChat refusal into plain words and exit status 4; other errors pass through.
func (r *runner) wxFailure(err error) error {
	var we *wxapi.Error
	if errors.As(err, &we) && wxapi.IsPermanent(err) {
		info := wxapi.Explain(we.Code)
		fmt.Fprintf(r.env.Stderr, "cardpos %s: %s (errcode %d)\n", r.name, r.t(info.Key), we.Code)
		return &exitError{ExitRefused}
	}
	return err
}

func runPoster(ctx context.Context, r *runner, args []string) error {
	fs := r.flags()
	var cardIDs, scenes stringList
	fs.Var(&cardIDs, "card-id", "")
	fs.Var(&scenes, "scene", "")
	size := fs.String("size", "a4", "")
	expire := fs.Int("expire", 0, "")
	unique := fs.Bool("unique", false, "")
	out := fs.String("o", "", "")
	asJSON := fs.Bool("json", false, "")
	if err := r.parse(fs, args, "cli.usage.poster"); err != nil {
		return err
	}
	if len(cardIDs) == 0 || fs.NArg() != 0 {
		return usagef("%s", r.t("cli.err.card_id"))
	}
	if *out == "" {
		return usagef("%s", r.t("cli.err.poster_out"))
	}
	format := campaign.FormatFromPath(*out)
	if ext := strings.ToLower(filepath.Ext(*out)); ext != ".pdf" && ext != ".png" {
		return usagef("%s", r.t("cli.err.poster_format"))
	}
	sz, err := campaign.ParseSize(*size)
	if err != nil {
		return usagef("%s", r.t("cli.err.poster_size", map[string]any{"Size": *size}))
	}
	if *expire != 0 && (*expire < 60 || *expire > 1800) {
		return usagef("%s", r.t("cli.err.expire"))
	}
	if format == campaign.FormatPNG && len(scenes) > 1 {
		return usagef("%s", r.t("cli.err.poster_png_one"))
	}
	svc, err := r.campaigns(ctx)
	if err != nil {
		return err
	}
	tmp := *out + ".part"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return usagef("%s", r.t("cli.err.poster_write", map[string]any{"Path": *out, "Err": err.Error()}))
	}
	camps, err := svc.Poster(ctx, campaign.PosterRequest{CardIDs: cardIDs, Scenes: scenes, Size: sz, ExpireSeconds: *expire, Unique: *unique, CreatedBy: "cli"}, f, format)
	cerr := f.Close()
	if err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return r.wxFailure(err)
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	for _, c := range camps {
		if *asJSON {
			r.printJSON(qrJSON{ID: c.ID, CardIDs: c.CardIDs, Scene: c.Scene, Ticket: c.Ticket, URL: c.URL, ExpireSeconds: c.ExpireSeconds, Unique: c.Unique})
		}
	}
	if !*asJSON {
		fmt.Fprintln(r.env.Stdout, r.t("cli.poster.done", map[string]any{"Path": absPath(*out), "Pages": len(camps)}))
	}
	return nil
}

func runSim(ctx context.Context, r *runner, args []string) error {
	fs := r.flags()
	listen := fs.String("listen", "127.0.0.1:0", "")
	control := fs.String("control", "127.0.0.1:0", "")
	seed := fs.String("seed", "demo", "")
	state := fs.String("state", "", "")
	appid := fs.String("appid", "", "")
	secret := fs.String("secret", "", "")
	if err := r.parseNoArgs(fs, args, "cli.usage.sim"); err != nil {
		return err
	}
	if *seed != "demo" && *seed != "" && *seed != "empty" {
		return usagef("%s", r.t("cli.err.seed", map[string]any{"Seed": *seed}))
	}
	if *seed == "empty" {
		*seed = ""
	}
	if *state != "" {
		if err := os.MkdirAll(filepath.Dir(*state), 0o700); err != nil {
			return usagef("%s", r.t("cli.err.state", map[string]any{"Path": *state, "Err": err.Error()}))
		}
	}
	err := wxsim.Run(ctx, wxsim.RunOptions{Listen: *listen, ControlListen: *control, Seed: *seed, StatePath: *state, AppID: *appid, Secret: *secret}, r.env.Stdout)
	if errors.Is(err, syscall.EADDRINUSE) {
		return usagef("%s", r.t("cli.err.listen", map[string]any{"Addr": *listen, "Err": err.Error()}))
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
