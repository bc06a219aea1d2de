package wxapi

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/cardpos/cardpos/wxapi/wxsim"
)

// With the emulator on a real listener, "network down" is a refused dial: a consume then is
// certainly not applied, and the client says so; when the network is back the same client works.
func TestDownIsRefusedAndNotSent(t *testing.T) {
	sim, err := wxsim.New(wxsim.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run, err := wxsim.Start(ctx, sim, "", "")
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := New(Config{BaseURL: run.URL, AppID: sim.AppID(), Secret: sim.Secret(), HTTPClient: &http.Client{Transport: tr, Timeout: 10 * time.Second}})
	if err := c.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	sim.SetFaults(wxsim.Faults{Down: true})
	// The emulator closed the idle keep-alive connection too; a busy machine may not have told
	// the transport yet, and a request written onto that dead connection is honestly "maybe
	// sent". Drop it, so the dial that follows meets the closed port.
	tr.CloseIdleConnections()
	_, err = c.ConsumeCode(ctx, "100000000001", "")
	if !IsNetworkError(err) || !IsNotSent(err) {
		t.Fatalf("err = %v: network %v, not sent %v; want both", err, IsNetworkError(err), IsNotSent(err))
	}
	if st, _ := sim.CodeStatus("100000000001"); st != "NORMAL" {
		t.Errorf("status while down = %s, want NORMAL", st)
	}
	if key, _ := Describe(err); key != "wx.client.not_sent" {
		t.Errorf("Describe = %s, want wx.client.not_sent", key)
	}
	sim.SetFaults(wxsim.Faults{})
	if _, err := c.ConsumeCode(ctx, "100000000001", ""); err != nil {
		t.Errorf("consume after the network is back: %v", err)
	}
}
