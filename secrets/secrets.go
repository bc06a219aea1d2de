// Package secrets keeps the WeChat AppID and AppSecret. They go to the OS keyring where one
// answers (Windows Credential Manager, macOS Keychain, a Secret Service on Linux) and otherwise
// to an AES-GCM encrypted file in the data folder. Environment variables CARDPOS_APPID and
// CARDPOS_SECRET override both. The secret is never handed back for display: callers show
// Masked and the Store in use.
package secrets

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// Credentials are what WeChat's token endpoint needs.
type Credentials struct {
	AppID     string
	AppSecret string
}

// Masked shows the AppID and dots in place of the secret, for settings screens.
func (c Credentials) Masked() string {
	if c.AppSecret == "" {
		return c.AppID
	}
	return c.AppID + " / ••••••••"
}

// Store says where the credentials came from or went to.
type Store string

// The stores, in the order Load tries them.
const (
	StoreEnv     Store = "env"     // CARDPOS_APPID / CARDPOS_SECRET
	StoreKeyring Store = "keyring" // the OS keyring
	StoreFile    Store = "file"    // the encrypted file in the data folder
	StoreNone    Store = "none"    // nothing saved yet
)

// The errors callers branch on.
var (
	// ErrNotSet says no store holds credentials yet.
	ErrNotSet = errors.New("secrets: no credentials saved")
	// ErrIncomplete says the AppID or AppSecret is empty or malformed.
	ErrIncomplete = errors.New("secrets: AppID and AppSecret are both needed")
	// ErrKeyringTimeout says the keyring did not answer in time.
	ErrKeyringTimeout = errors.New("secrets: keyring did not answer")
	// ErrTampered says the encrypted file does not open with this machine's key.
	ErrTampered = errors.New("secrets: credentials file does not decrypt on this machine")
)

// Keyring is the part of go-keyring Vault uses; tests pass a fake or keyring.MockInit.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

type osKeyring struct{}

func (osKeyring) Get(s, u string) (string, error) { return keyring.Get(s, u) }
func (osKeyring) Set(s, u, p string) error        { return keyring.Set(s, u, p) }
func (osKeyring) Delete(s, u string) error        { return keyring.Delete(s, u) }

// OSKeyring is the real keyring of the operating system.
func OSKeyring() Keyring { return osKeyring{} }

// The file names inside the data folder.
const (
	FileName = "credentials.enc"
	KeyName  = "machine.key"
)

const (
	service     = "CardPOS"
	keyringUser = "wechat-credentials"
	aadPrefix   = "cardpos credentials v1\x00"
)

// Vault loads and saves credentials.
//
// What the encrypted file protects against, honestly: the key is a random 32-byte file
// (machine.key, mode 0600) beside it, bound also to /etc/machine-id where the system has one.
// So credentials.enc alone — copied in a backup, attached to a support ticket, synced to another
// computer — reveals nothing, and a casual look at the data folder shows no secret. It does not
// protect against anyone who can read the data folder as the till's OS user (or as root): they
// have the key too. Only the OS keyring, where available, adds protection beyond file permissions.
type Vault struct {
	dir string
	// Keyring is the keyring to try; nil skips it (the file store only).
	Keyring Keyring
	// KeyringTimeout bounds each keyring call; a headless Linux without an unlocked Secret
	// Service can otherwise hang on D-Bus.
	KeyringTimeout time.Duration
	// Getenv reads the environment; os.Getenv unless a test sets it.
	Getenv func(string) string
	// MachineID returns a stable id of this computer, "" if none; it is mixed into the file's
	// authenticated data.
	MachineID func() string
}

// New returns a Vault whose file store lives in dir, trying the OS keyring first with a
// 3-second timeout. On Linux and the BSDs the keyring is the Secret Service on the session
// D-Bus; with no session bus (DBUS_SESSION_BUS_ADDRESS unset: a headless till, a service) it is
// skipped, because asking for it would make D-Bus autolaunch a bus daemon that outlives CardPOS.
func New(dir string) *Vault {
	var k Keyring = OSKeyring()
	if !keyringLikely(runtime.GOOS, os.Getenv) {
		k = nil
	}
	return &Vault{dir: dir, Keyring: k, KeyringTimeout: 3 * time.Second, Getenv: os.Getenv, MachineID: machineID}
}

// keyringLikely reports whether an OS keyring can answer without starting anything.
func keyringLikely(goos string, getenv func(string) string) bool {
	switch goos {
	case "windows", "darwin":
		return true
	}
	return getenv("DBUS_SESSION_BUS_ADDRESS") != ""
}

// UsesKeyring reports whether the vault tries the OS keyring at all.
func (v *Vault) UsesKeyring() bool { return v.Keyring != nil }

func machineID() string {
	for _, p := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if b, err := os.ReadFile(p); err == nil {
			return strings.TrimSpace(string(b))
		}
	}
	return ""
}

// Check validates credentials before saving: an AppID like wx + 16 hex digits and a 32-character
// secret, as WeChat issues them (test accounts use the same shape).
func Check(c Credentials) error {
	id, sec := strings.TrimSpace(c.AppID), strings.TrimSpace(c.AppSecret)
	if id == "" || sec == "" || id != c.AppID || sec != c.AppSecret {
		return ErrIncomplete
	}
	if !strings.HasPrefix(id, "wx") || len(id) != 18 || len(sec) != 32 {
		return ErrIncomplete
	}
	return nil
}

// Load returns the credentials and the store they came from: the environment if both variables
// are set, else the keyring, else the file. With nothing saved it returns StoreNone and ErrNotSet.
// A keyring that fails or times out is skipped, not an error.
func (v *Vault) Load(ctx context.Context) (Credentials, Store, error) {
	if v.Getenv != nil {
		if id, sec := v.Getenv("CARDPOS_APPID"), v.Getenv("CARDPOS_SECRET"); id != "" && sec != "" {
			return Credentials{AppID: id, AppSecret: sec}, StoreEnv, nil
		}
	}
	if v.Keyring != nil {
		s, err := v.keyringCall(ctx, func(k Keyring) (string, error) { return k.Get(service, keyringUser) })
		if err == nil {
			var c Credentials
			if jerr := json.Unmarshal([]byte(s), &c); jerr == nil && c.AppID != "" && c.AppSecret != "" {
				return c, StoreKeyring, nil
			}
		}
		if ctx.Err() != nil {
			return Credentials{}, StoreNone, ctx.Err()
		}
	}
	c, err := v.readFile()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Credentials{}, StoreNone, ErrNotSet
	case err != nil:
		return Credentials{}, StoreNone, err
	}
	return c, StoreFile, nil
}

// Save checks c and stores it in the keyring if one answers, removing any file copy; otherwise
// in the encrypted file. It reports the store used. The environment is never written.
func (v *Vault) Save(ctx context.Context, c Credentials) (Store, error) {
	if err := Check(c); err != nil {
		return StoreNone, err
	}
	data, err := json.Marshal(c)
	if err != nil {
		return StoreNone, fmt.Errorf("secrets: encode: %w", err)
	}
	if v.Keyring != nil {
		_, kerr := v.keyringCall(ctx, func(k Keyring) (string, error) { return "", k.Set(service, keyringUser, string(data)) })
		if kerr == nil {
			if err := os.Remove(filepath.Join(v.dir, FileName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return StoreKeyring, fmt.Errorf("secrets: remove old file copy: %w", err)
			}
			return StoreKeyring, nil
		}
		if ctx.Err() != nil {
			return StoreNone, ctx.Err()
		}
	}
	if err := v.writeFile(data); err != nil {
		return StoreNone, err
	}
	return StoreFile, nil
}

// Clear removes the credentials from the keyring and the file. A keyring that does not answer
// is ignored unless it still returns the item.
func (v *Vault) Clear(ctx context.Context) error {
	if v.Keyring != nil {
		// A keyring that fails is fine unless it still holds the item afterwards.
		_, err := v.keyringCall(ctx, func(k Keyring) (string, error) { return "", k.Delete(service, keyringUser) })
		if err != nil && !errors.Is(err, keyring.ErrNotFound) {
			if _, gerr := v.keyringCall(ctx, func(k Keyring) (string, error) { return k.Get(service, keyringUser) }); gerr == nil {
				return fmt.Errorf("secrets: keyring delete: %w", err)
			}
		}
	}
	if err := os.Remove(filepath.Join(v.dir, FileName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("secrets: remove file: %w", err)
	}
	return nil
}

// keyringCall runs fn on its own goroutine and waits at most KeyringTimeout or until ctx ends.
// The goroutine is owned by the keyring call itself: a hung D-Bus call cannot be cancelled, so
// on timeout it is left to finish (or fail at D-Bus's own timeout) and its result is dropped.
func (v *Vault) keyringCall(ctx context.Context, fn func(Keyring) (string, error)) (string, error) {
	type res struct {
		s   string
		err error
	}
	ch := make(chan res, 1)
	go func() {
		s, err := fn(v.Keyring)
		ch <- res{s, err}
	}()
	timeout := v.KeyringTimeout
	if timeout <= 0 {
		timeout = 3 * time.Second
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-t.C:
		return "", ErrKeyringTimeout
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (v *Vault) key() ([]byte, error) {
	path := filepath.Join(v.dir, KeyName)
	k, err := os.ReadFile(path)
	if err == nil {
		if len(k) != 32 {
			return nil, fmt.Errorf("secrets: %s is not a 32-byte key: %w", KeyName, ErrTampered)
		}
		return k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("secrets: read key: %w", err)
	}
	if err := os.MkdirAll(v.dir, 0o700); err != nil {
		return nil, fmt.Errorf("secrets: data folder: %w", err)
	}
	k = make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("secrets: new key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("secrets: write key: %w", err)
	}
	if _, err := f.Write(k); err != nil {
		f.Close()
		return nil, fmt.Errorf("secrets: write key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("secrets: write key: %w", err)
	}
	return k, nil
}

func (v *Vault) aead() (cipher.AEAD, []byte, error) {
	k, err := v.key()
	if err != nil {
		return nil, nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, nil, fmt.Errorf("secrets: cipher: %w", err)
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		return nil, nil, fmt.Errorf("secrets: cipher: %w", err)
	}
	mid := ""
	if v.MachineID != nil {
		mid = v.MachineID()
	}
	return g, []byte(aadPrefix + mid), nil
}

func (v *Vault) writeFile(plain []byte) error {
	g, aad, err := v.aead()
	if err != nil {
		return err
	}
	nonce := make([]byte, g.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("secrets: nonce: %w", err)
	}
	out := g.Seal(nonce, nonce, plain, aad)
	tmp := filepath.Join(v.dir, FileName+".tmp")
	if err := os.WriteFile(tmp, out, 0o600); err != nil {
		return fmt.Errorf("secrets: write file: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(v.dir, FileName)); err != nil {
		return fmt.Errorf("secrets: write file: %w", err)
	}
	return nil
}

func (v *Vault) readFile() (Credentials, error) {
	data, err := os.ReadFile(filepath.Join(v.dir, FileName))
	if err != nil {
		return Credentials{}, err
	}
	if _, err := os.Stat(filepath.Join(v.dir, KeyName)); err != nil {
		return Credentials{}, fmt.Errorf("secrets: key file missing: %w", ErrTampered)
	}
	g, aad, err := v.aead()
	if err != nil {
		return Credentials{}, err
	}
	if len(data) < g.NonceSize() {
		return Credentials{}, ErrTampered
	}
	plain, err := g.Open(nil, data[:g.NonceSize()], data[g.NonceSize():], aad)
	if err != nil {
		return Credentials{}, ErrTampered
	}
	var c Credentials
	if err := json.Unmarshal(plain, &c); err != nil {
		return Credentials{}, fmt.Errorf("secrets: decode file: %w", err)
	}
	return c, nil
}
