-- Workflow analytics. A workspace's business hours and preset reasons; and
-- the review facts, derived from the audit log and rebuildable from it
-- (`greenlight analytics rebuild`): one row per review, per round of a
-- stage, and per decision (with when each was first opened: the web app
-- records a `review.seen` event the first time someone asked opens it). `analytics_posts` holds the last event folded
-- for each post, so a slower fold never overwrites a newer one.
CREATE TABLE workflow_settings (
    workspace_id UUID PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    settings     TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE analytics_posts (
    post_id      UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    last_seq     BIGINT NOT NULL
);

CREATE INDEX analytics_posts_workspace ON analytics_posts(workspace_id);

CREATE TABLE review_facts (
    review_id              UUID PRIMARY KEY,
    workspace_id           UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    post_id                UUID NOT NULL,
    workflow_id            UUID,
    post_created_at        TIMESTAMPTZ,
    submitted_at           TIMESTAMPTZ NOT NULL,
    ended_at               TIMESTAMPTZ,
    outcome                TEXT,
    rounds                 BIGINT NOT NULL,
    changes_requested      BIGINT NOT NULL,
    reminders              BIGINT NOT NULL,
    escalations            BIGINT NOT NULL,
    planned_time_passed    TEXT,
    cycle_minutes          BIGINT,
    cycle_business_minutes BIGINT,
    brief_minutes          BIGINT,
    brief_business_minutes BIGINT
);
CREATE INDEX review_facts_ended ON review_facts(workspace_id, ended_at);
-- A post's latest approval, read from the index alone (the plan kept).
CREATE INDEX review_facts_post ON review_facts(post_id, outcome, ended_at);

CREATE TABLE stage_facts (
    review_id        UUID NOT NULL REFERENCES review_facts(review_id) ON DELETE CASCADE,
    -- The review's, so a period's rows are one range of an index.
    workspace_id     UUID NOT NULL,
    review_ended_at  TIMESTAMPTZ,
    n                BIGINT NOT NULL,
    stage            TEXT NOT NULL,
    round            BIGINT NOT NULL,
    asked_at         TIMESTAMPTZ NOT NULL,
    first_seen_at    TIMESTAMPTZ,
    due_at           TIMESTAMPTZ,
    ended_at         TIMESTAMPTZ,
    end_kind         TEXT,
    overridden       BOOLEAN NOT NULL,
    escalated        BOOLEAN NOT NULL,
    reminders        BIGINT NOT NULL,
    minutes          BIGINT,
    business_minutes BIGINT,
    PRIMARY KEY (review_id, n)
);
CREATE INDEX stage_facts_ended ON stage_facts(workspace_id, review_ended_at, review_id, n);

CREATE TABLE decision_facts (
    review_id        UUID NOT NULL REFERENCES review_facts(review_id) ON DELETE CASCADE,
    -- The review's, so a period's rows are one range of an index.
    workspace_id     UUID NOT NULL,
    review_ended_at  TIMESTAMPTZ,
    n                BIGINT NOT NULL,
    stage            TEXT NOT NULL,
    lane             TEXT NOT NULL,
    round            BIGINT NOT NULL,
    decider          TEXT NOT NULL,
    verdict          TEXT NOT NULL,
    reason           TEXT,
    asked_at         TIMESTAMPTZ NOT NULL,
    seen_at          TIMESTAMPTZ,
    decided_at       TIMESTAMPTZ NOT NULL,
    carried          BOOLEAN NOT NULL,
    minutes          BIGINT NOT NULL,
    business_minutes BIGINT NOT NULL,
    PRIMARY KEY (review_id, n)
);
CREATE INDEX decision_facts_ended ON decision_facts(workspace_id, review_ended_at, review_id, n);
CREATE INDEX decision_facts_decider ON decision_facts(decider);
