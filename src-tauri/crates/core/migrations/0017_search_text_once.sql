-- A finding's title is left out of its searchable text when its description holds it: the
-- description then holds every text the title does, so the same findings match, and the index
-- has fewer trigrams to write. A SARIF result's title is the first sentence of its message and
-- its description begins with that message: importing eslint-large.sarif wrote 23 % fewer
-- characters into the index (issue 16). Texts stored before keep their title; they match the
-- same texts either way. Otherwise as migration 0015 says.
DROP VIEW issues_search_source;
CREATE VIEW issues_search_source AS
SELECT issue_rowid,
       char(30, CASE state WHEN 'open' THEN 1 WHEN 'fixed' THEN 2 WHEN 'suppressed' THEN 3 END, 30)
       || folded || search_characters(folded) AS text
FROM (SELECT rowid AS issue_rowid, state,
             CASE WHEN instr(description, title) > 0 THEN '' ELSE lower(title) END
             || char(31) || lower(rule_id) || char(31) || lower(coalesce(path, ''))
             || char(31) || lower(description) || char(31, 31) AS folded
      FROM issues);
