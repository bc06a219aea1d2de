// Package station assembles one till's core from its configuration: the data folder, the log,
// the SQLite database, the WeChat client (or, in training mode, the built-in emulator on loopback),
// the redemption engine and the campaign service. The CLI and the GUI both open a Station, so a
// till behaves the same whichever way it is driven. It imports no Fyne.
package station

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cardpos/cardpos/campaign"
	"github.com/cardpos/cardpos/redeem"
	"github.com/cardpos/cardpos/secrets"
	"github.com/cardpos/cardpos/settings"
	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
	"github.com/cardpos/cardpos/wxapi/wxsim"
)

// DefaultAPIBase is WeChat's API.
const DefaultAPIBase = "https://api.weixin.qq.com"

// Config is what a till is started with. Flags override environment variables, which override
// the settings stored in the database.
type Config struct {
	DataDir  string // "" = the per-user config folder + "/cardpos"
	APIBase  string // "" = stored setting, else DefaultAPIBase
	AppID    string // CARDPOS_APPID: overrides stored credentials
	Secret   string // CARDPOS_SECRET
	Terminal string // "" = stored setting, else the host name
	Demo     bool   // training mode: built-in emulator, separate demo data folder
	LogLevel slog.Level
}

// ConfigFromEnv reads the CARDPOS_* environment variables.
func ConfigFromEnv(getenv func(string) string) Config {
	c := Config{
		DataDir:  getenv("CARDPOS_DATA"),
		APIBase:  getenv("CARDPOS_API_BASE"),
		AppID:    getenv("CARDPOS_APPID"),
		Secret:   getenv("CARDPOS_SECRET"),
		Terminal: getenv("CARDPOS_TERMINAL"),
	}
	switch strings.ToLower(getenv("CARDPOS_DEMO")) {
	case "1", "true", "yes":
		c.Demo = true
	}
	if getenv("CARDPOS_DEBUG") != "" {
		c.LogLevel = slog.LevelDebug
	}
	return c
}

// ConfigError is a configuration problem the user must fix (exit status 1). Key is an i18n key.
type ConfigError struct {
	Key  string
	Args map[string]any
	Err  error
}

func (e *ConfigError) Error() string {
	if e.Err != nil {
		return e.Key + ": " + e.Err.Error()
	}
	return e.Key
}

func (e *ConfigError) Unwrap() error { return e.Err }

// Station is one till's assembled core. Open it, use it, Close it. The WeChat client, the
// emulator and the services are made on first use, so `cardpos history` never touches the network.
type Station struct {
	Config   Config
	Dir      string // the data folder in use (…/demo in training mode)
	DB       *storage.DB
	Logger   *slog.Logger
	Settings settings.Settings

	logFile io.Closer

	mu       sync.Mutex
	wx       *wxapi.Client
	sim      *wxsim.Sim
	simRun   *wxsim.Running
	simURL   string
	baseURL  string // the WeChat base URL the client uses
	redeem   *redeem.Service
	campaign *campaign.Service
	samples  []wxsim.Sample
}

// DefaultDataDir is the per-user config folder's cardpos folder.
func DefaultDataDir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", &ConfigError{Key: "station.err.no_data_dir", Err: err}
	}
	return filepath.Join(base, "cardpos"), nil
}

// Open prepares the data folder (mode 0700), the log file and the database.
func Open(ctx context.Context, cfg Config) (*Station, error) {
	dir := cfg.DataDir
	if dir == "" {
		d, err := DefaultDataDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if cfg.Demo {
		dir = filepath.Join(dir, "demo")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, &ConfigError{Key: "station.err.data_dir", Args: map[string]any{"Dir": dir}, Err: err}
	}
	logger, lf, err := openLog(dir, cfg.LogLevel)
	if err != nil {
		return nil, &ConfigError{Key: "station.err.data_dir", Args: map[string]any{"Dir": dir}, Err: err}
	}
	db, err := storage.Open(ctx, dir)
	if err != nil {
		lf.Close()
		return nil, fmt.Errorf("open database in %s: %w", dir, err)
	}
	st := &Station{Config: cfg, Dir: dir, DB: db, Logger: logger, logFile: lf}
	st.Settings, err = settings.Load(ctx, db)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("load settings: %w", err)
	}
	if cfg.Terminal == "" {
		st.Config.Terminal = st.Settings.Terminal
	}
	if st.Config.Terminal == "" {
		h, _ := os.Hostname()
		st.Config.Terminal = h
	}
	logger.Info("station open", "dir", dir, "demo", cfg.Demo, "terminal", st.Config.Terminal)
	return st, nil
}

// openLog opens (appending) dir/logs/cardpos.log, rotating it to cardpos.log.1 past 10 MB.
func openLog(dir string, level slog.Level) (*slog.Logger, io.Closer, error) {
	ld := filepath.Join(dir, "logs")
	if err := os.MkdirAll(ld, 0o700); err != nil {
		return nil, nil, err
	}
	p := filepath.Join(ld, "cardpos.log")
	if fi, err := os.Stat(p); err == nil && fi.Size() > 10<<20 {
		_ = os.Rename(p, p+".1")
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, err
	}
	return slog.New(slog.NewJSONHandler(f, &slog.HandlerOptions{Level: level})), f, nil
}

// Close stops the emulator (training mode), the services and the database.
func (s *Station) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	if s.simRun != nil {
		errs = append(errs, s.simRun.Close())
		_ = os.Remove(filepath.Join(s.Dir, "sim.json"))
		s.simRun = nil
	}
	if s.DB != nil {
		errs = append(errs, s.DB.Close())
		s.DB = nil
	}
	if s.logFile != nil {
		errs = append(errs, s.logFile.Close())
		s.logFile = nil
	}
	return errors.Join(errs...)
}

// simInfo is what a training-mode till writes to DIR/sim.json so that a second process (the CLI
// beside a running GUI, or a test script) uses the same emulator.
type simInfo struct {
	APIBase string `json:"api_base"`
	Control string `json:"control"`
	AppID   string `json:"appid"`
	Secret  string `json:"secret"`
	PID     int    `json:"pid"`
}

// WeChat returns the client, starting the built-in emulator first in training mode.
func (s *Station) WeChat(ctx context.Context) (*wxapi.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wx != nil {
		return s.wx, nil
	}
	cfg := wxapi.Config{Logger: s.Logger}
	if s.Config.Demo {
		info, err := s.demoEmulator(ctx)
		if err != nil {
			return nil, err
		}
		cfg.BaseURL, cfg.AppID, cfg.Secret = info.APIBase, info.AppID, info.Secret
	} else {
		cfg.BaseURL = firstNonEmpty(s.Config.APIBase, s.Settings.APIBase, DefaultAPIBase)
		creds := secrets.Credentials{AppID: s.Config.AppID, AppSecret: s.Config.Secret}
		if creds.AppID == "" || creds.AppSecret == "" {
			v := secrets.New(s.Dir)
			v.Getenv = nil // the environment is already in s.Config
			stored, _, err := v.Load(ctx)
			if err != nil && !errors.Is(err, secrets.ErrNotSet) {
				return nil, &ConfigError{Key: "station.err.credentials", Err: err}
			}
			creds.AppID = firstNonEmpty(creds.AppID, stored.AppID)
			creds.AppSecret = firstNonEmpty(creds.AppSecret, stored.AppSecret)
		}
		cfg.AppID, cfg.Secret = creds.AppID, creds.AppSecret
		if cfg.AppID == "" || cfg.Secret == "" {
			return nil, &ConfigError{Key: "station.err.no_credentials"}
		}
		if s.Settings.TokenMode == settings.TokenClassic {
			cfg.Tokens = wxapi.NewClassicTokenSource(cfg.BaseURL, cfg.AppID, cfg.Secret, nil)
		}
	}
	s.wx = wxapi.New(cfg)
	s.baseURL = cfg.BaseURL
	return s.wx, nil
}

// demoEmulator finds a live emulator of this training folder or starts one in this process.
func (s *Station) demoEmulator(ctx context.Context) (simInfo, error) {
	p := filepath.Join(s.Dir, "sim.json")
	if b, err := os.ReadFile(p); err == nil {
		var info simInfo
		if json.Unmarshal(b, &info) == nil && info.APIBase != "" && alive(ctx, info.APIBase) {
			s.simURL = info.APIBase
			return info, nil
		}
	}
	sim, err := wxsim.New(wxsim.Options{Seed: "demo", StatePath: filepath.Join(s.Dir, "sim-state.json")})
	if err != nil {
		return simInfo{}, fmt.Errorf("start the training emulator: %w", err)
	}
	run, err := wxsim.Start(context.WithoutCancel(ctx), sim, "127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		return simInfo{}, fmt.Errorf("start the training emulator: %w", err)
	}
	s.sim, s.simRun, s.simURL = sim, run, run.URL
	info := simInfo{APIBase: run.URL, Control: run.ControlURL, AppID: sim.AppID(), Secret: sim.Secret(), PID: os.Getpid()}
	b, _ := json.Marshal(info)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		s.Logger.Warn("could not write sim.json", "err", err)
	}
	s.Logger.Info("training emulator started", "api_base", run.URL, "control", run.ControlURL)
	return info, nil
}

// alive reports whether something answers HTTP at base within a second.
func alive(ctx context.Context, base string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

// Samples lists the emulator's sample codes in training mode (nil otherwise).
func (s *Station) Samples(ctx context.Context) []wxsim.Sample {
	if !s.Config.Demo {
		return nil
	}
	if _, err := s.WeChat(ctx); err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sim != nil {
		return s.sim.Samples()
	}
	// The emulator runs in another process: a fresh one of the same seed has the same samples.
	sim, err := wxsim.New(wxsim.Options{Seed: "demo"})
	if err != nil {
		return nil
	}
	return sim.Samples()
}

// Redeem returns the redemption engine.
func (s *Station) Redeem(ctx context.Context) (*redeem.Service, error) {
	wx, err := s.WeChat(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.redeem == nil {
		s.redeem = redeem.New(redeem.Config{
			WX: wx, DB: s.DB, Terminal: s.Config.Terminal, Policy: s.Settings.Policy, Logger: s.Logger,
			ProbeURL: s.baseURL, // any HTTP answer from WeChat's host means it is back; costs no token
		})
	}
	return s.redeem, nil
}

// Journal returns the redemption engine for reading the journal only: it needs no credentials
// and starts no emulator, so history and queue work on a till that is not set up yet.
func (s *Station) Journal() *redeem.Service {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.redeem != nil {
		return s.redeem
	}
	return redeem.New(redeem.Config{DB: s.DB, Terminal: s.Config.Terminal, Policy: s.Settings.Policy, Logger: s.Logger})
}

// Campaign returns the campaign service.
func (s *Station) Campaign(ctx context.Context) (*campaign.Service, error) {
	wx, err := s.WeChat(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.campaign == nil {
		svc, err := campaign.New(wx, s.DB, campaign.Options{})
		if err != nil {
			return nil, fmt.Errorf("prepare posters: %w", err)
		}
		s.campaign = svc
	}
	return s.campaign, nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
