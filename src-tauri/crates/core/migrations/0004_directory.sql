-- Teams, channels, chats and people searches as Graph last returned them, so pickers open at
-- once and stay usable when Microsoft is slow. Refreshed in the background.
CREATE TABLE directory_cache (
    kind       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    payload    TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (kind, scope)
) STRICT;
