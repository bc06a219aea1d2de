-- Dispatch QR campaigns (issue 8): one row per QR code a manager made, so it can be listed and
-- reprinted. created_at is unix milliseconds UTC; expire_seconds 0 means a permanent code.
CREATE TABLE campaigns (
	id             INTEGER PRIMARY KEY,
	name           TEXT    NOT NULL DEFAULT '',
	scene          TEXT    NOT NULL DEFAULT '',
	ticket         TEXT    NOT NULL,
	url            TEXT    NOT NULL CHECK (url <> ''),
	expire_seconds INTEGER NOT NULL DEFAULT 0 CHECK (expire_seconds >= 0),
	is_unique      INTEGER NOT NULL DEFAULT 0,
	created_by     TEXT    NOT NULL DEFAULT '',
	created_at     INTEGER NOT NULL
);

CREATE INDEX campaigns_created ON campaigns(created_at);

-- The card(s) of each campaign in request order: one for QR_CARD, up to five for QR_MULTIPLE_CARD.
CREATE TABLE campaign_cards (
	campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	position    INTEGER NOT NULL,
	card_id     TEXT    NOT NULL CHECK (card_id <> ''),
	PRIMARY KEY (campaign_id, position)
);

CREATE INDEX campaign_cards_card ON campaign_cards(card_id);
