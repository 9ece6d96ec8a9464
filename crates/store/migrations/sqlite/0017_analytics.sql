-- Workflow analytics. A workspace's business hours and preset reasons; and
-- the review facts, derived from the audit log and rebuildable from it
-- (`greenlight analytics rebuild`): one row per review, per round of a
-- stage, and per decision (with when each was first opened: the web app
-- records a `review.seen` event the first time someone asked opens it). `analytics_posts` holds the last event folded
-- for each post, so a slower fold never overwrites a newer one.
CREATE TABLE workflow_settings (
    workspace_id BLOB PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    settings     TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE analytics_posts (
    post_id      BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    last_seq     INTEGER NOT NULL
);

CREATE INDEX analytics_posts_workspace ON analytics_posts(workspace_id);

CREATE TABLE review_facts (
    review_id              BLOB PRIMARY KEY,
    workspace_id           BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    post_id                BLOB NOT NULL,
    workflow_id            BLOB,
    post_created_at        TEXT,
    submitted_at           TEXT NOT NULL,
    ended_at               TEXT,
    outcome                TEXT,
    rounds                 INTEGER NOT NULL,
    changes_requested      INTEGER NOT NULL,
    reminders              INTEGER NOT NULL,
    escalations            INTEGER NOT NULL,
    planned_time_passed    TEXT,
    cycle_minutes          INTEGER,
    cycle_business_minutes INTEGER,
    brief_minutes          INTEGER,
    brief_business_minutes INTEGER
);
CREATE INDEX review_facts_ended ON review_facts(workspace_id, ended_at);
-- A post's latest approval, read from the index alone (the plan kept).
CREATE INDEX review_facts_post ON review_facts(post_id, outcome, ended_at);

CREATE TABLE stage_facts (
    review_id        BLOB NOT NULL REFERENCES review_facts(review_id) ON DELETE CASCADE,
    -- The review's, so a period's rows are one range of an index.
    workspace_id     BLOB NOT NULL,
    review_ended_at  TEXT,
    n                INTEGER NOT NULL,
    stage            TEXT NOT NULL,
    round            INTEGER NOT NULL,
    asked_at         TEXT NOT NULL,
    first_seen_at    TEXT,
    due_at           TEXT,
    ended_at         TEXT,
    end_kind         TEXT,
    overridden       INTEGER NOT NULL,
    escalated        INTEGER NOT NULL,
    reminders        INTEGER NOT NULL,
    minutes          INTEGER,
    business_minutes INTEGER,
    PRIMARY KEY (review_id, n)
);
CREATE INDEX stage_facts_ended ON stage_facts(workspace_id, review_ended_at, review_id, n);

CREATE TABLE decision_facts (
    review_id        BLOB NOT NULL REFERENCES review_facts(review_id) ON DELETE CASCADE,
    -- The review's, so a period's rows are one range of an index.
    workspace_id     BLOB NOT NULL,
    review_ended_at  TEXT,
    n                INTEGER NOT NULL,
    stage            TEXT NOT NULL,
    lane             TEXT NOT NULL,
    round            INTEGER NOT NULL,
    decider          TEXT NOT NULL,
    verdict          TEXT NOT NULL,
    reason           TEXT,
    asked_at         TEXT NOT NULL,
    seen_at          TEXT,
    decided_at       TEXT NOT NULL,
    carried          INTEGER NOT NULL,
    minutes          INTEGER NOT NULL,
    business_minutes INTEGER NOT NULL,
    PRIMARY KEY (review_id, n)
);
CREATE INDEX decision_facts_ended ON decision_facts(workspace_id, review_ended_at, review_id, n);
CREATE INDEX decision_facts_decider ON decision_facts(decider);
