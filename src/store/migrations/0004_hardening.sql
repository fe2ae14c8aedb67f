-- Hardening the capture door (issue 20).

-- A retried upload answers what the first one did, suspension included, so a client that lost
-- the first answer learns the same from the retry.
ALTER TABLE inspections ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;

-- Client UUIDs were compared as text; they are now stored in their one hyphenated lower-case
-- form. Earlier rows spelled without dashes, in braces or as urn:uuid: are rewritten to it, each
-- unless that form is taken already: such rows are the duplicates this fixes, and they are kept
-- as they were so that nothing acknowledged is lost.
UPDATE OR IGNORE inspections
SET client_uuid = replace(replace(replace(replace(lower(client_uuid), 'urn:uuid:', ''), '{', ''), '}', ''), '-', '')
WHERE client_uuid NOT GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-*';

UPDATE OR IGNORE inspections
SET client_uuid = substr(client_uuid, 1, 8) || '-' || substr(client_uuid, 9, 4) || '-' ||
                  substr(client_uuid, 13, 4) || '-' || substr(client_uuid, 17, 4) || '-' ||
                  substr(client_uuid, 21, 12)
WHERE length(client_uuid) = 32 AND client_uuid NOT GLOB '*-*';
