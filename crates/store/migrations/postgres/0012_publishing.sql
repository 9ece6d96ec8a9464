-- Publishing: the account a channel posts as, what an approval covers, and
-- one publication per (post, channel).

-- The channels a review approved, set when it approves: a channel added
-- afterwards is not published.
ALTER TABLE reviews ADD COLUMN approved_channels TEXT;

CREATE TABLE channel_connections (
    channel_id UUID PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
    -- What the API shows (no secret), as JSON.
    settings   TEXT NOT NULL,
    -- The credentials, encrypted with the configured key.
    sealed     BYTEA NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('connected', 'reconnect_needed')),
    detail     TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE publications (
    id              UUID PRIMARY KEY,
    workspace_id    UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    post_id         UUID NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    channel_id      UUID NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    -- The approved revision this publication sends, and nothing else.
    revision_hash   TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('scheduled', 'publishing', 'published', 'failed', 'unknown', 'cancelled')),
    due_at          TIMESTAMPTZ NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    -- Chosen once and sent with every attempt, so the network (or the
    -- receiver) recognises a repeat.
    idempotency_key TEXT NOT NULL,
    remote_id       TEXT,
    remote_url      TEXT,
    error           TEXT,
    retryable       BOOLEAN,
    published_at    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (post_id, channel_id)
);
