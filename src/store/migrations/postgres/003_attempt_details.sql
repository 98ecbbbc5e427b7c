-- What each attempt sent, and where to: the request's headers as JSON (sensitive values
-- masked before they are stored), and whether the request went to a private address that
-- the allowed subnets let through (its response is then the operator's to read, not the
-- application's). Attempts recorded before this have no headers and count as not private.
ALTER TABLE attempts ADD COLUMN request_headers TEXT;
ALTER TABLE attempts ADD COLUMN private_destination INTEGER NOT NULL DEFAULT 0;
