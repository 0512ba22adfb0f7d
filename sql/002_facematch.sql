-- Face-match plugin runs and the sightings they returned.  Individual keys
-- are pseudonymous and kept only to count distinct and repeat offenders;
-- no output ever shows them.

CREATE TABLE fm_runs (
  id          INTEGER PRIMARY KEY,
  plugin      TEXT NOT NULL,   -- "name version" from the plugin's descriptor
  plugin_path TEXT NOT NULL,
  time_from   INTEGER NOT NULL, -- Unix seconds, inclusive
  time_to     INTEGER NOT NULL, -- Unix seconds, exclusive
  sightings   INTEGER NOT NULL DEFAULT 0,
  run_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE fm_sightings (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL REFERENCES fm_runs(id) ON DELETE CASCADE,
  time       INTEGER NOT NULL,
  month      INTEGER NOT NULL,
  lon        REAL,
  lat        REAL,
  crime_id   TEXT,
  individual TEXT NOT NULL,
  confidence REAL NOT NULL,
  watchlist  INTEGER NOT NULL
);
CREATE INDEX fm_sightings_run ON fm_sightings(run_id);
CREATE INDEX fm_sightings_month ON fm_sightings(month);

CREATE TABLE fm_sighting_areas (
  area     INTEGER NOT NULL REFERENCES areas(id) ON DELETE CASCADE,
  sighting INTEGER NOT NULL REFERENCES fm_sightings(id) ON DELETE CASCADE,
  PRIMARY KEY (area, sighting)
) WITHOUT ROWID;
CREATE INDEX fm_sighting_areas_sighting ON fm_sighting_areas(sighting);

-- sightings name crimes by police.uk Crime ID or force reference
CREATE INDEX crimes_crime_id ON crimes(crime_id) WHERE crime_id IS NOT NULL;
