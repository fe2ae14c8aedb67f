-- A record's detail and a retried upload ask which follow-ups the record closed: without an
-- index that read scanned every follow-up (tens of thousands at city size).
CREATE INDEX follow_ups_closed_by ON follow_ups (closed_by_inspection_id)
    WHERE closed_by_inspection_id IS NOT NULL;
