-- The city: what is imported from OSM and from government registries.
-- Every imported table is keyed by source_id, so a second import updates instead of duplicating.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per import run, with its summary, for the audit trail of data changes.
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    file        TEXT NOT NULL,
    imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    summary     TEXT NOT NULL
);

CREATE TABLE areas (
    id               INTEGER PRIMARY KEY,
    source_id        TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    level            TEXT NOT NULL CHECK (level IN ('township', 'community', 'grid')),
    parent_source_id TEXT,
    geometry         TEXT NOT NULL,  -- GeoJSON (Multi)Polygon, WGS-84
    sample           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX areas_level ON areas (level);

CREATE TABLE venues (
    id               INTEGER PRIMARY KEY,
    source_id        TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL CHECK (kind IN ('entertainment', 'bathhouse', 'rental', 'other')),
    name             TEXT NOT NULL,
    address          TEXT,
    lon              REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat              REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    opening_hours    TEXT,
    status           TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'closed')),
    responsible_unit TEXT,
    complaints       INTEGER NOT NULL DEFAULT 0 CHECK (complaints >= 0),
    sample           INTEGER NOT NULL DEFAULT 0,
    -- Derived from the areas after every venue or area import.
    township_id      INTEGER REFERENCES areas (id) ON DELETE SET NULL,
    community_id     INTEGER REFERENCES areas (id) ON DELETE SET NULL
);
CREATE INDEX venues_kind ON venues (kind);

-- Venue-like places found in OSM: suggestions for the registry, never inspected as such.
CREATE TABLE venue_candidates (
    id            INTEGER PRIMARY KEY,
    source_id     TEXT NOT NULL UNIQUE,
    dataset       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    osm_tag       TEXT NOT NULL,
    name          TEXT,
    address       TEXT,
    lon           REAL NOT NULL,
    lat           REAL NOT NULL,
    opening_hours TEXT
);

CREATE TABLE lamps (
    id        INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL UNIQUE,
    dataset   TEXT NOT NULL,
    lon       REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat       REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    height_m  REAL CHECK (height_m > 0),   -- NULL: not surveyed
    flux_lm   REAL CHECK (flux_lm > 0),    -- NULL: not surveyed
    -- OSM lamps start unknown; a re-import of OSM never resets what a survey or a planner set.
    status    TEXT NOT NULL DEFAULT 'unknown' CHECK (status IN ('working', 'broken', 'unknown'))
);

-- Street graph nodes; id is the OSM node id.
CREATE TABLE street_nodes (
    id        INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL UNIQUE,
    dataset   TEXT NOT NULL,
    lon       REAL NOT NULL,
    lat       REAL NOT NULL
);

CREATE TABLE street_edges (
    id         INTEGER PRIMARY KEY,
    source_id  TEXT NOT NULL UNIQUE,
    dataset    TEXT NOT NULL,
    from_node  INTEGER NOT NULL REFERENCES street_nodes (id),
    to_node    INTEGER NOT NULL REFERENCES street_nodes (id),
    road_class TEXT NOT NULL,
    name       TEXT,
    oneway     INTEGER NOT NULL CHECK (oneway IN (-1, 0, 1)),
    length_m   REAL NOT NULL CHECK (length_m >= 0),
    lit        TEXT CHECK (lit IN ('yes', 'no', 'partial')),
    foot       INTEGER NOT NULL,
    car        INTEGER NOT NULL,
    geometry   BLOB NOT NULL  -- little-endian f64 lon,lat pairs
);
CREATE INDEX street_edges_from ON street_edges (from_node);
CREATE INDEX street_edges_to ON street_edges (to_node);

CREATE TABLE corners (
    id           INTEGER PRIMARY KEY,
    source_id    TEXT NOT NULL UNIQUE,
    dataset      TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('junction', 'bend')),
    degree       INTEGER NOT NULL,
    turn_deg     REAL NOT NULL,
    road_classes TEXT NOT NULL,  -- comma-separated highway classes
    lon          REAL NOT NULL,
    lat          REAL NOT NULL
);
