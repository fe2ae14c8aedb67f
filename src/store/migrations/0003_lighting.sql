-- Results of the lighting model. Derived data: every `patrolmap lighting` run replaces them whole.

CREATE TABLE lighting_runs (
    id          INTEGER PRIMARY KEY,
    computed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    config      TEXT NOT NULL,  -- the configuration used, as JSON
    summary     TEXT NOT NULL   -- LightingSummary as JSON
);

CREATE TABLE edge_lighting (
    edge_id          INTEGER PRIMARY KEY REFERENCES street_edges (id) ON DELETE CASCADE,
    lighting_class   TEXT NOT NULL,
    required_avg_lx  REAL NOT NULL,
    required_min_lx  REAL NOT NULL,
    samples          INTEGER NOT NULL,
    data_gap_samples INTEGER NOT NULL,
    avg_lx           REAL NOT NULL,
    min_lx           REAL NOT NULL,
    uniformity       REAL NOT NULL,
    passes           INTEGER          -- NULL: every sample is a data gap
);

CREATE TABLE blind_spots (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('corner', 'stretch')),
    ref_id          INTEGER NOT NULL,   -- corner id or street edge id
    road_class      TEXT NOT NULL,
    lighting_class  TEXT NOT NULL,
    required_min_lx REAL NOT NULL,
    lon             REAL NOT NULL,      -- the darkest point
    lat             REAL NOT NULL,
    lux             REAL NOT NULL,
    mean_lux        REAL NOT NULL,
    length_m        REAL NOT NULL,
    confirmed       INTEGER NOT NULL,
    severity        REAL NOT NULL,
    terms           TEXT NOT NULL,      -- SeverityTerms as JSON
    geometry        TEXT NOT NULL       -- GeoJSON Point or LineString
);
CREATE INDEX blind_spots_severity ON blind_spots (severity DESC);

CREATE TABLE lighting_data_gaps (
    id         INTEGER PRIMARY KEY,
    edge_id    INTEGER NOT NULL,
    road_class TEXT NOT NULL,
    length_m   REAL NOT NULL,
    geometry   TEXT NOT NULL            -- GeoJSON LineString (or Point for a single sample)
);

CREATE TABLE lamp_repairs (
    lamp_id            INTEGER PRIMARY KEY REFERENCES lamps (id) ON DELETE CASCADE,
    deficit_removed_lx REAL NOT NULL
);

CREATE TABLE lamp_proposals (
    rank               INTEGER PRIMARY KEY,
    lon                REAL NOT NULL,
    lat                REAL NOT NULL,
    edge_id            INTEGER NOT NULL,
    road_class         TEXT NOT NULL,
    height_m           REAL NOT NULL,
    flux_lm            REAL NOT NULL,
    gain_lx            REAL NOT NULL,
    removed_lx         REAL NOT NULL,
    deficit_left_share REAL NOT NULL
);
