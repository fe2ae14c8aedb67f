-- The review loop (issue 13): managers review what was recorded, correct it as new versions,
-- and supervise follow-ups to the end.

-- A record's review (ODK Central's review states): pending until a manager looks at it.
-- `rejected` sends it back to its team; a later visit of the venue (or a correction) redoes it.
ALTER TABLE inspections ADD COLUMN review TEXT NOT NULL DEFAULT 'pending'
    CHECK (review IN ('pending', 'approved', 'has_issues', 'rejected'));
ALTER TABLE inspections ADD COLUMN review_reason TEXT;
ALTER TABLE inspections ADD COLUMN reviewed_by INTEGER REFERENCES accounts (id);
ALTER TABLE inspections ADD COLUMN reviewed_at TEXT;
-- The inspection that redid a rejected one (a later visit of the same venue).
ALTER TABLE inspections ADD COLUMN redone_by INTEGER REFERENCES inspections (id);
-- Corrections are new versions: the new row names the one it corrects, the old row is kept
-- and names its successor. Lists show current versions (superseded_by IS NULL).
ALTER TABLE inspections ADD COLUMN corrects INTEGER REFERENCES inspections (id);
ALTER TABLE inspections ADD COLUMN superseded_by INTEGER REFERENCES inspections (id);
CREATE INDEX inspections_review ON inspections (review, started_at);

-- Every review in order (the record holds only the newest).
CREATE TABLE inspection_reviews (
    id            INTEGER PRIMARY KEY,
    inspection_id INTEGER NOT NULL REFERENCES inspections (id),
    state         TEXT NOT NULL CHECK (state IN ('approved', 'has_issues', 'rejected')),
    reason        TEXT,
    account_id    INTEGER REFERENCES accounts (id),
    at            TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX inspection_reviews_of ON inspection_reviews (inspection_id, id);

-- Follow-up supervision (the 数字城管 case flow): extended, escalated (督办) to a unit with a
-- level that rises each time a deadline passes, cancelled, or closed with evidence.
ALTER TABLE follow_ups ADD COLUMN extensions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE follow_ups ADD COLUMN level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE follow_ups ADD COLUMN escalated_to TEXT;
-- The day the escalated unit must have acted by; passing it raises the level again.
ALTER TABLE follow_ups ADD COLUMN escalation_due TEXT;
ALTER TABLE follow_ups ADD COLUMN closed_on TEXT;        -- YYYY-MM-DD, local
ALTER TABLE follow_ups ADD COLUMN closed_how TEXT
    CHECK (closed_how IN ('inspection', 'evidence', 'cancelled', 'corrected'));
ALTER TABLE follow_ups ADD COLUMN close_note TEXT;
-- Follow-ups closed by a visit before this migration: when and how, from that visit.
UPDATE follow_ups SET closed_how = 'inspection',
    closed_on = (SELECT substr(i.started_at, 1, 10) FROM inspections i WHERE i.id = closed_by_inspection_id)
WHERE closed_by_inspection_id IS NOT NULL;
CREATE INDEX follow_ups_venue ON follow_ups (venue_id, status);
CREATE INDEX follow_ups_inspection ON follow_ups (inspection_id);

-- A follow-up's history in order: what was done, by whom, why, and what it changed.
CREATE TABLE follow_up_events (
    id           INTEGER PRIMARY KEY,
    follow_up_id INTEGER NOT NULL REFERENCES follow_ups (id),
    action       TEXT NOT NULL CHECK (action IN
                     ('raise', 'extend', 'escalate', 'overdue', 'cancel', 'close', 'corrected')),
    on_day       TEXT NOT NULL,          -- YYYY-MM-DD, the district's day it happened
    account_id   INTEGER REFERENCES accounts (id),  -- NULL: the system (a deadline passing)
    reason       TEXT,
    deadline     TEXT,                   -- the deadline after the event
    level        INTEGER NOT NULL,       -- the escalation level after the event
    unit         TEXT,                   -- escalated to
    inspection_id INTEGER REFERENCES inspections (id),  -- the visit that closed it
    at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX follow_up_events_of ON follow_up_events (follow_up_id, id);

-- Evidence a follow-up was dealt with, when closed without a visit: photos by content hash.
CREATE TABLE follow_up_photos (
    follow_up_id INTEGER NOT NULL REFERENCES follow_ups (id),
    sha256       TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes        INTEGER NOT NULL,
    PRIMARY KEY (follow_up_id, sha256)
);

-- The areas (townships or communities) a manager answers for; an account with none sees the
-- district. A community inside a scoped township is in scope.
CREATE TABLE account_areas (
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    area_id    INTEGER NOT NULL REFERENCES areas (id),
    PRIMARY KEY (account_id, area_id)
);
