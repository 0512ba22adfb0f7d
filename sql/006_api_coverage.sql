-- Saved police.uk API responses (crimetab import crimes.json).  A response
-- covers its query's area (a polygon, or about a mile around a point) for a
-- month, not a force's month: it claims no source_months row, so it never
-- counts as a force's file for missing-month checks or supersedes one.  Its
-- coverage is kept here, one row a month; the response does not say what was
-- asked, so the extent of its points is what is known of the area.
CREATE TABLE IF NOT EXISTS api_coverage (
  source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  month      INTEGER NOT NULL,
  crimes     INTEGER NOT NULL,            -- rows of the month in the response
  with_id    INTEGER NOT NULL,            -- of which with a persistent_id (the CSV's Crime ID)
  lon_min REAL, lat_min REAL, lon_max REAL, lat_max REAL,
  superseded INTEGER NOT NULL DEFAULT 0,  -- rows that CSV files or newer responses also hold
  contained  INTEGER NOT NULL DEFAULT 0,  -- 1: every ID is held elsewhere, so its rows without one are too
  PRIMARY KEY (source_id, month)
);
CREATE INDEX IF NOT EXISTS api_coverage_month ON api_coverage(month);
