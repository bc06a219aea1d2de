package secrets

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

var good = Credentials{AppID: "wx1234567890abcdef", AppSecret: "0123456789abcdef0123456789abcdef"}

// hangingKeyring never answers, like a locked Secret Service over D-Bus.
type hangingKeyring struct{ release chan struct{} }

func (h hangingKeyring) Get(string, string) (string, error) {
	<-h.release
	return "", errors.New("late")
}
func (h hangingKeyring) Set(string, string, string) error { <-h.release; return errors.New("late") }
func (h hangingKeyring) Delete(string, string) error      { <-h.release; return errors.New("late") }

func vault(t *testing.T, k Keyring, env map[string]string) *Vault {
	v := New(t.TempDir())
	v.Keyring = k
	v.KeyringTimeout = 50 * time.Millisecond
	v.Getenv = func(s string) string { return env[s] }
	v.MachineID = func() string { return "test-machine" }
	return v
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		c    Credentials
		want error
	}{
		{good, nil},
		{Credentials{AppID: good.AppID}, ErrIncomplete},
		{Credentials{AppID: "123", AppSecret: good.AppSecret}, ErrIncomplete},
		{Credentials{AppID: good.AppID + " ", AppSecret: good.AppSecret}, ErrIncomplete},
		{Credentials{AppID: good.AppID, AppSecret: "short"}, ErrIncomplete},
	} {
		if got := Check(tc.c); !errors.Is(got, tc.want) {
			t.Errorf("Check(%+v) = %v, want %v", tc.c, got, tc.want)
		}
	}
}

func TestFileStoreWhenKeyringFails(t *testing.T) {
	ctx := context.Background()
	keyring.MockInitWithError(errors.New("no secret service"))
	v := vault(t, OSKeyring(), nil)
	if _, st, err := v.Load(ctx); st != StoreNone || !errors.Is(err, ErrNotSet) {
		t.Fatalf("Load on a fresh folder = %v, %v; want none, ErrNotSet", st, err)
	}
	st, err := v.Save(ctx, good)
	if err != nil || st != StoreFile {
		t.Fatalf("Save = %v, %v; want file", st, err)
	}
	raw, err := os.ReadFile(filepath.Join(v.dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(good.AppSecret)) || bytes.Contains(raw, []byte(good.AppID)) {
		t.Error("the credentials file holds the AppID or secret in clear")
	}
	for _, name := range []string{FileName, KeyName} {
		fi, err := os.Stat(filepath.Join(v.dir, name))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600", name, fi.Mode().Perm(), err)
		}
	}
	c, st, err := v.Load(ctx)
	if err != nil || st != StoreFile || c != good {
		t.Fatalf("Load = %+v, %v, %v; want the saved credentials from file", c, st, err)
	}

	// Another machine id (the file copied elsewhere) does not open it.
	v.MachineID = func() string { return "other-machine" }
	if _, _, err := v.Load(ctx); !errors.Is(err, ErrTampered) {
		t.Errorf("Load with another machine id: %v, want ErrTampered", err)
	}
	v.MachineID = func() string { return "test-machine" }
	raw[len(raw)-1] ^= 1
	if err := os.WriteFile(filepath.Join(v.dir, FileName), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.Load(ctx); !errors.Is(err, ErrTampered) {
		t.Errorf("Load of a flipped byte: %v, want ErrTampered", err)
	}
	if err := v.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.Load(ctx); !errors.Is(err, ErrNotSet) {
		t.Errorf("Load after Clear: %v, want ErrNotSet", err)
	}
}

func TestKeyringPreferredAndEnvOverrides(t *testing.T) {
	ctx := context.Background()
	keyring.MockInit()
	v := vault(t, OSKeyring(), nil)
	st, err := v.Save(ctx, good)
	if err != nil || st != StoreKeyring {
		t.Fatalf("Save = %v, %v; want keyring", st, err)
	}
	if _, err := os.Stat(filepath.Join(v.dir, FileName)); !os.IsNotExist(err) {
		t.Errorf("a file copy exists beside the keyring: %v", err)
	}
	c, st, err := v.Load(ctx)
	if err != nil || st != StoreKeyring || c != good {
		t.Fatalf("Load = %+v, %v, %v; want keyring", c, st, err)
	}
	v.Getenv = func(k string) string {
		return map[string]string{"CARDPOS_APPID": "wxenv", "CARDPOS_SECRET": "envsecret"}[k]
	}
	c, st, err = v.Load(ctx)
	if err != nil || st != StoreEnv || c.AppID != "wxenv" {
		t.Errorf("Load with env = %+v, %v, %v; want env", c, st, err)
	}
	if err := v.Clear(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestHangingKeyringFallsBackInTime(t *testing.T) {
	ctx := context.Background()
	h := hangingKeyring{release: make(chan struct{})}
	defer close(h.release)
	v := vault(t, h, nil)
	start := time.Now()
	st, err := v.Save(ctx, good)
	if err != nil || st != StoreFile {
		t.Fatalf("Save with a hanging keyring = %v, %v; want file", st, err)
	}
	c, st, err := v.Load(ctx)
	if err != nil || st != StoreFile || c != good {
		t.Fatalf("Load = %+v, %v, %v", c, st, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("save+load took %v with a 50 ms keyring timeout", d)
	}
}

func TestMasked(t *testing.T) {
	if got := good.Masked(); bytes.Contains([]byte(got), []byte(good.AppSecret)) || got != "wx1234567890abcdef / ••••••••" {
		t.Errorf("Masked = %q", got)
	}
}

func TestKeyringLikely(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		goos string
		env  map[string]string
		want bool
	}{
		{"windows", nil, true},
		{"darwin", nil, true},
		{"linux", nil, false},
		{"linux", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"}, true},
		{"freebsd", nil, false},
	} {
		if got := keyringLikely(tc.goos, env(tc.env)); got != tc.want {
			t.Errorf("keyringLikely(%s, %v) = %v, want %v", tc.goos, tc.env, got, tc.want)
		}
	}
}
