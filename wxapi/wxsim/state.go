package wxsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// stateVersion is written into the state file; a file of another version is refused.
const stateVersion = 1

// state is everything a Sim keeps across restarts when StatePath is set: the account's cards and
// codes, live tokens, quotas and the clock offset. Fault switches and counters are not kept.
type state struct {
	Version     int     `json:"version"`
	AppID       string  `json:"appid"`
	ClockOffset int64   `json:"clock_offset_seconds"`
	Seq         int64   `json:"seq"`
	Cards       []*card `json:"cards"`
	Codes       []*code `json:"codes"`

	Tokens        map[string]*token `json:"tokens"`
	ClassicLatest string            `json:"classic_latest"`
	StableCurrent string            `json:"stable_current"`
	ClassicDay    string            `json:"classic_day"`
	ClassicCount  int               `json:"classic_count"`
	StableDay     string            `json:"stable_day"`
	StableCount   int               `json:"stable_count"`
	StableMinute  int64             `json:"stable_minute"`
	StableMinCnt  int               `json:"stable_minute_count"`
	ForceDay      string            `json:"force_day"`
	ForceCount    int               `json:"force_count"`
	LastForce     int64             `json:"last_force"`

	APITicket        string `json:"api_ticket"`
	APITicketExpires int64  `json:"api_ticket_expires"`

	WhiteOpenIDs   []string          `json:"test_whitelist_openids"`
	WhiteUsernames []string          `json:"test_whitelist_usernames"`
	Images         map[string]string `json:"images"` // sha256 hex → url
}

func newState() *state {
	return &state{Version: stateVersion, Tokens: map[string]*token{}, Images: map[string]string{}}
}

// token is one access token of either model.
type token struct {
	Stable  bool  `json:"stable"`
	Issued  int64 `json:"issued"`
	Expires int64 `json:"expires"`
	DeadAt  int64 `json:"dead_at"` // 0: alive until Expires; else dead from this second (superseded or force-refreshed)
}

// card is one card definition.
type card struct {
	ID            string          `json:"id"`
	Type          string          `json:"card_type"`
	Status        string          `json:"status"`
	ApproveAt     int64           `json:"approve_at"` // NOT_VERIFY becomes VERIFY_OK at this time; 0 = never by itself
	Base          baseInfo        `json:"base_info"`
	LeastCost     int64           `json:"least_cost,omitempty"`
	ReduceCost    int64           `json:"reduce_cost,omitempty"`
	Discount      int             `json:"discount,omitempty"`
	Gift          string          `json:"gift,omitempty"`
	DealDetail    string          `json:"deal_detail,omitempty"`
	DefaultDetail string          `json:"default_detail,omitempty"`
	Prerogative   string          `json:"prerogative,omitempty"`
	SupplyBonus   bool            `json:"supply_bonus,omitempty"`
	SupplyBalance bool            `json:"supply_balance,omitempty"`
	Advanced      json.RawMessage `json:"advanced_info,omitempty"`
	Extra         json.RawMessage `json:"extra,omitempty"` // other type fields as sent to card/create
	PayCell       bool            `json:"pay_cell"`
	SelfConsume   bool            `json:"self_consume_cell"`
	Created       int64           `json:"created"`
}

// baseInfo is a card's base_info in WeChat's wire names.
type baseInfo struct {
	LogoURL        string   `json:"logo_url"`
	CodeType       string   `json:"code_type"`
	BrandName      string   `json:"brand_name"`
	Title          string   `json:"title"`
	Color          string   `json:"color"`
	Notice         string   `json:"notice"`
	Description    string   `json:"description"`
	ServicePhone   string   `json:"service_phone,omitempty"`
	SKU            sku      `json:"sku"`
	DateInfo       dateInfo `json:"date_info"`
	UseCustomCode  bool     `json:"use_custom_code"`
	BindOpenID     bool     `json:"bind_openid"`
	GetLimit       int      `json:"get_limit,omitempty"`
	UseLimit       int      `json:"use_limit,omitempty"`
	CanShare       bool     `json:"can_share"`
	CanGiveFriend  bool     `json:"can_give_friend"`
	LocationIDList []int64  `json:"location_id_list,omitempty"`
	CustomURLName  string   `json:"custom_url_name,omitempty"`
	CustomURL      string   `json:"custom_url,omitempty"`
	CustomURLSub   string   `json:"custom_url_sub_title,omitempty"`
}

type sku struct {
	Quantity      int64 `json:"quantity"`
	TotalQuantity int64 `json:"total_quantity,omitempty"`
}

type dateInfo struct {
	Type           string `json:"type"`
	BeginTimestamp int64  `json:"begin_timestamp,omitempty"`
	EndTimestamp   int64  `json:"end_timestamp,omitempty"`
	FixedTerm      int    `json:"fixed_term,omitempty"`
	FixedBeginTerm int    `json:"fixed_begin_term,omitempty"`
}

// code is one code a user holds.
type code struct {
	Code             string `json:"code"`
	CardID           string `json:"card_id"`
	OpenID           string `json:"openid"`
	Status           string `json:"status"` // stored status; NORMAL may read as EXPIRE by time
	ReceivedAt       int64  `json:"received_at"`
	ConsumedAt       int64  `json:"consumed_at,omitempty"`
	OuterStr         string `json:"outer_str,omitempty"`
	MembershipNumber string `json:"membership_number,omitempty"`
	Bonus            int64  `json:"bonus,omitempty"`
	Sample           bool   `json:"sample,omitempty"`
	Note             string `json:"note,omitempty"` // translation key for the training UI
	Reason           string `json:"reason,omitempty"`
}

// reindex rebuilds the lookup maps from s.st; callers hold s.mu (or own s exclusively).
func (s *Sim) reindex() {
	s.cardByID = make(map[string]*card, len(s.st.Cards))
	for _, c := range s.st.Cards {
		s.cardByID[c.ID] = c
	}
	s.codeByCode = make(map[string]*code, len(s.st.Codes))
	for _, c := range s.st.Codes {
		s.codeByCode[c.Code] = c
	}
}

// ErrStateFile wraps every failure to read or write StatePath.
var ErrStateFile = errors.New("wxsim: state file")

// load reads StatePath; it reports false when the file does not exist yet.
func (s *Sim) load() (bool, error) {
	data, err := os.ReadFile(s.statePath)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrStateFile, err)
	}
	st := newState()
	if err := json.Unmarshal(data, st); err != nil {
		return false, fmt.Errorf("%w: %s: %w", ErrStateFile, s.statePath, err)
	}
	if st.Version != stateVersion {
		return false, fmt.Errorf("%w: %s: version %d, want %d", ErrStateFile, s.statePath, st.Version, stateVersion)
	}
	if st.AppID != "" && st.AppID != s.appID {
		return false, fmt.Errorf("%w: %s belongs to appid %s, not %s", ErrStateFile, s.statePath, st.AppID, s.appID)
	}
	if st.Tokens == nil {
		st.Tokens = map[string]*token{}
	}
	if st.Images == nil {
		st.Images = map[string]string{}
	}
	s.st = st
	s.reindex()
	return true, nil
}

// save writes the state atomically: a temporary file in the same folder, synced, then renamed.
func (s *Sim) save() error {
	s.st.AppID = s.appID
	data, err := json.Marshal(s.st)
	if err != nil {
		return fmt.Errorf("%w: encode: %w", ErrStateFile, err)
	}
	dir := filepath.Dir(s.statePath)
	f, err := os.CreateTemp(dir, ".wxsim-state-*")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStateFile, err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("%w: write %s: %w", ErrStateFile, tmp, err)
	}
	if err := os.Rename(tmp, s.statePath); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("%w: %w", ErrStateFile, err)
	}
	return nil
}

// changed records a state change: with StatePath set it saves at once. Callers hold s.mu.
func (s *Sim) changed() {
	if s.statePath == "" {
		return
	}
	s.saveErr = s.save()
}
