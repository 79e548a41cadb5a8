-- Workflows: Teams messages that go out by themselves. The definition (conditions, recipients,
-- fallback recipients, comment, what it applies to, schedule, identity) is JSON.
CREATE TABLE workflows (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    enabled     INTEGER NOT NULL,
    definition  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    -- Periodic workflows: when the next digest is due.
    next_run_at TEXT
) STRICT;

-- What each run did, newest first on the Workflows page.
CREATE TABLE workflow_runs (
    id          TEXT PRIMARY KEY NOT NULL,
    workflow_id TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    trigger     TEXT NOT NULL,
    matched     INTEGER NOT NULL,
    queued      INTEGER NOT NULL,
    skipped     INTEGER NOT NULL,
    summary     TEXT NOT NULL
) STRICT;

CREATE INDEX workflow_runs_recent ON workflow_runs (workflow_id, started_at DESC);

-- At most one message per (workflow, issue, revision, recipient), whatever crashes or runs
-- twice: a delivery is queued only together with its row here, in one transaction.
CREATE TABLE workflow_sends (
    workflow_id   TEXT NOT NULL,
    issue_id      TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    recipient_key TEXT NOT NULL,
    delivery_id   TEXT NOT NULL,
    PRIMARY KEY (workflow_id, issue_id, revision, recipient_key)
) STRICT;
