-- The organisation's bot ("OX Security Alerts"): what is configured and, once connected, what
-- was verified. Its client secret lives in the OS keychain, never here.
CREATE TABLE bot (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    app_id TEXT NOT NULL,
    tenant TEXT NOT NULL,
    -- JSON of the connection (no token, no secret); NULL while not connected.
    connection TEXT,
    updated_at TEXT NOT NULL
);

-- A person's proactive one-on-one conversation with the bot, created once and reused.
CREATE TABLE bot_conversations (
    recipient_key TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Which identity sends a message: the signed-in person ('user') or the bot ('bot').
ALTER TABLE messages ADD COLUMN identity TEXT NOT NULL DEFAULT 'user';
