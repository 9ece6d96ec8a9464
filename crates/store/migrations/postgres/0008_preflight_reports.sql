-- Each saved revision's preflight report per channel it was saved for
-- (the domain's report as JSON), so the composer and the reviewers read
-- what was found when it was written.
CREATE TABLE preflight_reports (
    post_id    UUID NOT NULL,
    revision   BIGINT NOT NULL,
    channel_id UUID NOT NULL,
    report     TEXT NOT NULL,
    checked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (post_id, revision, channel_id),
    FOREIGN KEY (post_id, revision) REFERENCES revisions(post_id, number) ON DELETE CASCADE
);
