-- Preflight's workspace data: the style guide (the domain's guide as JSON,
-- versioned so a cached compiled copy knows when it is stale), what link
-- reachability checks found, a video's length, and a channel's own text
-- limit (a Mastodon instance's).
CREATE TABLE style_guides (
    workspace_id BLOB PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    guide        TEXT NOT NULL,
    version      INTEGER NOT NULL,
    updated_by   BLOB REFERENCES users(id),
    updated_at   TEXT NOT NULL
);

CREATE TABLE link_checks (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    url          TEXT NOT NULL,
    ok           INTEGER NOT NULL,
    detail       TEXT NOT NULL,
    checked_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, url)
);

ALTER TABLE media ADD COLUMN duration_ms INTEGER;
ALTER TABLE channels ADD COLUMN text_limit INTEGER;
