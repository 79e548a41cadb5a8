-- The Microsoft Teams connection: who connected, where, with which permissions, and whether it
-- still works. Tokens are never here: the refresh token lives in the OS keychain.
CREATE TABLE connection (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    method           TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    user_name        TEXT NOT NULL,
    user_mail        TEXT NOT NULL,
    tenant_id        TEXT NOT NULL,
    tenant           TEXT NOT NULL,
    cloud            TEXT NOT NULL,
    authority        TEXT NOT NULL,
    graph            TEXT NOT NULL,
    client_id        TEXT NOT NULL,
    requested_scopes TEXT NOT NULL,
    granted_scopes   TEXT NOT NULL,
    connected_at     TEXT NOT NULL,
    refreshed_at     TEXT,
    problem_code     TEXT,
    problem_message  TEXT,
    problem_at       TEXT
) STRICT;
