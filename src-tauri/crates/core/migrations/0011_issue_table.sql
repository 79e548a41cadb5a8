-- The Issues page shows open findings by default: an index in the table's order among one
-- state lets a page deep in the table skip rows in the index alone (store/issues.rs).
CREATE INDEX issues_state_order ON issues (state, severity_rank DESC, last_seen DESC, id);

-- The Issues page's text filter through a trigram index: a substring search over title, rule,
-- path and description that reads the index instead of every row (93 ms at 100,000 issues as
-- a scan). External content: the text stays in `issues` only.
-- - New rows are indexed by the import (store/issues.rs), after its row inserts: an insert
--   trigger made importing 100,000 findings take twice as long.
-- - The triggers below keep the index in step when a row's text changes or a row goes; the
--   update trigger fires only when one of the four columns really changes (a re-import that
--   only moves last_seen writes nothing here).
-- - detail = 'none' keeps no positions (a smaller index): a search returns the rows holding
--   every trigram of the text, and the query confirms each with instr.
-- https://www.sqlite.org/fts5.html#the_trigram_tokenizer
-- https://www.sqlite.org/fts5.html#external_content_tables
CREATE VIRTUAL TABLE issues_text USING fts5(
    title, rule_id, path, description,
    content = 'issues', content_rowid = 'rowid', tokenize = 'trigram', detail = 'none'
);

INSERT INTO issues_text (issues_text) VALUES ('rebuild');

CREATE TRIGGER issues_text_delete AFTER DELETE ON issues BEGIN
    INSERT INTO issues_text (issues_text, rowid, title, rule_id, path, description)
    VALUES ('delete', old.rowid, old.title, old.rule_id, old.path, old.description);
END;

CREATE TRIGGER issues_text_update AFTER UPDATE OF title, rule_id, path, description ON issues
WHEN old.title IS NOT new.title OR old.rule_id IS NOT new.rule_id
  OR old.path IS NOT new.path OR old.description IS NOT new.description
BEGIN
    INSERT INTO issues_text (issues_text, rowid, title, rule_id, path, description)
    VALUES ('delete', old.rowid, old.title, old.rule_id, old.path, old.description);
    INSERT INTO issues_text (rowid, title, rule_id, path, description)
    VALUES (new.rowid, new.title, new.rule_id, new.path, new.description);
END;
