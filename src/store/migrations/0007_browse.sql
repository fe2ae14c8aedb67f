-- The inspections browser at a million records (issue 13). Every filter a manager uses must
-- walk an index in the list's order (started_at DESC, id DESC) instead of scanning the table.

-- The area and kind of a record's venue, copied onto the record so that those filters are an
-- index range on inspections alone. Triggers fill them: the code that writes inspections need
-- not know.
ALTER TABLE inspections ADD COLUMN township_id INTEGER;
ALTER TABLE inspections ADD COLUMN community_id INTEGER;
ALTER TABLE inspections ADD COLUMN venue_kind TEXT;
UPDATE inspections SET
    township_id = (SELECT v.township_id FROM venues v WHERE v.id = inspections.venue_id),
    community_id = (SELECT v.community_id FROM venues v WHERE v.id = inspections.venue_id),
    venue_kind = (SELECT v.kind FROM venues v WHERE v.id = inspections.venue_id);

CREATE TRIGGER inspections_venue_on_insert AFTER INSERT ON inspections
BEGIN
    UPDATE inspections SET
        township_id = (SELECT v.township_id FROM venues v WHERE v.id = NEW.venue_id),
        community_id = (SELECT v.community_id FROM venues v WHERE v.id = NEW.venue_id),
        venue_kind = (SELECT v.kind FROM venues v WHERE v.id = NEW.venue_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER inspections_venue_on_change AFTER UPDATE OF venue_id ON inspections
BEGIN
    UPDATE inspections SET
        township_id = (SELECT v.township_id FROM venues v WHERE v.id = NEW.venue_id),
        community_id = (SELECT v.community_id FROM venues v WHERE v.id = NEW.venue_id),
        venue_kind = (SELECT v.kind FROM venues v WHERE v.id = NEW.venue_id)
    WHERE id = NEW.id;
END;
-- A re-import (or a new area layer) can move a venue to another township or change its kind:
-- its records follow, so the list agrees with the map. It also runs when an area is deleted
-- (the venues' ON DELETE SET NULL is an update of these columns).
CREATE TRIGGER venues_to_inspections AFTER UPDATE OF township_id, community_id, kind ON venues
WHEN OLD.township_id IS NOT NEW.township_id OR OLD.community_id IS NOT NEW.community_id
     OR OLD.kind IS NOT NEW.kind
BEGIN
    UPDATE inspections
    SET township_id = NEW.township_id, community_id = NEW.community_id, venue_kind = NEW.kind
    WHERE venue_id = NEW.id;
END;

-- One index per filter, each ending in started_at: the rowid (= id) that SQLite appends to every
-- index completes the list's order, so a page and a keyset cursor are a range of one index.
-- They hold only current versions (what the list shows unless asked for every version), so a
-- page and its count read the index alone, never the table row to see if it was superseded.
-- Every version of a venue's records comes from inspections_venue (0002).
CREATE INDEX inspections_current_started ON inspections (started_at)
    WHERE superseded_by IS NULL;
CREATE INDEX inspections_current_team ON inspections (team_id, started_at)
    WHERE superseded_by IS NULL;
CREATE INDEX inspections_current_township ON inspections (township_id, started_at)
    WHERE superseded_by IS NULL;
CREATE INDEX inspections_current_community ON inspections (community_id, started_at)
    WHERE superseded_by IS NULL;
CREATE INDEX inspections_current_kind ON inspections (venue_kind, started_at)
    WHERE superseded_by IS NULL;
CREATE INDEX inspections_current_outcome ON inspections (outcome, started_at)
    WHERE superseded_by IS NULL;
CREATE INDEX inspections_current_review ON inspections (review, started_at)
    WHERE superseded_by IS NULL;
CREATE INDEX inspections_current_account ON inspections (account_id, started_at)
    WHERE superseded_by IS NULL;
-- The pairs managers combine most: an area's findings, and a team's records awaiting review.
-- With one column of the pair left to the table row, counting an area's violations would read
-- a row for every record of the area.
CREATE INDEX inspections_current_township_outcome
    ON inspections (township_id, outcome, started_at) WHERE superseded_by IS NULL;
CREATE INDEX inspections_current_community_outcome
    ON inspections (community_id, outcome, started_at) WHERE superseded_by IS NULL;
CREATE INDEX inspections_current_review_team ON inspections (review, team_id, started_at)
    WHERE superseded_by IS NULL;
-- A record's later versions, found from the one they correct even where only `corrects` is set.
CREATE INDEX inspections_corrects ON inspections (corrects);
