-- Attempts no longer reference their message and endpoint by foreign key. Checking a
-- reference locks the row it names, so every attempt recorded dirtied its message's page and
-- wrote a lock record to the WAL: about a quarter of the database's CPU per delivery. The
-- store removes an endpoint's attempts with the endpoint (and an application's with it), and
-- records an attempt only while its endpoint exists. SQLite keeps its references: checking
-- one there takes no lock.
ALTER TABLE attempts DROP CONSTRAINT IF EXISTS attempts_msg_id_fkey;
ALTER TABLE attempts DROP CONSTRAINT IF EXISTS attempts_endpoint_id_fkey;
