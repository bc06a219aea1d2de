package redeem

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cardpos/cardpos/storage"
	"github.com/cardpos/cardpos/wxapi"
)

// CatalogStatuses are the card statuses the catalog refresh asks batchget for: the cards a
// counter can meet.
var CatalogStatuses = []string{"CARD_STATUS_VERIFY_OK", "CARD_STATUS_DISPATCH"}

// Cards returns the card catalog from the local cache; with refresh it first fetches it again
// from WeChat (batchget, then get for each card).
func (s *Service) Cards(ctx context.Context, refresh bool) ([]wxapi.Card, error) {
	if refresh {
		if err := s.RefreshCatalog(ctx); err != nil {
			return nil, err
		}
	}
	return s.cachedCards(ctx)
}

func (s *Service) cachedCards(ctx context.Context) ([]wxapi.Card, error) {
	rows, err := s.db.Cards(ctx)
	if err != nil {
		return nil, fmt.Errorf("redeem: catalog: %w", err)
	}
	out := make([]wxapi.Card, 0, len(rows))
	for _, r := range rows {
		var c wxapi.Card
		if err := json.Unmarshal(r.JSON, &c); err != nil {
			s.log.Warn("unreadable cached card skipped", "card_id", r.ID, "err", err)
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// RefreshCatalog replaces the cached catalog with WeChat's current one. On any failure the old
// cache stays as it was.
func (s *Service) RefreshCatalog(ctx context.Context) error {
	if s.wx == nil {
		return ErrNoWeChat
	}
	ids, err := s.wx.BatchGetCards(ctx, CatalogStatuses)
	if err != nil {
		return fmt.Errorf("redeem: list cards: %w", err)
	}
	cards := make([]storage.CachedCard, 0, len(ids))
	for _, id := range ids {
		c, err := s.wx.GetCard(ctx, id)
		if err != nil {
			return fmt.Errorf("redeem: read card %s: %w", id, err)
		}
		row, err := cacheRow(c)
		if err != nil {
			return err
		}
		cards = append(cards, row)
	}
	if err := s.db.PutCards(ctx, cards, s.now().UnixMilli(), true); err != nil {
		return fmt.Errorf("redeem: store catalog: %w", err)
	}
	return nil
}

func cacheRow(c *wxapi.Card) (storage.CachedCard, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return storage.CachedCard{}, fmt.Errorf("redeem: encode card %s: %w", c.ID, err)
	}
	return storage.CachedCard{ID: c.ID, Type: string(c.Type), JSON: data}, nil
}

// card returns one card from the cache; when it is missing and fetch is set, from WeChat (and
// caches it) within ctx's deadline, or LookupWait when ctx has none. nil when unknown.
func (s *Service) card(ctx context.Context, cardID string, fetch bool) *wxapi.Card {
	if cardID == "" {
		return nil
	}
	if row, err := s.db.Card(ctx, cardID); err == nil {
		var c wxapi.Card
		if err := json.Unmarshal(row.JSON, &c); err == nil {
			return &c
		}
	}
	if !fetch || s.wx == nil {
		return nil
	}
	lctx := ctx
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		lctx, cancel = context.WithTimeout(ctx, s.Policy().LookupWait)
		defer cancel()
	}
	c, err := s.wx.GetCard(lctx, cardID)
	if err != nil {
		s.log.Warn("card/get failed; showing the code without card details", "card_id", cardID, "err", err)
		return nil
	}
	if row, err := cacheRow(c); err == nil {
		if err := s.db.PutCards(ctx, []storage.CachedCard{row}, s.now().UnixMilli(), false); err != nil {
			s.log.Warn("caching card failed", "card_id", cardID, "err", err)
		}
	}
	return c
}
