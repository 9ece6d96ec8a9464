-- Background jobs, delegations, and what posts show of their review.

-- A post's latest review (open or finished) is looked up on every review page.
CREATE INDEX reviews_post ON reviews(post_id, created_at);

-- Repurposed content may skip stages (a workflow's skip conditions).
ALTER TABLE posts ADD COLUMN repurposed BOOLEAN NOT NULL DEFAULT FALSE;
-- The stage an open review waits at, kept with the post so every list
-- shows "in review at stage X" without loading reviews.
ALTER TABLE posts ADD COLUMN review_stage TEXT;

-- A member's stand-in for a period (out of office).
CREATE TABLE delegations (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    from_user    UUID NOT NULL REFERENCES users(id),
    delegate     UUID NOT NULL REFERENCES users(id),
    starts_at    TIMESTAMPTZ NOT NULL,
    ends_at      TIMESTAMPTZ NOT NULL,
    created_by   UUID NOT NULL REFERENCES users(id),
    created_at   TIMESTAMPTZ NOT NULL,
    CHECK (from_user <> delegate),
    CHECK (starts_at < ends_at)
);
CREATE INDEX delegations_workspace ON delegations(workspace_id, ends_at);

-- The durable job queue. A job is enqueued in the transaction of the change
-- that needs it, claimed with a lease (`locked_until`, renewed while it
-- runs), and run outside any transaction; a lease that lapses (a dead
-- worker) makes the job claimable again.
CREATE TABLE jobs (
    id           UUID PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    -- Enqueueing the same key twice is one job.
    dedup_key    TEXT UNIQUE,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    run_at       TIMESTAMPTZ NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    locked_by    TEXT,
    locked_until TIMESTAMPTZ,
    last_error   TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ
);
-- Claims repeat this condition word for word, so SQLite uses the index.
CREATE INDEX jobs_waiting ON jobs(run_at) WHERE status IN ('pending', 'running');
