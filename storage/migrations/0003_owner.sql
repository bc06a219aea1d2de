-- Which process (storage.DB) holds a row in checking or in_flight, so a row left by a crashed
-- process is recognised at once instead of after its lease.
ALTER TABLE redemptions ADD COLUMN owner TEXT NOT NULL DEFAULT '';
