-- Share links: reviewers without an account. The token is stored only as
-- its SHA-256; `scope` is the domain's scope as JSON. A link Greenlight
-- makes for a workflow lane's external reviewer names its review, stage
-- and round (one link per reviewer per round).
CREATE TABLE share_links (
    id             UUID PRIMARY KEY,
    workspace_id   UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    token_hash     TEXT NOT NULL UNIQUE,
    scope          TEXT NOT NULL,
    capability     TEXT NOT NULL CHECK (capability IN ('view', 'comment', 'approve')),
    reviewer_name  TEXT,
    reviewer_email TEXT,
    password_hash  TEXT,
    review_id      UUID REFERENCES reviews(id) ON DELETE CASCADE,
    stage_key      TEXT,
    round          BIGINT,
    created_by     UUID REFERENCES users(id),
    created_at     TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL,
    revoked_at     TIMESTAMPTZ,
    revoked_by     UUID REFERENCES users(id),
    last_used_at   TIMESTAMPTZ,
    CHECK (capability <> 'approve' OR reviewer_email IS NOT NULL),
    CHECK ((review_id IS NULL) = (stage_key IS NULL) AND (review_id IS NULL) = (round IS NULL))
);
CREATE INDEX share_links_workspace ON share_links(workspace_id, id);
CREATE UNIQUE INDEX share_links_lane ON share_links(review_id, stage_key, round, reviewer_email) WHERE review_id IS NOT NULL;

-- A comment's author is a member or a share link's visitor (by the name
-- they gave).
ALTER TABLE comments ALTER COLUMN author_id DROP NOT NULL;
ALTER TABLE comments ADD COLUMN link_id UUID REFERENCES share_links(id) ON DELETE SET NULL;
ALTER TABLE comments ADD COLUMN author_name TEXT;
ALTER TABLE comments ADD CONSTRAINT comments_author CHECK ((author_id IS NULL) <> (author_name IS NULL));
ALTER TABLE comments ADD CONSTRAINT comments_visitor_external CHECK (author_name IS NULL OR visibility = 'external');
