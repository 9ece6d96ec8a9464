-- Share links: reviewers without an account. The token is stored only as
-- its SHA-256; `scope` is the domain's scope as JSON. A link Greenlight
-- makes for a workflow lane's external reviewer names its review, stage
-- and round (one link per reviewer per round).
CREATE TABLE share_links (
    id             BLOB PRIMARY KEY,
    workspace_id   BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    token_hash     TEXT NOT NULL UNIQUE,
    scope          TEXT NOT NULL,
    capability     TEXT NOT NULL CHECK (capability IN ('view', 'comment', 'approve')),
    reviewer_name  TEXT,
    reviewer_email TEXT,
    password_hash  TEXT,
    review_id      BLOB REFERENCES reviews(id) ON DELETE CASCADE,
    stage_key      TEXT,
    round          INTEGER,
    created_by     BLOB REFERENCES users(id),
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    revoked_at     TEXT,
    revoked_by     BLOB REFERENCES users(id),
    last_used_at   TEXT,
    CHECK (capability <> 'approve' OR reviewer_email IS NOT NULL),
    CHECK ((review_id IS NULL) = (stage_key IS NULL) AND (review_id IS NULL) = (round IS NULL))
);
CREATE INDEX share_links_workspace ON share_links(workspace_id, id);
CREATE UNIQUE INDEX share_links_lane ON share_links(review_id, stage_key, round, reviewer_email) WHERE review_id IS NOT NULL;

-- A comment's author is a member or a share link's visitor (by the name
-- they gave). SQLite cannot relax NOT NULL in place, so the table is
-- rebuilt; its self-reference names the new table, which the rename then
-- carries over (dropping the old table first would cascade into it).
CREATE TABLE comments_new (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    post_id      BLOB NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    parent_id    BLOB,
    author_id    BLOB REFERENCES users(id),
    link_id      BLOB REFERENCES share_links(id) ON DELETE SET NULL,
    author_name  TEXT,
    revision     INTEGER NOT NULL,
    anchor       TEXT NOT NULL,
    body         TEXT NOT NULL,
    mentions     TEXT NOT NULL,
    visibility   TEXT NOT NULL CHECK (visibility IN ('internal', 'external')),
    resolved_at  TEXT,
    resolved_by  BLOB REFERENCES users(id),
    created_at   TEXT NOT NULL,
    edited_at    TEXT,
    UNIQUE (post_id, id),
    FOREIGN KEY (post_id, parent_id) REFERENCES comments_new(post_id, id) ON DELETE CASCADE,
    FOREIGN KEY (post_id, revision) REFERENCES revisions(post_id, number),
    CHECK ((resolved_at IS NULL) = (resolved_by IS NULL)),
    CHECK (parent_id IS NULL OR resolved_at IS NULL),
    -- A member wrote it, or a visitor who gave a name.
    CHECK ((author_id IS NULL) <> (author_name IS NULL)),
    CHECK (author_name IS NULL OR visibility = 'external')
);
INSERT INTO comments_new (id, workspace_id, post_id, parent_id, author_id, revision, anchor, body, mentions, visibility,
                          resolved_at, resolved_by, created_at, edited_at)
    SELECT id, workspace_id, post_id, parent_id, author_id, revision, anchor, body, mentions, visibility,
           resolved_at, resolved_by, created_at, edited_at
    FROM comments ORDER BY parent_id IS NOT NULL, created_at;
DROP TABLE comments;
ALTER TABLE comments_new RENAME TO comments;
CREATE INDEX comments_post ON comments(post_id, created_at);
CREATE INDEX comments_parent ON comments(parent_id);
