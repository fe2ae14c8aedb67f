-- The district's daily work (DESIGN.md §2, §6): teams, accounts, plans, inspections, follow-ups
-- and the audit trail. The analyses and the server fill these in.

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    skills      TEXT NOT NULL DEFAULT '',   -- comma-separated units: commerce, police, fire, community
    depot_lon   REAL NOT NULL,
    depot_lat   REAL NOT NULL,
    shift_start TEXT NOT NULL,              -- HH:MM local time
    shift_end   TEXT NOT NULL,              -- HH:MM, may be past midnight (before shift_start)
    travel_mode TEXT NOT NULL CHECK (travel_mode IN ('walk', 'ebike', 'car'))
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

CREATE TABLE patrol_plans (
    id         INTEGER PRIMARY KEY,
    plan_date  TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    summary    TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE patrol_stops (
    plan_id    INTEGER NOT NULL REFERENCES patrol_plans (id) ON DELETE CASCADE,
    team_id    INTEGER NOT NULL REFERENCES teams (id),
    seq        INTEGER NOT NULL,
    venue_id   INTEGER NOT NULL REFERENCES venues (id),
    arrival    TEXT NOT NULL,
    score      REAL NOT NULL,
    reason     TEXT NOT NULL DEFAULT '{}',  -- the risk terms that put the venue on the list
    PRIMARY KEY (plan_id, team_id, seq)
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
    action            TEXT NOT NULL,
    responsible_unit  TEXT NOT NULL,
    deadline          TEXT NOT NULL,
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
