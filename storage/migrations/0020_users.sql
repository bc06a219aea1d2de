-- People who sign in at the till, and the typed settings (package settings) as key/value rows.
-- Times are unix milliseconds UTC. pin_hash is an encoded argon2id string, never a PIN.
CREATE TABLE users (
	name            TEXT PRIMARY KEY,
	role            TEXT    NOT NULL CHECK (role IN ('cashier','manager')),
	pin_hash        TEXT    NOT NULL,
	failed_attempts INTEGER NOT NULL DEFAULT 0,
	locked_until    INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL
);

CREATE TABLE settings (
	key        TEXT PRIMARY KEY,
	value      TEXT    NOT NULL,
	updated_at INTEGER NOT NULL DEFAULT 0,
	updated_by TEXT    NOT NULL DEFAULT ''
);
