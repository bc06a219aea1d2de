package storage

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCampaignsRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	in := []Campaign{
		{Name: "门口海报", CardIDs: []string{"pCASH1"}, Scene: "door", Ticket: "t1", URL: "http://weixin.qq.com/q/a",
			CreatedBy: "王经理", CreatedAt: 1000},
		{Name: "桌牌", CardIDs: []string{"pCASH1", "pDISC2", "pGIFT3"}, Scene: "table-01", Ticket: "t2",
			URL: "http://weixin.qq.com/q/b", ExpireSeconds: 1800, Unique: true, CreatedBy: "li", CreatedAt: 2000},
	}
	for i := range in {
		if err := db.SaveCampaign(ctx, &in[i]); err != nil {
			t.Fatalf("SaveCampaign %d: %v", i, err)
		}
		if in[i].ID == 0 {
			t.Fatalf("SaveCampaign %d left ID 0", i)
		}
	}
	if in[0].ID == in[1].ID {
		t.Fatalf("two campaigns share ID %d", in[0].ID)
	}

	got, err := db.Campaigns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Campaign{in[1], in[0]} // newest first
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Campaigns (-want +got):\n%s", diff)
	}

	one, err := db.CampaignByID(ctx, in[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in[1], *one); diff != "" {
		t.Errorf("CampaignByID (-want +got):\n%s", diff)
	}

	if _, err := db.CampaignByID(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("CampaignByID(999) error = %v, want ErrNotFound", err)
	}
}

func TestSaveCampaignRejectsIncomplete(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for name, c := range map[string]*Campaign{
		"nil":        nil,
		"no url":     {CardIDs: []string{"p1"}, Ticket: "t"},
		"no cards":   {URL: "http://weixin.qq.com/q/x"},
		"empty card": {URL: "http://weixin.qq.com/q/x", CardIDs: []string{""}},
	} {
		if err := db.SaveCampaign(ctx, c); !errors.Is(err, ErrInvalidCampaign) {
			t.Errorf("%s: error = %v, want ErrInvalidCampaign", name, err)
		}
	}
	list, err := db.Campaigns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 0 {
		t.Errorf("Campaigns after rejected saves = %d rows, want 0", len(list))
	}
}
