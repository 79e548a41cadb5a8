-- Living messages: the first message about a finding in a place (a channel, a chat, the bot's
-- conversation with a person) is its anchor; later messages about it there follow the anchor
-- (a reply in the channel thread, the chat's card updated in place) instead of starting anew.
CREATE TABLE anchors (
    issue_id      TEXT NOT NULL,
    recipient_key TEXT NOT NULL,
    -- 'user' or 'bot': each identity follows its own messages.
    identity      TEXT NOT NULL,
    -- The delivery that posted it.
    delivery_id   TEXT NOT NULL,
    -- The chat, or the bot's conversation (a channel thread's `19:…;messageid=…`); NULL for a
    -- channel post as the user (the recipient names the team and channel).
    conversation  TEXT,
    -- The Teams message id: the thread root in a channel.
    message_id    TEXT NOT NULL,
    web_url       TEXT,
    created_at    TEXT NOT NULL,
    -- Teams said it no longer exists (deleted, channel gone): the next message starts anew.
    gone_at       TEXT,
    PRIMARY KEY (issue_id, recipient_key, identity)
) STRICT;

-- How a message treats an existing anchor: 'new' (always a new message), 'anchor' (reply in a
-- channel thread, update a chat's card in place), 'thread' (reply in a channel thread; a chat
-- gets a new message).
ALTER TABLE messages ADD COLUMN follow TEXT NOT NULL DEFAULT 'new';
-- The short card a thread reply carries ("Severity high → critical", "Fixed"); NULL: the card.
ALTER TABLE messages ADD COLUMN reply_card TEXT;
ALTER TABLE messages ADD COLUMN reply_summary TEXT;
-- What a workflow message is for: 'revision' (a new or changed finding) or 'fixed'.
ALTER TABLE messages ADD COLUMN purpose TEXT NOT NULL DEFAULT 'revision';

-- What a delivery does, chosen before its request leaves: 'posted', 'replied', 'updated',
-- 'updated_replied' (the bot in a channel) or 'linked' (a new message pointing at the anchor).
ALTER TABLE deliveries ADD COLUMN action TEXT;
-- The anchor it followed.
ALTER TABLE deliveries ADD COLUMN anchor_message_id TEXT;

CREATE INDEX deliveries_message ON deliveries (message_id);

-- A workflow announces a fix once per revision and place, as it sends each revision once.
CREATE TABLE workflow_sends_v2 (
    workflow_id   TEXT NOT NULL,
    issue_id      TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    purpose       TEXT NOT NULL,
    recipient_key TEXT NOT NULL,
    delivery_id   TEXT NOT NULL,
    PRIMARY KEY (workflow_id, issue_id, revision, purpose, recipient_key)
) STRICT;
INSERT INTO workflow_sends_v2
    SELECT workflow_id, issue_id, revision, 'revision', recipient_key, delivery_id FROM workflow_sends;
DROP TABLE workflow_sends;
ALTER TABLE workflow_sends_v2 RENAME TO workflow_sends;

-- Answers read back from Teams: reactions to an anchor and replies to it, by people.
CREATE TABLE answers (
    issue_id      TEXT NOT NULL,
    recipient_key TEXT NOT NULL,
    -- Teams' id of the reply, or '<message>/<reaction>/<user>' for a reaction.
    answer_id     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    person        TEXT NOT NULL,
    -- The reaction ('like', '👍') or the reply's text.
    content       TEXT NOT NULL,
    at            TEXT NOT NULL,
    PRIMARY KEY (issue_id, recipient_key, answer_id)
) STRICT;
CREATE INDEX answers_issue ON answers (issue_id, at);

-- The first answer acknowledges the finding.
ALTER TABLE issues ADD COLUMN acknowledged_at TEXT;
ALTER TABLE issues ADD COLUMN acknowledged_by TEXT;
