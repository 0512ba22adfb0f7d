-- Imports at national scale (43 forces, 13 million crimes over 24 months).
-- Crime IDs are random hashes, so an index on them took a random page for
-- every stored crime and each imported file rewrote most of it.  Face-match,
-- the only query that looks crimes up by ID, builds the index when it needs
-- it (store.c) and an import drops it again.
DROP INDEX IF EXISTS crimes_crime_id;
-- The cube is kept by counting each file's rows as they are stored, so no
-- query reads crimes by month any more.
DROP INDEX IF EXISTS crimes_month;
-- Outcomes name crimes by the same random IDs, and no query reads them by ID.
DROP INDEX IF EXISTS outcomes_crime;
-- A source's rows are stored in one transaction, so their ids are
-- consecutive: the source keeps their span, and superseding finds them by it
-- instead of by an index on source_id that every stored row paid for.
ALTER TABLE sources ADD COLUMN first_row INTEGER;
ALTER TABLE sources ADD COLUMN last_row INTEGER;
UPDATE sources SET first_row = (SELECT min(id) FROM crimes WHERE source_id = sources.id),
  last_row = (SELECT max(id) FROM crimes WHERE source_id = sources.id) WHERE kind IN ('street', 'force');
UPDATE sources SET first_row = (SELECT min(id) FROM outcomes WHERE source_id = sources.id),
  last_row = (SELECT max(id) FROM outcomes WHERE source_id = sources.id) WHERE kind = 'outcomes';
UPDATE sources SET first_row = (SELECT min(id) FROM stop_search WHERE source_id = sources.id),
  last_row = (SELECT max(id) FROM stop_search WHERE source_id = sources.id) WHERE kind = 'stop-and-search';
DROP INDEX IF EXISTS crimes_source;
DROP INDEX IF EXISTS outcomes_source;
DROP INDEX IF EXISTS stop_search_source;
