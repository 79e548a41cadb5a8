-- Findings have a lifecycle. An import knows its scope (the tool and the SARIF run's
-- automationDetails.id, else the file): a finding an import of the same scope no longer reports
-- is fixed; one reported again is reopened; SARIF suppressions make it suppressed.
ALTER TABLE issues ADD COLUMN scope TEXT NOT NULL DEFAULT '';
ALTER TABLE issues ADD COLUMN state TEXT NOT NULL DEFAULT 'open';
ALTER TABLE issues ADD COLUMN state_changed_at TEXT;
-- The import (its file) that found the finding fixed.
ALTER TABLE issues ADD COLUMN fixed_by TEXT;

-- Findings imported before scopes existed belong to their file.
UPDATE issues SET scope = tool || ' · ' || source;

CREATE INDEX issues_scope ON issues (scope, state);
CREATE INDEX issues_state ON issues (state);

-- Every revision and state change of a finding: when, which import, and what changed.
CREATE TABLE issue_events (
    issue_id  TEXT NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    revision  INTEGER NOT NULL,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    -- JSON array of sentences: "Severity high → critical", "Location a.js:3 → a.js:9".
    changes   TEXT NOT NULL,
    source    TEXT NOT NULL
) STRICT;

CREATE INDEX issue_events_issue ON issue_events (issue_id, at);
