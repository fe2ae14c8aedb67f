-- The content revision (issue 14): one number that every change to what the map and the
-- plans show moves on, and the features each change touched, so that a server updates only
-- those and answers ETags from the revision. Sessions, the audit trail, sign-in throttling and
-- webhook deliveries are not content: a sign-in moves nothing here.
CREATE TABLE content_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
);
INSERT INTO content_revision (id, revision) VALUES (1, 0);

-- The last revision at which each subject changed: a venue or lamp by id, or a whole kind of
-- content (subject_id 0) such as the lighting results or the plans. One row per subject, so
-- the table stays as small as the content it follows.
CREATE TABLE content_changes (
    subject    TEXT NOT NULL,
    subject_id INTEGER NOT NULL,
    revision   INTEGER NOT NULL,
    PRIMARY KEY (subject, subject_id)
) WITHOUT ROWID;
CREATE INDEX content_changes_revision ON content_changes (revision);

-- A venue's feature: the venue, its inspections, follow-ups and risk.
CREATE TRIGGER venues_insert_revision AFTER INSERT ON venues BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'venue', NEW.id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER venues_update_revision AFTER UPDATE ON venues BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'venue', NEW.id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER venues_delete_revision AFTER DELETE ON venues BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'venue', OLD.id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER inspections_insert_revision AFTER INSERT ON inspections BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'venue', NEW.venue_id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER inspections_update_revision AFTER UPDATE ON inspections BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'venue', NEW.venue_id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER inspections_delete_revision AFTER DELETE ON inspections BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'venue', OLD.venue_id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER follow_ups_insert_revision AFTER INSERT ON follow_ups BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'venue', NEW.venue_id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER follow_ups_update_revision AFTER UPDATE ON follow_ups BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'venue', NEW.venue_id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER follow_ups_delete_revision AFTER DELETE ON follow_ups BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'venue', OLD.venue_id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER venue_risk_insert_revision AFTER INSERT ON venue_risk BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'venue', NEW.venue_id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER venue_risk_update_revision AFTER UPDATE ON venue_risk BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'venue', NEW.venue_id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER venue_risk_delete_revision AFTER DELETE ON venue_risk BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'venue', OLD.venue_id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;

-- A lamp's feature: the lamp and the repair gain it carries.
CREATE TRIGGER lamps_insert_revision AFTER INSERT ON lamps BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lamp', NEW.id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER lamps_update_revision AFTER UPDATE ON lamps BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lamp', NEW.id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER lamps_delete_revision AFTER DELETE ON lamps BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lamp', OLD.id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER lamp_repairs_insert_revision AFTER INSERT ON lamp_repairs BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lamp', NEW.lamp_id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER lamp_repairs_update_revision AFTER UPDATE ON lamp_repairs BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lamp', NEW.lamp_id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER lamp_repairs_delete_revision AFTER DELETE ON lamp_repairs BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lamp', OLD.lamp_id, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;

-- Whole kinds: the lighting results, corners, plans, areas, teams and settings.
CREATE TRIGGER lighting_runs_insert_revision AFTER INSERT ON lighting_runs BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lighting', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER lighting_runs_update_revision AFTER UPDATE ON lighting_runs BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lighting', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER lighting_runs_delete_revision AFTER DELETE ON lighting_runs BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lighting', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER blind_spots_insert_revision AFTER INSERT ON blind_spots BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lighting', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER blind_spots_update_revision AFTER UPDATE ON blind_spots BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lighting', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER blind_spots_delete_revision AFTER DELETE ON blind_spots BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lighting', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER lighting_data_gaps_insert_revision AFTER INSERT ON lighting_data_gaps BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lighting', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER lighting_data_gaps_update_revision AFTER UPDATE ON lighting_data_gaps BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lighting', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER lighting_data_gaps_delete_revision AFTER DELETE ON lighting_data_gaps BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lighting', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER lamp_proposals_insert_revision AFTER INSERT ON lamp_proposals BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lighting', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER lamp_proposals_update_revision AFTER UPDATE ON lamp_proposals BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lighting', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER lamp_proposals_delete_revision AFTER DELETE ON lamp_proposals BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lighting', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER lamp_repairs_insert_lighting_revision AFTER INSERT ON lamp_repairs BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lighting', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER lamp_repairs_update_lighting_revision AFTER UPDATE ON lamp_repairs BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lighting', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER lamp_repairs_delete_lighting_revision AFTER DELETE ON lamp_repairs BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'lighting', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER corners_insert_revision AFTER INSERT ON corners BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'corners', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER corners_update_revision AFTER UPDATE ON corners BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'corners', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER corners_delete_revision AFTER DELETE ON corners BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'corners', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER patrol_plans_insert_revision AFTER INSERT ON patrol_plans BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'plans', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER patrol_plans_update_revision AFTER UPDATE ON patrol_plans BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'plans', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER patrol_plans_delete_revision AFTER DELETE ON patrol_plans BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'plans', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER patrol_routes_insert_revision AFTER INSERT ON patrol_routes BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'plans', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER patrol_routes_update_revision AFTER UPDATE ON patrol_routes BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'plans', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER patrol_routes_delete_revision AFTER DELETE ON patrol_routes BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'plans', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER patrol_stops_insert_revision AFTER INSERT ON patrol_stops BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'plans', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER patrol_stops_update_revision AFTER UPDATE ON patrol_stops BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'plans', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER patrol_stops_delete_revision AFTER DELETE ON patrol_stops BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'plans', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER plan_left_out_insert_revision AFTER INSERT ON plan_left_out BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'plans', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER plan_left_out_update_revision AFTER UPDATE ON plan_left_out BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'plans', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER plan_left_out_delete_revision AFTER DELETE ON plan_left_out BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'plans', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER areas_insert_revision AFTER INSERT ON areas BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'areas', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER areas_update_revision AFTER UPDATE ON areas BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'areas', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER areas_delete_revision AFTER DELETE ON areas BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'areas', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER teams_insert_revision AFTER INSERT ON teams BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'teams', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER teams_update_revision AFTER UPDATE ON teams BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'teams', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER teams_delete_revision AFTER DELETE ON teams BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'teams', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER settings_insert_revision AFTER INSERT ON settings BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'settings', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER settings_update_revision AFTER UPDATE ON settings BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'settings', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;
CREATE TRIGGER settings_delete_revision AFTER DELETE ON settings BEGIN
    UPDATE content_revision SET revision = revision + 1;
    INSERT INTO content_changes (subject, subject_id, revision)
        SELECT 'settings', 0, revision FROM content_revision WHERE true
        ON CONFLICT (subject, subject_id) DO UPDATE SET revision = excluded.revision;
END;

-- A write's consequences are recomputed around its place (issue 14): boxes of venues and of
-- blind spots are read by position.
CREATE INDEX venues_position ON venues (lon, lat);
CREATE INDEX blind_spots_position ON blind_spots (lon, lat);
