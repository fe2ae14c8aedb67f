-- The district's daily work (DESIGN.md §2, §6): teams, accounts, plans, inspections, follow-ups
-- and the audit trail. The analyses and the server fill these in.

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    units       TEXT NOT NULL DEFAULT '',   -- members' units (skills), comma-separated
    depot_lon   REAL NOT NULL CHECK (depot_lon BETWEEN -180 AND 180),
    depot_lat   REAL NOT NULL CHECK (depot_lat BETWEEN -90 AND 90),
    shift       TEXT NOT NULL,              -- HH:MM-HH:MM local; an end before the start is the next day
    travel_mode TEXT NOT NULL CHECK (travel_mode IN ('walk', 'ebike', 'car')),
    duty        TEXT NOT NULL DEFAULT 'inspection' CHECK (duty IN ('inspection', 'lighting')),
    sample      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,            -- argon2id PHC string
    role          TEXT NOT NULL CHECK (role IN ('inspector', 'planner', 'manager', 'admin')),
    team_id       INTEGER REFERENCES teams (id),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    disabled      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,            -- the token itself is never stored
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    expires_at TEXT NOT NULL
);

-- A plan is kept whole once made: a new plan for the same day is a new row, the newest counts.
CREATE TABLE patrol_plans (
    id         INTEGER PRIMARY KEY,
    plan_date  TEXT NOT NULL,
    duty       TEXT NOT NULL CHECK (duty IN ('inspection', 'lighting')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    summary    TEXT NOT NULL              -- PlanSummary as JSON
);
CREATE INDEX patrol_plans_date ON patrol_plans (plan_date, duty);

CREATE TABLE patrol_routes (
    plan_id  INTEGER NOT NULL REFERENCES patrol_plans (id) ON DELETE CASCADE,
    team_id  INTEGER NOT NULL REFERENCES teams (id),
    team     TEXT NOT NULL,               -- the team's name when planned
    mode     TEXT NOT NULL,
    start_s  INTEGER NOT NULL,            -- seconds from the plan date's local midnight
    end_s    INTEGER NOT NULL,
    score    REAL NOT NULL,
    travel_s INTEGER NOT NULL,
    path     TEXT NOT NULL,               -- JSON [[lon, lat], ...] along the streets
    PRIMARY KEY (plan_id, team_id)
);

CREATE TABLE patrol_stops (
    plan_id     INTEGER NOT NULL REFERENCES patrol_plans (id) ON DELETE CASCADE,
    team_id     INTEGER NOT NULL REFERENCES teams (id),
    seq         INTEGER NOT NULL,
    target      TEXT NOT NULL CHECK (target IN ('venue', 'lamp', 'proposal')),
    target_id   INTEGER NOT NULL,
    name        TEXT NOT NULL,
    category    TEXT NOT NULL,
    lon         REAL NOT NULL,
    lat         REAL NOT NULL,
    arrival_s   INTEGER NOT NULL,
    start_s     INTEGER NOT NULL,
    departure_s INTEGER NOT NULL,
    score       REAL NOT NULL,
    mandatory   INTEGER NOT NULL,
    reason      TEXT NOT NULL,            -- why it is on the list (risk terms, follow-ups) as JSON
    PRIMARY KEY (plan_id, team_id, seq)
);
CREATE INDEX patrol_stops_target ON patrol_stops (target, target_id);

CREATE TABLE plan_left_out (
    plan_id   INTEGER NOT NULL REFERENCES patrol_plans (id) ON DELETE CASCADE,
    target    TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    name      TEXT NOT NULL,
    reason    TEXT NOT NULL,
    detail    TEXT NOT NULL
);
CREATE INDEX plan_left_out_plan ON plan_left_out (plan_id);

-- The latest risk score of each venue with its terms, for the map and the API.
CREATE TABLE venue_risk (
    venue_id  INTEGER PRIMARY KEY REFERENCES venues (id) ON DELETE CASCADE,
    scored_on TEXT NOT NULL,
    score     REAL NOT NULL,
    terms     TEXT NOT NULL               -- [RiskTerm] as JSON
);

CREATE TABLE inspections (
    id            INTEGER PRIMARY KEY,
    client_uuid   TEXT NOT NULL UNIQUE,     -- made on the device: a retried upload is the same record
    body_hash     TEXT NOT NULL,            -- same UUID with another body is a conflict
    venue_id      INTEGER NOT NULL REFERENCES venues (id),
    team_id       INTEGER REFERENCES teams (id),
    account_id    INTEGER REFERENCES accounts (id),
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    outcome       TEXT NOT NULL CHECK (outcome IN ('compliant', 'violation', 'drug_related', 'closed_on_arrival', 'refused_entry')),
    checklist     TEXT NOT NULL DEFAULT '{}',
    notes         TEXT,
    gps_lon       REAL,
    gps_lat       REAL,
    gps_accuracy_m REAL,
    sample        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX inspections_venue ON inspections (venue_id, started_at);

CREATE TABLE inspection_photos (
    inspection_id INTEGER NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    sha256        TEXT NOT NULL,            -- the file lives in the data folder under this hash
    content_type  TEXT NOT NULL,
    bytes         INTEGER NOT NULL,
    PRIMARY KEY (inspection_id, sha256)
);

CREATE TABLE follow_ups (
    id                INTEGER PRIMARY KEY,
    venue_id          INTEGER NOT NULL REFERENCES venues (id),
    inspection_id     INTEGER NOT NULL REFERENCES inspections (id),
    outcome           TEXT NOT NULL,
    raised_on         TEXT NOT NULL,      -- YYYY-MM-DD, the finding's day
    action            TEXT NOT NULL,
    responsible_unit  TEXT NOT NULL,
    deadline          TEXT NOT NULL,      -- YYYY-MM-DD
    status            TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    closed_by_inspection_id INTEGER REFERENCES inspections (id)
);
CREATE INDEX follow_ups_open ON follow_ups (status, deadline);

-- Append-only: who did what to which record, when, with the record before and after.
CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    account_id INTEGER REFERENCES accounts (id),
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    before     TEXT,
    after      TEXT
);
CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
