-- Findings a workflow held during its quiet hours (workflows/quiet.rs): one row per workflow
-- and finding, the latest revision held. When the quiet hours end, one digest per recipient
-- carries the ones still open and the rows are marked released, so that the same revision is
-- not messaged again on its own afterwards.
CREATE TABLE quiet_held (
    workflow_id TEXT NOT NULL,
    issue_id    TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    held_at     TEXT NOT NULL,
    until       TEXT NOT NULL,
    released_at TEXT,
    PRIMARY KEY (workflow_id, issue_id)
) STRICT;

CREATE INDEX quiet_held_waiting ON quiet_held (until) WHERE released_at IS NULL;
