package campaign

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	"github.com/cardpos/cardpos/wxapi"
	"github.com/cardpos/cardpos/wxapi/wxsim"
)

// emulated returns a real *wxapi.Client talking to the WeChat emulator over HTTP, and the ids of
// the demo account's CASH and DISCOUNT cards.
func emulated(t *testing.T) (*wxapi.Client, string, string) {
	t.Helper()
	sim, err := wxsim.New(wxsim.Options{Seed: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	client := wxapi.New(wxapi.Config{BaseURL: srv.URL, AppID: sim.AppID(), Secret: sim.Secret()})
	var cash, discount string
	for _, s := range sim.Samples() {
		switch {
		case s.CardType == "CASH" && cash == "":
			cash = s.CardID
		case s.CardType == "DISCOUNT" && discount == "":
			discount = s.CardID
		}
	}
	if cash == "" || discount == "" {
		t.Fatalf("demo seed has no CASH and DISCOUNT cards: %+v", sim.Samples())
	}
	return client, cash, discount
}

func TestPosterAgainstEmulator(t *testing.T) {
	pdfTools(t)
	client, cash, discount := emulated(t)
	s, db := newService(t, client)
	ctx := context.Background()

	var buf bytes.Buffer
	list, err := s.Poster(ctx, PosterRequest{CardIDs: []string{cash}, Scenes: []string{"table-01", "table-02"},
		Size: SizeA4, CreatedBy: "manager"}, &buf, FormatPDF)
	if err != nil {
		t.Fatal(err)
	}
	// The emulator derives ticket and url from the request, so asking again for the same scene
	// shows exactly which url it returned for each.
	for _, c := range list {
		qr, err := client.CreateQRCode(ctx, wxapi.QRCodeRequest{Cards: []wxapi.QRCard{{CardID: cash, OuterStr: c.Scene}}})
		if err != nil {
			t.Fatal(err)
		}
		if qr.URL != c.URL || qr.Ticket != c.Ticket {
			t.Errorf("scene %s: saved url %q ticket %q, emulator gives %q %q", c.Scene, c.URL, c.Ticket, qr.URL, qr.Ticket)
		}
	}
	checkBatch(t, buf.Bytes(), list)
	text := pdfText(t, buf.Bytes())
	for _, w := range []string{"满100减20元券", "满100减20"} {
		if !bytes.Contains([]byte(text), []byte(w)) {
			t.Errorf("pdftotext lacks %q", w)
		}
	}

	// Several cards in one code: QR_MULTIPLE_CARD.
	multi, err := s.Create(ctx, CreateRequest{CardIDs: []string{cash, discount}, Scene: "door"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.CampaignByID(ctx, multi.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.CardIDs) != 2 || got.URL == "" || got.URL == list[0].URL {
		t.Errorf("multi-card campaign %+v", got)
	}
}
