-- Deliveries of the daily webhook (issue 13): each attempt to POST the units' lists, kept so
-- that a failed delivery can be traced and a restarted server does not send a day twice.
CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY,
    -- The district's day the lists are for.
    day TEXT NOT NULL,
    url TEXT NOT NULL,
    -- 1, 2, 3: the try of this delivery.
    attempt INTEGER NOT NULL,
    -- The HTTP status the receiver answered; NULL when it could not be reached.
    status INTEGER,
    error TEXT,
    ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
    -- How the delivery was started: 'schedule' or 'cli'.
    how TEXT NOT NULL,
    units INTEGER NOT NULL,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX webhook_attempts_day ON webhook_attempts (day) WHERE ok = 1;
