-- A portal token may be read-only: the API refuses its writes.
ALTER TABLE tokens ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;
