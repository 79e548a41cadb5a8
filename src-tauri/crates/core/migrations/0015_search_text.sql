-- The Issues page's text filter, made to count 100,000 findings within a few milliseconds
-- (store/search.rs says how it is read). Migration 0011's index over the four columns found
-- the rows holding a text's trigrams, but confirming each one read the whole row and folded
-- four columns, and a text of one or two characters read every row.
DROP TRIGGER issues_text_delete;
DROP TRIGGER issues_text_update;
DROP TABLE issues_text;

-- Each finding's searchable text, folded once, as the one definition of what a text filter
-- searches: the state's marker, then title, rule, path and description with ASCII letters
-- lowercased (as `lower` does), each followed by char(31), one more char(31), and the
-- finding's characters.
-- - The marker is char(30), a control character standing for the state, char(30): a trigram
--   of its own, so a filter's states are read from the index, not from each row.
-- - Texts are never searched with control characters in them (store/search.rs), so the
--   markers and separators never match a text, and no match spans two columns.
-- - Every character of a column is followed by two more, so every text of two characters
--   begins some trigram: such a text is found through the index as well.
-- - The finding's characters: char(29) before each printable ASCII character it holds (but
--   space and the capitals, folded away), in order, and after the last, as the function
--   `search_characters` writes them (store/search.rs registers it on each connection; in
--   SQL it took a second for 100,000 findings). A text of one such character is then one
--   trigram, char(29), it, char(29), instead of every trigram that begins with it.
CREATE VIEW issues_search_source AS
SELECT issue_rowid,
       char(30, CASE state WHEN 'open' THEN 1 WHEN 'fixed' THEN 2 WHEN 'suppressed' THEN 3 END, 30)
       || folded || search_characters(folded) AS text
FROM (SELECT rowid AS issue_rowid, state,
             lower(title) || char(31) || lower(rule_id) || char(31) || lower(coalesce(path, ''))
             || char(31) || lower(description) || char(31, 31) AS folded
      FROM issues);

-- The folded text, stored: a narrow table, so confirming a candidate reads a short row.
CREATE TABLE issues_search_text (
    issue_rowid INTEGER PRIMARY KEY,
    text        TEXT NOT NULL
) STRICT;

-- Its trigrams. Case-sensitive, as the text is already folded: the index and `instr` then
-- agree on what matches. detail = 'none' keeps no positions (a smaller index).
-- https://www.sqlite.org/fts5.html#the_trigram_tokenizer
-- https://www.sqlite.org/fts5.html#external_content_tables
CREATE VIRTUAL TABLE issues_search USING fts5(
    text,
    content = 'issues_search_text', content_rowid = 'issue_rowid',
    tokenize = 'trigram case_sensitive 1', detail = 'none'
);

-- The index's terms, to find the trigrams a text of one or two characters begins.
-- https://www.sqlite.org/fts5.html#the_fts5vocab_virtual_table_module
CREATE VIRTUAL TABLE issues_search_terms USING fts5vocab(issues_search, row);

INSERT INTO issues_search_text (issue_rowid, text) SELECT issue_rowid, text FROM issues_search_source;
INSERT INTO issues_search (issues_search) VALUES ('rebuild');

-- The index follows the stored text.
CREATE TRIGGER issues_search_text_insert AFTER INSERT ON issues_search_text BEGIN
    INSERT INTO issues_search (rowid, text) VALUES (new.issue_rowid, new.text);
END;

CREATE TRIGGER issues_search_text_delete AFTER DELETE ON issues_search_text BEGIN
    INSERT INTO issues_search (issues_search, rowid, text) VALUES ('delete', old.issue_rowid, old.text);
END;

CREATE TRIGGER issues_search_text_update AFTER UPDATE ON issues_search_text BEGIN
    INSERT INTO issues_search (issues_search, rowid, text) VALUES ('delete', old.issue_rowid, old.text);
    INSERT INTO issues_search (rowid, text) VALUES (new.issue_rowid, new.text);
END;

-- The stored text follows the findings. New findings are added by the import after its row
-- inserts (store/issues.rs): an insert trigger here made importing 100,000 findings take
-- twice as long (migration 0011). A finding changed before then has no text yet, and gets
-- its new one with the others.
CREATE TRIGGER issues_search_update AFTER UPDATE OF title, rule_id, path, description, state ON issues
WHEN old.title IS NOT new.title OR old.rule_id IS NOT new.rule_id OR old.path IS NOT new.path
  OR old.description IS NOT new.description OR old.state IS NOT new.state
BEGIN
    UPDATE issues_search_text
    SET text = (SELECT text FROM issues_search_source WHERE issue_rowid = new.rowid)
    WHERE issue_rowid = new.rowid;
END;

CREATE TRIGGER issues_search_delete AFTER DELETE ON issues BEGIN
    DELETE FROM issues_search_text WHERE issue_rowid = old.rowid;
END;
