-- Comments on posts: threads one level deep (a reply's parent is a
-- top-level comment of the same post), each anchored to a revision.
-- `anchor` is the domain's anchor (channel, text range or image region) as
-- JSON; `mentions` the mentioned members' ids as a JSON array.

CREATE TABLE comments (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    post_id      UUID NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    parent_id    UUID,
    author_id    UUID NOT NULL REFERENCES users(id),
    revision     BIGINT NOT NULL,
    anchor       TEXT NOT NULL,
    body         TEXT NOT NULL,
    mentions     TEXT NOT NULL,
    visibility   TEXT NOT NULL CHECK (visibility IN ('internal', 'external')),
    resolved_at  TIMESTAMPTZ,
    resolved_by  UUID REFERENCES users(id),
    created_at   TIMESTAMPTZ NOT NULL,
    edited_at    TIMESTAMPTZ,
    -- A reply belongs to a comment of the same post.
    UNIQUE (post_id, id),
    FOREIGN KEY (post_id, parent_id) REFERENCES comments(post_id, id) ON DELETE CASCADE,
    FOREIGN KEY (post_id, revision) REFERENCES revisions(post_id, number),
    CHECK ((resolved_at IS NULL) = (resolved_by IS NULL)),
    -- Threads are resolved, not replies.
    CHECK (parent_id IS NULL OR resolved_at IS NULL)
);
CREATE INDEX comments_post ON comments(post_id, created_at);
CREATE INDEX comments_parent ON comments(parent_id);
