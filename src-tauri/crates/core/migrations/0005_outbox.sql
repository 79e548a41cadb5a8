-- The durable outbox: a message about an issue, and one delivery per recipient with its own
-- status. Nothing is sent except from here, so a crash never loses a message.
CREATE TABLE messages (
    id             TEXT PRIMARY KEY NOT NULL,
    issue_id       TEXT NOT NULL,
    issue_revision INTEGER NOT NULL,
    issue_title    TEXT NOT NULL,
    comment        TEXT NOT NULL,
    card           TEXT NOT NULL,
    summary        TEXT NOT NULL,
    sender         TEXT NOT NULL,
    origin         TEXT NOT NULL,
    workflow_id    TEXT,
    priority       INTEGER NOT NULL,
    created_at     TEXT NOT NULL
) STRICT;

CREATE TABLE deliveries (
    id               TEXT PRIMARY KEY NOT NULL,
    message_id       TEXT NOT NULL REFERENCES messages (id),
    recipient        TEXT NOT NULL,
    recipient_key    TEXT NOT NULL,
    label            TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL,
    next_attempt_at  TEXT NOT NULL,
    target           TEXT,
    teams_message_id TEXT,
    web_url          TEXT,
    error_code       TEXT,
    error            TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    sent_at          TEXT,
    UNIQUE (message_id, recipient_key)
) STRICT;

CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_recent ON deliveries (created_at DESC);
