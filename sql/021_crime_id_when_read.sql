-- crime_records loses its generated column crime_id_text (020).  SQLite
-- computes every generated column of a row as it is inserted, VIRTUAL ones
-- too, so each stored crime paid for typeof(), hex() and lower() on its
-- Crime ID, two strings allocated and freed: a fifth of the storing thread's
-- time in an import.  The views now spell the Crime ID out as they read it.
-- outcome_records keeps its crime_id_text: a join of outcomes and
-- street_crimes on "Crime ID" gets its automatic index on that column
-- (see street_crimes below).
--
-- A column cannot be dropped here (DROP COLUMN finds the wrong comma in the
-- table's commented CREATE text), so the table is made again, keeping every
-- row id: crime_areas, crime_id_runs and the sources' row spans stay valid.
-- Foreign keys are on while migrating, so crime_areas, which refers to the
-- table, is made again too (dropping a parent would cascade into it).

DROP VIEW street_crimes;
DROP VIEW crimes;
ALTER TABLE crime_records RENAME TO crime_records_v20;
CREATE TABLE crime_records (
  id           INTEGER PRIMARY KEY,
  source_id    INTEGER NOT NULL REFERENCES sources(id),
  line         INTEGER NOT NULL,   -- the line the row starts on
  kind         INTEGER NOT NULL,   -- texts: 'street' or 'force'
  crime_id,                        -- BLOB of 32 bytes for 64 lowercase hex digits, else TEXT; NULL when none
  month        INTEGER NOT NULL,
  reported_by  INTEGER,
  falls_within INTEGER,
  lon          INTEGER,            -- 1e-6 degrees
  lat          INTEGER,
  location     INTEGER,
  lsoa_code    INTEGER,
  lsoa_name    INTEGER,
  category     INTEGER NOT NULL,
  last_outcome INTEGER,
  context      INTEGER,
  area_value   INTEGER,            -- force exports: the mapped area column
  offence_code INTEGER,
  date         INTEGER,            -- force exports: the date as written
  raw          BLOB                -- the row as the file had it, when the values do not give it back
);
INSERT INTO crime_records (id, source_id, line, kind, crime_id, month, reported_by, falls_within, lon, lat, location,
                           lsoa_code, lsoa_name, category, last_outcome, context, area_value, offence_code, date, raw)
  SELECT id, source_id, line, kind, crime_id, month, reported_by, falls_within, lon, lat, location,
         lsoa_code, lsoa_name, category, last_outcome, context, area_value, offence_code, date, raw
  FROM crime_records_v20 ORDER BY id;

CREATE TABLE crime_areas_v21 (
  area  INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
  crime INTEGER NOT NULL REFERENCES crime_records(id) ON DELETE CASCADE,
  PRIMARY KEY (area, crime)
) WITHOUT ROWID;
INSERT INTO crime_areas_v21 (area, crime) SELECT area, crime FROM crime_areas;
DROP TABLE crime_areas;
ALTER TABLE crime_areas_v21 RENAME TO crime_areas;
CREATE INDEX crime_areas_crime ON crime_areas(crime);
DROP TABLE crime_records_v20;

-- The views of 020, the Crime ID written out as it is read.

-- Every crime, with crimetab's column names (those of the tables before 020).
CREATE VIEW crimes AS
SELECT c.id, c.source_id, c.line, k.text AS kind, CASE WHEN typeof(c.crime_id) = 'blob' THEN lower(hex(c.crime_id)) ELSE c.crime_id END AS crime_id,
       c.month, coalesce(fw.text, rb.text, src.force) AS force, rb.text AS reported_by, fw.text AS falls_within,
       c.lon / 1e6 AS lon, c.lat / 1e6 AS lat, lo.text AS location, lc.text AS lsoa_code, ln.text AS lsoa_name,
       ca.text AS category, lou.text AS last_outcome, cx.text AS context, av.text AS area_value,
       oc.text AS offence_code, dt.text AS date
FROM crime_records c
JOIN texts k ON k.id = c.kind
LEFT JOIN sources src ON src.id = c.source_id   -- a police.uk API row names no force: its source's
LEFT JOIN texts rb ON rb.id = c.reported_by
LEFT JOIN texts fw ON fw.id = c.falls_within
LEFT JOIN texts lo ON lo.id = c.location
LEFT JOIN texts lc ON lc.id = c.lsoa_code
LEFT JOIN texts ln ON ln.id = c.lsoa_name
LEFT JOIN texts ca ON ca.id = c.category
LEFT JOIN texts lou ON lou.id = c.last_outcome
LEFT JOIN texts cx ON cx.id = c.context
LEFT JOIN texts av ON av.id = c.area_value
LEFT JOIN texts oc ON oc.id = c.offence_code
LEFT JOIN texts dt ON dt.id = c.date;

-- police.uk street data as in the files: Month as YYYY-MM, coordinates as
-- numbers, an empty field as NULL.  "+kind" keeps SQLite from building an
-- automatic index on kind: with one, it guessed a street-only scan small and
-- joined outcomes to street_crimes in that order, a scan of the crimes per
-- outcome, where the other order probes an automatic index on outcomes'
-- crime_id_text.
CREATE VIEW street_crimes AS
SELECT crime_id AS "Crime ID", printf('%04d-%02d', month / 12, month % 12 + 1) AS "Month",
       reported_by AS "Reported by", falls_within AS "Falls within", lon AS "Longitude", lat AS "Latitude",
       location AS "Location", lsoa_code AS "LSOA code", lsoa_name AS "LSOA name", category AS "Crime type",
       last_outcome AS "Last outcome category", context AS "Context"
FROM crimes WHERE +kind = 'street';
