-- The redemption journal and offline queue. Times are unix milliseconds UTC, money in fen.
CREATE TABLE redemptions (
	id                  INTEGER PRIMARY KEY,
	code                TEXT    NOT NULL,
	card_id             TEXT    NOT NULL DEFAULT '',
	title               TEXT    NOT NULL DEFAULT '',
	card_type           TEXT    NOT NULL DEFAULT '',
	face_value          INTEGER NOT NULL DEFAULT 0,
	source              TEXT    NOT NULL DEFAULT '',
	cashier             TEXT    NOT NULL DEFAULT '',
	terminal            TEXT    NOT NULL DEFAULT '',
	state               TEXT    NOT NULL CHECK (state IN
		('checking','redeemed','rejected','queued','in_flight','conflict','expired','resolved')),
	offline             INTEGER NOT NULL DEFAULT 0,
	attempts            INTEGER NOT NULL DEFAULT 0,
	last_error          TEXT    NOT NULL DEFAULT '',
	err_code            INTEGER NOT NULL DEFAULT 0,
	next_attempt_at     INTEGER NOT NULL DEFAULT 0,
	created_at          INTEGER NOT NULL,
	updated_at          INTEGER NOT NULL,
	redeemed_at         INTEGER NOT NULL DEFAULT 0,
	confirmed_by_status INTEGER NOT NULL DEFAULT 0,
	reason              TEXT    NOT NULL DEFAULT '',
	conflict_detail     TEXT    NOT NULL DEFAULT '',
	resolved_by         TEXT    NOT NULL DEFAULT '',
	resolved_note       TEXT    NOT NULL DEFAULT ''
);

-- One open redemption per code: a re-scan after a crash cannot queue a code twice.
CREATE UNIQUE INDEX redemptions_open_code ON redemptions(code)
	WHERE state IN ('checking','queued','in_flight','conflict');
CREATE INDEX redemptions_queue ON redemptions(state, id) WHERE state IN ('queued','in_flight','checking');
CREATE INDEX redemptions_created ON redemptions(created_at);
CREATE INDEX redemptions_code ON redemptions(code);

CREATE TABLE audit_log (
	id     INTEGER PRIMARY KEY,
	at     INTEGER NOT NULL,
	actor  TEXT    NOT NULL,
	action TEXT    NOT NULL,
	detail TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);

-- The card catalog cache: one wxapi.Card as JSON per card id.
CREATE TABLE cards (
	card_id      TEXT PRIMARY KEY,
	card_type    TEXT    NOT NULL,
	data         TEXT    NOT NULL,
	refreshed_at INTEGER NOT NULL
);

-- Small key/value facts the engine keeps (the offline policy, the last catalog refresh).
CREATE TABLE engine_state (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
