-- The compact store (issue 16): every repeated string once, in texts; a
-- police.uk Crime ID as 32 bytes; coordinates as integers of 1e-6 degrees;
-- months as integers (year * 12 + month - 1); and enough of each file kept
-- (its header bytes, line ending, and the text of any row its stored values
-- would not give back exactly) for `crimetab export --raw` to give the file
-- back byte for byte.  The old tables' rows are converted here, in place,
-- keeping their ids (crime_areas and the sources' row spans stay valid).
-- Analysts' SQL reads the views at the end: street_crimes, outcomes and
-- stop_and_search with police.uk's column names, and crimes and stop_search
-- with crimetab's own.
--
-- crimetab_crime_id(), crimetab_id_key(), crimetab_id_run() and
-- crimetab_csv() are defined by crimetab (src/store) on the connection that
-- migrates.

-- Every text value of the stored rows, once.  No index on text: crimetab
-- keeps the table in memory while it imports, and the views join by id.
CREATE TABLE texts (
  id   INTEGER PRIMARY KEY,
  text TEXT NOT NULL
);

-- What export --raw needs besides the rows (NULL for sources imported before
-- this version, whose raw export is checked against their SHA-256 instead).
ALTER TABLE sources ADD COLUMN head BLOB;  -- the bytes up to the first row: a BOM, blank lines, the header line
ALTER TABLE sources ADD COLUMN eol TEXT;   -- how its rows end: '\n', '\r\n', '\r' or ''
ALTER TABLE sources ADD COLUMN tail BLOB;  -- the bytes after the last row (blank lines), NULL when none
ALTER TABLE rejects ADD COLUMN span BLOB;  -- the row's bytes in the file, when not its raw text and the file's line ending

-- Converting: every distinct text once, then the rows with ids for texts.
-- The index exists only while the old rows are converted.
INSERT INTO texts (text)
  SELECT v FROM (
    SELECT kind AS v FROM crimes UNION SELECT reported_by FROM crimes UNION SELECT falls_within FROM crimes
    UNION SELECT location FROM crimes UNION SELECT lsoa_code FROM crimes UNION SELECT lsoa_name FROM crimes
    UNION SELECT category FROM crimes UNION SELECT last_outcome FROM crimes UNION SELECT context FROM crimes
    UNION SELECT area_value FROM crimes UNION SELECT offence_code FROM crimes
    UNION SELECT reported_by FROM outcomes UNION SELECT falls_within FROM outcomes
    UNION SELECT location FROM outcomes UNION SELECT lsoa_code FROM outcomes UNION SELECT lsoa_name FROM outcomes
    UNION SELECT outcome_type FROM outcomes
    UNION SELECT type FROM stop_search UNION SELECT part_of_operation FROM stop_search
    UNION SELECT operation FROM stop_search UNION SELECT gender FROM stop_search
    UNION SELECT age_range FROM stop_search UNION SELECT self_ethnicity FROM stop_search
    UNION SELECT officer_ethnicity FROM stop_search UNION SELECT legislation FROM stop_search
    UNION SELECT object_of_search FROM stop_search UNION SELECT outcome FROM stop_search
    UNION SELECT outcome_linked FROM stop_search UNION SELECT removal_of_clothing FROM stop_search
  ) WHERE v IS NOT NULL ORDER BY v;
CREATE UNIQUE INDEX texts_converting ON texts(text);

-- Crimes: police.uk street rows and force-export rows.  Text columns hold
-- texts ids; force is coalesce(falls_within, reported_by).
ALTER TABLE crimes RENAME TO crimes_v1;
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
  raw          BLOB,               -- the row as the file had it, when the values do not give it back
  -- the Crime ID as text, computed when read (it takes no room): a join of
  -- the views on "Crime ID" can then get an automatic index
  crime_id_text TEXT GENERATED ALWAYS AS
    (CASE WHEN typeof(crime_id) = 'blob' THEN lower(hex(crime_id)) ELSE crime_id END) VIRTUAL
);
INSERT INTO crime_records (id, source_id, line, kind, crime_id, month, reported_by, falls_within, lon, lat, location,
                           lsoa_code, lsoa_name, category, last_outcome, context, area_value, offence_code)
  SELECT c.id, c.source_id, c.line, (SELECT id FROM texts WHERE text = c.kind), crimetab_crime_id(c.crime_id),
         c.month, (SELECT id FROM texts WHERE text = c.reported_by), (SELECT id FROM texts WHERE text = c.falls_within),
         CAST(round(c.lon * 1e6) AS INTEGER), CAST(round(c.lat * 1e6) AS INTEGER),
         (SELECT id FROM texts WHERE text = c.location), (SELECT id FROM texts WHERE text = c.lsoa_code),
         (SELECT id FROM texts WHERE text = c.lsoa_name), (SELECT id FROM texts WHERE text = c.category),
         (SELECT id FROM texts WHERE text = c.last_outcome), (SELECT id FROM texts WHERE text = c.context),
         (SELECT id FROM texts WHERE text = c.area_value), (SELECT id FROM texts WHERE text = c.offence_code)
  FROM crimes_v1 c ORDER BY c.id;

-- crime_areas referred to the old table: made again, referring to the new one
CREATE TABLE crime_areas_v2 (
  area  INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
  crime INTEGER NOT NULL REFERENCES crime_records(id) ON DELETE CASCADE,
  PRIMARY KEY (area, crime)
) WITHOUT ROWID;
INSERT INTO crime_areas_v2 SELECT area, crime FROM crime_areas;
DROP TABLE crime_areas;
ALTER TABLE crime_areas_v2 RENAME TO crime_areas;
CREATE INDEX crime_areas_crime ON crime_areas(crime);
DROP TABLE crimes_v1;

-- Face-match finds crimes by ID through one sorted run of keys per source
-- (src/store), kept by the import: no index over every crime's random ID.
CREATE TABLE crime_id_runs (
  source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
  keys      BLOB NOT NULL          -- (32-bit key, crime row id) pairs, 8 bytes each, sorted
);
INSERT INTO crime_id_runs (source_id, keys)
  SELECT source_id, crimetab_id_run(crimetab_id_key(crime_id), id) FROM crime_records
  WHERE crime_id IS NOT NULL GROUP BY source_id;

ALTER TABLE outcomes RENAME TO outcomes_v1;
CREATE TABLE outcome_records (
  id           INTEGER PRIMARY KEY,
  source_id    INTEGER NOT NULL REFERENCES sources(id),
  line         INTEGER NOT NULL,
  crime_id     NOT NULL,           -- as in crime_records
  month        INTEGER NOT NULL,
  reported_by  INTEGER,
  falls_within INTEGER,
  lon          INTEGER,
  lat          INTEGER,
  location     INTEGER,
  lsoa_code    INTEGER,
  lsoa_name    INTEGER,
  outcome_type INTEGER NOT NULL,
  raw          BLOB,
  crime_id_text TEXT GENERATED ALWAYS AS
    (CASE WHEN typeof(crime_id) = 'blob' THEN lower(hex(crime_id)) ELSE crime_id END) VIRTUAL
);
INSERT INTO outcome_records (id, source_id, line, crime_id, month, reported_by, falls_within, lon, lat, location,
                             lsoa_code, lsoa_name, outcome_type)
  SELECT o.id, o.source_id, o.line, crimetab_crime_id(o.crime_id), o.month,
         (SELECT id FROM texts WHERE text = o.reported_by), (SELECT id FROM texts WHERE text = o.falls_within),
         CAST(round(o.lon * 1e6) AS INTEGER), CAST(round(o.lat * 1e6) AS INTEGER),
         (SELECT id FROM texts WHERE text = o.location), (SELECT id FROM texts WHERE text = o.lsoa_code),
         (SELECT id FROM texts WHERE text = o.lsoa_name), (SELECT id FROM texts WHERE text = o.outcome_type)
  FROM outcomes_v1 o ORDER BY o.id;
DROP TABLE outcomes_v1;

-- Stop and search: the force is the source's (the file has no force column).
ALTER TABLE stop_search RENAME TO stop_search_v1;
CREATE TABLE stop_records (
  id                  INTEGER PRIMARY KEY,
  source_id           INTEGER NOT NULL REFERENCES sources(id),
  line                INTEGER NOT NULL,
  month               INTEGER NOT NULL,  -- the file's month (see import)
  type                INTEGER,
  time                INTEGER NOT NULL,  -- Date, Unix seconds
  part_of_operation   INTEGER,
  operation           INTEGER,
  lon                 INTEGER,
  lat                 INTEGER,
  gender              INTEGER,
  age_range           INTEGER,
  self_ethnicity      INTEGER,
  officer_ethnicity   INTEGER,
  legislation         INTEGER,
  object_of_search    INTEGER,
  outcome             INTEGER,
  outcome_linked      INTEGER,
  removal_of_clothing INTEGER,
  raw                 BLOB
);
INSERT INTO stop_records (id, source_id, line, month, type, time, part_of_operation, operation, lon, lat, gender,
                          age_range, self_ethnicity, officer_ethnicity, legislation, object_of_search, outcome,
                          outcome_linked, removal_of_clothing, raw)
  SELECT x.id, x.source_id, x.line, x.month, (SELECT id FROM texts WHERE text = x.type),
         coalesce(CAST(strftime('%s', substr(x.date, 1, 19)) AS INTEGER), CAST(strftime('%s', substr(x.date, 1, 10)) AS INTEGER), 0),
         (SELECT id FROM texts WHERE text = x.part_of_operation), (SELECT id FROM texts WHERE text = x.operation),
         CAST(round(x.lon * 1e6) AS INTEGER), CAST(round(x.lat * 1e6) AS INTEGER),
         (SELECT id FROM texts WHERE text = x.gender), (SELECT id FROM texts WHERE text = x.age_range),
         (SELECT id FROM texts WHERE text = x.self_ethnicity), (SELECT id FROM texts WHERE text = x.officer_ethnicity),
         (SELECT id FROM texts WHERE text = x.legislation), (SELECT id FROM texts WHERE text = x.object_of_search),
         (SELECT id FROM texts WHERE text = x.outcome), (SELECT id FROM texts WHERE text = x.outcome_linked),
         (SELECT id FROM texts WHERE text = x.removal_of_clothing),
         -- a Date not written as police.uk writes it keeps its row's text
         CASE WHEN x.date IS NOT strftime('%Y-%m-%dT%H:%M:%S+00:00', substr(x.date, 1, 19)) THEN
           crimetab_csv(x.type, x.date, x.part_of_operation, x.operation, printf('%.6f', x.lat), printf('%.6f', x.lon),
                        x.gender, x.age_range, x.self_ethnicity, x.officer_ethnicity, x.legislation,
                        x.object_of_search, x.outcome, x.outcome_linked, x.removal_of_clothing) END
  FROM stop_search_v1 x ORDER BY x.id;
DROP TABLE stop_search_v1;

DROP INDEX texts_converting;

-- ---- the views ----

-- Every crime, with crimetab's column names (those of the tables before 020).
CREATE VIEW crimes AS
SELECT c.id, c.source_id, c.line, k.text AS kind, c.crime_id_text AS crime_id,
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
-- numbers, an empty field as NULL.
CREATE VIEW street_crimes AS
SELECT crime_id AS "Crime ID", printf('%04d-%02d', month / 12, month % 12 + 1) AS "Month",
       reported_by AS "Reported by", falls_within AS "Falls within", lon AS "Longitude", lat AS "Latitude",
       location AS "Location", lsoa_code AS "LSOA code", lsoa_name AS "LSOA name", category AS "Crime type",
       last_outcome AS "Last outcome category", context AS "Context"
FROM crimes WHERE kind = 'street';

CREATE VIEW outcomes AS
SELECT o.crime_id_text AS "Crime ID",
       printf('%04d-%02d', o.month / 12, o.month % 12 + 1) AS "Month", rb.text AS "Reported by",
       fw.text AS "Falls within", o.lon / 1e6 AS "Longitude", o.lat / 1e6 AS "Latitude", lo.text AS "Location",
       lc.text AS "LSOA code", ln.text AS "LSOA name", ot.text AS "Outcome type"
FROM outcome_records o
LEFT JOIN texts rb ON rb.id = o.reported_by
LEFT JOIN texts fw ON fw.id = o.falls_within
LEFT JOIN texts lo ON lo.id = o.location
LEFT JOIN texts lc ON lc.id = o.lsoa_code
LEFT JOIN texts ln ON ln.id = o.lsoa_name
LEFT JOIN texts ot ON ot.id = o.outcome_type;

-- Every search, with crimetab's column names; force is the file's.
CREATE VIEW stop_search AS
SELECT x.id, x.source_id, x.line, x.month, s.force, ty.text AS type,
       strftime('%Y-%m-%dT%H:%M:%S+00:00', x.time, 'unixepoch') AS date, po.text AS part_of_operation,
       op.text AS operation, x.lat / 1e6 AS lat, x.lon / 1e6 AS lon, ge.text AS gender, ag.text AS age_range,
       se.text AS self_ethnicity, oe.text AS officer_ethnicity, le.text AS legislation,
       ob.text AS object_of_search, ou.text AS outcome, ol.text AS outcome_linked, rc.text AS removal_of_clothing
FROM stop_records x
JOIN sources s ON s.id = x.source_id
LEFT JOIN texts ty ON ty.id = x.type
LEFT JOIN texts po ON po.id = x.part_of_operation
LEFT JOIN texts op ON op.id = x.operation
LEFT JOIN texts ge ON ge.id = x.gender
LEFT JOIN texts ag ON ag.id = x.age_range
LEFT JOIN texts se ON se.id = x.self_ethnicity
LEFT JOIN texts oe ON oe.id = x.officer_ethnicity
LEFT JOIN texts le ON le.id = x.legislation
LEFT JOIN texts ob ON ob.id = x.object_of_search
LEFT JOIN texts ou ON ou.id = x.outcome
LEFT JOIN texts ol ON ol.id = x.outcome_linked
LEFT JOIN texts rc ON rc.id = x.removal_of_clothing;

CREATE VIEW stop_and_search AS
SELECT type AS "Type", date AS "Date", part_of_operation AS "Part of a policing operation",
       operation AS "Policing operation", lat AS "Latitude", lon AS "Longitude", gender AS "Gender",
       age_range AS "Age range", self_ethnicity AS "Self-defined ethnicity",
       officer_ethnicity AS "Officer-defined ethnicity", legislation AS "Legislation",
       object_of_search AS "Object of search", outcome AS "Outcome",
       outcome_linked AS "Outcome linked to object of search",
       removal_of_clothing AS "Removal of more than just outer clothing"
FROM stop_search;
