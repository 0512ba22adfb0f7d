-- crimetab schema, version 1.  Months are integers: year * 12 + month - 1.

CREATE TABLE sources (
  id            INTEGER PRIMARY KEY,
  path          TEXT NOT NULL,
  sha256        TEXT NOT NULL UNIQUE,
  kind          TEXT NOT NULL CHECK (kind IN ('street', 'outcomes', 'stop-and-search', 'force')),
  force         TEXT,
  mapping       TEXT,
  month_min     INTEGER,
  month_max     INTEGER,
  bytes         INTEGER NOT NULL DEFAULT 0,
  rows_read     INTEGER NOT NULL DEFAULT 0,
  rows_imported INTEGER NOT NULL DEFAULT 0,
  rows_rejected INTEGER NOT NULL DEFAULT 0,
  rows_superseded INTEGER NOT NULL DEFAULT 0,
  imported_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  superseded_by INTEGER REFERENCES sources(id)
);

-- Which force-months each source currently provides; a newer source for the
-- same kind, force and month takes the row over (police.uk republishes).
CREATE TABLE source_months (
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  kind      TEXT NOT NULL,
  force     TEXT NOT NULL,
  month     INTEGER NOT NULL,
  PRIMARY KEY (kind, force, month)
);
CREATE INDEX source_months_source ON source_months(source_id);

CREATE TABLE crimes (
  id           INTEGER PRIMARY KEY,
  source_id    INTEGER NOT NULL REFERENCES sources(id),
  line         INTEGER NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('street', 'force')),
  crime_id     TEXT,
  month        INTEGER NOT NULL,
  force        TEXT NOT NULL,
  reported_by  TEXT,
  falls_within TEXT,
  lon          REAL,
  lat          REAL,
  location     TEXT,
  lsoa_code    TEXT,
  lsoa_name    TEXT,
  category     TEXT NOT NULL,
  last_outcome TEXT,
  context      TEXT,
  area_value   TEXT,
  offence_code TEXT
);
CREATE INDEX crimes_month ON crimes(month);
CREATE INDEX crimes_source ON crimes(source_id, month);

CREATE TABLE outcomes (
  id           INTEGER PRIMARY KEY,
  source_id    INTEGER NOT NULL REFERENCES sources(id),
  line         INTEGER NOT NULL,
  crime_id     TEXT NOT NULL,
  month        INTEGER NOT NULL,
  force        TEXT NOT NULL,
  reported_by  TEXT,
  falls_within TEXT,
  lon          REAL,
  lat          REAL,
  location     TEXT,
  lsoa_code    TEXT,
  lsoa_name    TEXT,
  outcome_type TEXT NOT NULL
);
CREATE INDEX outcomes_crime ON outcomes(crime_id);
CREATE INDEX outcomes_source ON outcomes(source_id, month);

CREATE TABLE stop_search (
  id                INTEGER PRIMARY KEY,
  source_id         INTEGER NOT NULL REFERENCES sources(id),
  line              INTEGER NOT NULL,
  month             INTEGER NOT NULL,
  force             TEXT NOT NULL,
  type              TEXT,
  date              TEXT NOT NULL,
  part_of_operation TEXT,
  operation         TEXT,
  lat               REAL,
  lon               REAL,
  gender            TEXT,
  age_range         TEXT,
  self_ethnicity    TEXT,
  officer_ethnicity TEXT,
  legislation       TEXT,
  object_of_search  TEXT,
  outcome           TEXT,
  outcome_linked    TEXT,
  removal_of_clothing TEXT
);
CREATE INDEX stop_search_source ON stop_search(source_id, month);

CREATE TABLE rejects (
  id        INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  line      INTEGER NOT NULL,
  reason    TEXT NOT NULL,
  raw       TEXT NOT NULL
);
CREATE INDEX rejects_source ON rejects(source_id, line);

-- Town centres; definition is the JSON the areas module parses.
CREATE TABLE areas (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  kind        TEXT NOT NULL CHECK (kind IN ('polygon', 'lsoa', 'value')),
  definition  TEXT NOT NULL,
  loaded_from TEXT,
  loaded_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE crime_areas (
  area  INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
  crime INTEGER NOT NULL REFERENCES crimes(id) ON DELETE CASCADE,
  PRIMARY KEY (area, crime)
) WITHOUT ROWID;
CREATE INDEX crime_areas_crime ON crime_areas(crime);

-- Monthly count cube: area 0 is all data; kind separates police.uk street
-- data from force exports, which describe the same crimes and must never be
-- added together.  Reports read only this table.
CREATE TABLE cube (
  area     INTEGER NOT NULL,
  kind     TEXT NOT NULL,
  month    INTEGER NOT NULL,
  category TEXT NOT NULL,
  n        INTEGER NOT NULL,
  PRIMARY KEY (area, kind, month, category)
) WITHOUT ROWID;
