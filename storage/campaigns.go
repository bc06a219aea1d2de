package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidCampaign is returned by SaveCampaign for a campaign without a url or without cards.
var ErrInvalidCampaign = errors.New("storage: campaign needs a url and at least one card")

// SaveCampaign inserts c and its cards in one transaction and sets c.ID. c.CreatedAt must be set
// by the caller (unix ms).
func (db *DB) SaveCampaign(ctx context.Context, c *Campaign) error {
	if c == nil || strings.TrimSpace(c.URL) == "" || len(c.CardIDs) == 0 {
		return ErrInvalidCampaign
	}
	for _, id := range c.CardIDs {
		if id == "" {
			return ErrInvalidCampaign
		}
	}
	var id int64
	err := db.Write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = insertCampaign(ctx, tx, c)
		return err
	})
	if err != nil {
		return err
	}
	c.ID = id
	return nil
}

func insertCampaign(ctx context.Context, tx *sql.Tx, c *Campaign) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO campaigns
		(name, scene, ticket, url, expire_seconds, is_unique, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Name, c.Scene, c.Ticket, c.URL, c.ExpireSeconds, c.Unique, c.CreatedBy, c.CreatedAt)
	if err != nil {
		return 0, fmt.Errorf("storage: save campaign: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("storage: save campaign: %w", err)
	}
	for i, card := range c.CardIDs {
		if _, err := tx.ExecContext(ctx,
			"INSERT INTO campaign_cards (campaign_id, position, card_id) VALUES (?, ?, ?)", id, i, card); err != nil {
			return 0, fmt.Errorf("storage: save campaign card: %w", err)
		}
	}
	return id, nil
}

// Campaigns lists every campaign, newest first.
func (db *DB) Campaigns(ctx context.Context) ([]Campaign, error) {
	var out []Campaign
	err := db.Read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = selectCampaigns(ctx, tx, "ORDER BY c.created_at DESC, c.id DESC")
		return err
	})
	return out, err
}

// CampaignByID returns one campaign; an unknown id gives an error wrapping ErrNotFound.
func (db *DB) CampaignByID(ctx context.Context, id int64) (*Campaign, error) {
	var out []Campaign
	err := db.Read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = selectCampaigns(ctx, tx, "WHERE c.id = ?", id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("storage: campaign %d: %w", id, ErrNotFound)
	}
	return &out[0], nil
}

// selectCampaigns reads campaigns with their cards; tail is the WHERE / ORDER BY clause.
func selectCampaigns(ctx context.Context, tx *sql.Tx, tail string, args ...any) ([]Campaign, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.name, c.scene, c.ticket, c.url, c.expire_seconds,
		c.is_unique, c.created_by, c.created_at FROM campaigns c `+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: list campaigns: %w", err)
	}
	defer rows.Close()
	var out []Campaign
	index := map[int64]int{}
	for rows.Next() {
		var c Campaign
		if err := rows.Scan(&c.ID, &c.Name, &c.Scene, &c.Ticket, &c.URL, &c.ExpireSeconds,
			&c.Unique, &c.CreatedBy, &c.CreatedAt); err != nil {
			return nil, fmt.Errorf("storage: list campaigns: %w", err)
		}
		index[c.ID] = len(out)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: list campaigns: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	cards, err := tx.QueryContext(ctx, `SELECT campaign_id, card_id FROM campaign_cards
		WHERE campaign_id IN (SELECT c.id FROM campaigns c `+tail+`) ORDER BY campaign_id, position`, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: list campaign cards: %w", err)
	}
	defer cards.Close()
	for cards.Next() {
		var id int64
		var card string
		if err := cards.Scan(&id, &card); err != nil {
			return nil, fmt.Errorf("storage: list campaign cards: %w", err)
		}
		if i, ok := index[id]; ok {
			out[i].CardIDs = append(out[i].CardIDs, card)
		}
	}
	if err := cards.Err(); err != nil {
		return nil, fmt.Errorf("storage: list campaign cards: %w", err)
	}
	return out, nil
}
