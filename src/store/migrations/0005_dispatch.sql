-- Dispatch (issue 12): each re-optimisation of a day's plan is a new revision (a new
-- patrol_plans row), a draft until a manager publishes it; inspectors see only published ones.
-- Plans made before this were visible to inspectors as they were made: they stay published.
ALTER TABLE patrol_plans ADD COLUMN status TEXT NOT NULL DEFAULT 'published'
    CHECK (status IN ('draft', 'published'));
ALTER TABLE patrol_plans ADD COLUMN made_how TEXT NOT NULL DEFAULT 'cli'
    CHECK (made_how IN ('cli', 'schedule', 'dispatcher', 'replan'));
ALTER TABLE patrol_plans ADD COLUMN made_by INTEGER REFERENCES accounts (id);
ALTER TABLE patrol_plans ADD COLUMN published_at TEXT;
ALTER TABLE patrol_plans ADD COLUMN published_by INTEGER REFERENCES accounts (id);
UPDATE patrol_plans SET published_at = created_at;
CREATE INDEX patrol_plans_published ON patrol_plans (plan_date, duty, status);

-- A route the dispatcher locked is kept as it is by every re-optimisation.
ALTER TABLE patrol_routes ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;

-- Stops may now be ad-hoc points (a complaint, a place to look at), named by the action that
-- added them. SQLite cannot change a CHECK in place: the table is rebuilt with its rows.
CREATE TABLE patrol_stops_new (
    plan_id     INTEGER NOT NULL REFERENCES patrol_plans (id) ON DELETE CASCADE,
    team_id     INTEGER NOT NULL REFERENCES teams (id),
    seq         INTEGER NOT NULL,
    target      TEXT NOT NULL CHECK (target IN ('venue', 'lamp', 'proposal', 'point')),
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
    reason      TEXT NOT NULL,
    PRIMARY KEY (plan_id, team_id, seq)
);
INSERT INTO patrol_stops_new SELECT * FROM patrol_stops;
DROP TABLE patrol_stops;
ALTER TABLE patrol_stops_new RENAME TO patrol_stops;
CREATE INDEX patrol_stops_target ON patrol_stops (target, target_id);

-- The dispatcher's changes to a day's plan, in the order made; a revoked one no longer applies
-- but is kept. `body` is the change as posted (planning::adjust::Adjustment as JSON).
CREATE TABLE dispatch_actions (
    id         INTEGER PRIMARY KEY,
    plan_date  TEXT NOT NULL,
    duty       TEXT NOT NULL CHECK (duty IN ('inspection', 'lighting')),
    action     TEXT NOT NULL,
    body       TEXT NOT NULL,
    account_id INTEGER REFERENCES accounts (id),
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    revoked_at TEXT,
    revoked_by INTEGER REFERENCES accounts (id)
);
CREATE INDEX dispatch_actions_date ON dispatch_actions (plan_date, duty);

-- What a team says of a stop through the day: arrived, or skipped with a reason. Sent through
-- the phone's outbox: the client UUID makes a retried send one event.
CREATE TABLE stop_events (
    id          INTEGER PRIMARY KEY,
    client_uuid TEXT NOT NULL UNIQUE,
    plan_date   TEXT NOT NULL,
    team_id     INTEGER NOT NULL REFERENCES teams (id),
    target      TEXT NOT NULL,
    target_id   INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('arrived', 'skipped')),
    reason      TEXT,
    note        TEXT,
    at          TEXT NOT NULL,              -- local time on the device
    account_id  INTEGER REFERENCES accounts (id),
    received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX stop_events_plan ON stop_events (plan_date, team_id);

-- An inspector's record of a registered venue near its route but not on its plan.
ALTER TABLE inspections ADD COLUMN off_plan INTEGER NOT NULL DEFAULT 0;

-- Managers browse inspections newest first, by team or by day.
CREATE INDEX inspections_started ON inspections (started_at, id);
CREATE INDEX inspections_team ON inspections (team_id, started_at);
