-- Security findings imported from scanners. `id` is the finding's stable identity; a changed
-- finding keeps its id and gets a new revision.
CREATE TABLE issues (
    id            TEXT PRIMARY KEY NOT NULL,
    title         TEXT NOT NULL,
    severity      TEXT NOT NULL,
    severity_rank INTEGER NOT NULL,
    score         REAL,
    tool          TEXT NOT NULL,
    rule_id       TEXT NOT NULL,
    rule_name     TEXT,
    path          TEXT,
    line          INTEGER,
    column_number INTEGER,
    help_uri      TEXT,
    description   TEXT NOT NULL,
    tags          TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    change        TEXT NOT NULL,
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    source        TEXT NOT NULL
) STRICT;

CREATE INDEX issues_order ON issues (severity_rank DESC, last_seen DESC, id);
CREATE INDEX issues_tool ON issues (tool);
CREATE INDEX issues_change ON issues (change);
