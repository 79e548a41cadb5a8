-- Workflows name tools and rules; a finding matches one when the names are equal once white
-- space around the finding's is removed and ASCII letters are folded (workflows/conditions.rs).
-- These indexes hold exactly that key, so SQL reads only a named tool's or rule's findings
-- instead of every row: trim removes the characters Rust's str::trim removes (Unicode's
-- White_Space), and SQLite's lower folds ASCII letters only, as eq_ignore_ascii_case does.
-- SQLite uses an index on an expression only for that very expression: store/matching.rs
-- writes it the same way (match_key), and a test there checks that a query uses these.
-- https://www.sqlite.org/expridx.html
CREATE INDEX issues_tool_key ON issues (
    lower(trim(tool, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197,
        8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)))
);
CREATE INDEX issues_rule_key ON issues (
    lower(trim(rule_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197,
        8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)))
);
