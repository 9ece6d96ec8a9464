-- Each saved revision's preflight report per channel it was saved for
-- (the domain's report as JSON), so the composer and the reviewers read
-- what was found when it was written.
CREATE TABLE preflight_reports (
    post_id    BLOB NOT NULL,
    revision   INTEGER NOT NULL,
    channel_id BLOB NOT NULL,
    report     TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    PRIMARY KEY (post_id, revision, channel_id),
    FOREIGN KEY (post_id, revision) REFERENCES revisions(post_id, number) ON DELETE CASCADE
);
