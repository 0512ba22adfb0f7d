-- Face-match runs that hold across months, protect the people counted and
-- say how they were made (issue 15).
--
-- Deleted face-match rows are overwritten, not just unlinked: this
-- connection runs with secure_delete on from here (crimetab turns it on
-- again whenever it deletes sightings).
PRAGMA secure_delete = ON;

-- Runs are replaced by plugin name (not "name version", not path), and carry
-- their provenance: what the plugin said in its run information (ABI 1.1)
-- and what the host measured (hashes of the plugin file and its inputs).
ALTER TABLE fm_runs ADD COLUMN plugin_name TEXT;
ALTER TABLE fm_runs ADD COLUMN plugin_version TEXT;
ALTER TABLE fm_runs ADD COLUMN plugin_sha256 TEXT;   -- of the file loaded, hex
ALTER TABLE fm_runs ADD COLUMN abi TEXT;             -- the plugin's ABI, "1.1"
ALTER TABLE fm_runs ADD COLUMN identity TEXT;        -- 'persistent' or 'run' (keys stable within one run only)
ALTER TABLE fm_runs ADD COLUMN model TEXT;
ALTER TABLE fm_runs ADD COLUMN model_version TEXT;
ALTER TABLE fm_runs ADD COLUMN similarity TEXT;
ALTER TABLE fm_runs ADD COLUMN threshold REAL;
ALTER TABLE fm_runs ADD COLUMN gallery_name TEXT;
ALTER TABLE fm_runs ADD COLUMN gallery_version TEXT;
ALTER TABLE fm_runs ADD COLUMN gallery_hash TEXT;
ALTER TABLE fm_runs ADD COLUMN options TEXT;         -- the plugin's effective options
ALTER TABLE fm_runs ADD COLUMN inputs TEXT;          -- "PATH sha256:HEX" per input, one a line
UPDATE fm_runs SET
  plugin_name = substr(plugin, 1, instr(plugin || ' ', ' ') - 1),
  plugin_version = nullif(substr(plugin, instr(plugin || ' ', ' ') + 1), ''),
  identity = 'run';

-- A person reviewed and confirmed the match; the camera or site it came from.
ALTER TABLE fm_sightings ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE fm_sightings ADD COLUMN site TEXT;

-- Keys are now stored only as a keyed hash (HMAC-SHA-256 with a secret kept
-- outside the database).  Keys stored before were the plugin's own, e.g.
-- watchlist ids: each distinct one becomes a random value, so counts stay
-- as they were and nothing left here names a gallery entry.  Such rows can
-- no longer be linked to later runs; re-running their months re-keys them.
CREATE TEMP TABLE fm_legacy_keys AS
  SELECT individual AS k, randomblob(32) AS h FROM fm_sightings GROUP BY individual;
UPDATE fm_sightings SET individual = (SELECT h FROM fm_legacy_keys WHERE k = fm_sightings.individual);
DROP TABLE fm_legacy_keys;

-- merges re-key by individual
CREATE INDEX fm_sightings_individual ON fm_sightings(individual);

-- Retention: the database's policy, applied on every face-match run, and
-- the instant before which the plugin's own state must forget what it
-- learned (raised by retention and by purge --before).
CREATE TABLE fm_policy (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  retain_months INTEGER,                     -- NULL: no limit
  forget_before INTEGER                      -- Unix seconds, or NULL
);
INSERT INTO fm_policy (id) VALUES (1);
