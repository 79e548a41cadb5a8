-- Sources: where findings arrive from by themselves (a watched folder, GitHub's alerts).
CREATE TABLE sources (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    -- The source's settings as JSON (`SourceConfig`): the folder, or GitHub's URL and targets.
    -- Never a token: that is in the OS keychain.
    config          TEXT NOT NULL,
    interval_secs   INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    last_check      TEXT,
    -- What the last check that found anything found.
    found_at        TEXT,
    found_new       INTEGER NOT NULL DEFAULT 0,
    found_updated   INTEGER NOT NULL DEFAULT 0,
    found_fixed     INTEGER NOT NULL DEFAULT 0,
    found_reopened  INTEGER NOT NULL DEFAULT 0,
    found_suppressed INTEGER NOT NULL DEFAULT 0,
    next_check      TEXT NOT NULL,
    error_code      TEXT,
    error_message   TEXT,
    -- A rate limit: nothing is asked before this time.
    waiting_until   TEXT
) STRICT;

-- A watched folder's files: what was seen last (to tell when a file stopped changing) and what
-- was imported (to import each version once).
CREATE TABLE source_files (
    source_id       TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    path            TEXT NOT NULL,
    seen_size       INTEGER NOT NULL,
    seen_modified   INTEGER NOT NULL,
    changed_at      TEXT NOT NULL,
    imported_size   INTEGER,
    imported_modified INTEGER,
    PRIMARY KEY (source_id, path)
) STRICT;

-- A GitHub list's validator and high-water mark: the first page is asked with If-None-Match
-- (an unchanged list costs a 304), and a changed list is read only down to what the last poll
-- already saw (lists are sorted by `updated`, newest first).
CREATE TABLE source_lists (
    source_id       TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    url             TEXT NOT NULL,
    etag            TEXT,
    -- The newest `updated_at` the last read saw.
    watermark       TEXT,
    -- When the whole list was last read (a full read also notices alerts that disappeared).
    full_read_at    TEXT,
    PRIMARY KEY (source_id, url)
) STRICT;

-- Where a finding can be seen at its origin (a GitHub alert's page).
ALTER TABLE issues ADD COLUMN link TEXT;
