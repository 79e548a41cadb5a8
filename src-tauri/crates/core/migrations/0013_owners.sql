-- Owner routing (owners/routing.rs). Where the CODEOWNERS file is read from (one row), the
-- Teams place each GitHub user or team stands for, and what the directory said of each e-mail
-- owner (looked up ahead of time: workflows run inside an import and cannot wait for Graph).
CREATE TABLE owner_source (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    location    TEXT NOT NULL,   -- JSON OwnersLocation: a folder, or a repository through a GitHub source
    updated_at  TEXT NOT NULL,
    -- Through GitHub: the file as last fetched (used while a later fetch fails), where it was
    -- found in the repository, when, and why the last fetch failed.
    text        TEXT,
    file        TEXT,
    fetched_at  TEXT,
    fetch_error TEXT
) STRICT;

CREATE TABLE owner_mappings (
    owner      TEXT PRIMARY KEY,   -- as CODEOWNERS writes it, lowercased: '@acme/payments'
    written    TEXT NOT NULL,      -- as the file writes it
    recipient  TEXT NOT NULL,      -- JSON Recipient: a person or a channel
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE owner_directory (
    mail       TEXT PRIMARY KEY,   -- lowercased
    user_id    TEXT,               -- NULL: nobody in the directory has this address
    name       TEXT,
    found_mail TEXT,
    checked_at TEXT NOT NULL
) STRICT;

-- Whom a message @mentions (JSON list of mentions.rs Mention), and why a delivery went where
-- it went ("Instead of @acme/payments, which has no Teams mapping.").
ALTER TABLE messages ADD COLUMN mentions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE deliveries ADD COLUMN note TEXT;
