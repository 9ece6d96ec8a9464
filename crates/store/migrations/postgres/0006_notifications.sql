-- Notifications: what a member is told, in the app and by email. A
-- notification is made once per reason (`dedup_key`), whichever event
-- brings it up first. `email` is where its email stands: `none` (not
-- wanted), `pending` (due at `email_due`, alone or in a digest), `sending`
-- (claimed by one sender, so two workers never send it twice), `sent`,
-- or `failed` (the mail server refused it through every retry).
CREATE TABLE notifications (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    post_id      UUID REFERENCES posts(id) ON DELETE CASCADE,
    summary      TEXT NOT NULL,
    data         TEXT NOT NULL,
    dedup_key    TEXT NOT NULL UNIQUE,
    in_app       BOOLEAN NOT NULL,
    email        TEXT NOT NULL CHECK (email IN ('none', 'pending', 'sending', 'sent', 'failed')),
    email_due    TIMESTAMPTZ,
    -- When a sender claimed it (`sending`); a claim this old is a crashed sender's.
    email_claimed_at TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL,
    read_at      TIMESTAMPTZ
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_email ON notifications(user_id, email_due) WHERE email = 'pending';

-- How members want to hear of each kind of event (JSON: kind → channels);
-- the row without a user is the workspace's default.
CREATE TABLE notification_preferences (
    workspace_id UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id      UUID REFERENCES users(id) ON DELETE CASCADE,
    preferences  TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX notification_preferences_member ON notification_preferences(workspace_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX notification_preferences_default ON notification_preferences(workspace_id) WHERE user_id IS NULL;

-- One-click decisions from email: a link is single-use, expires, and is
-- pinned to the review round and revision (content hash) the email showed.
CREATE TABLE decision_links (
    id           UUID PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    post_id      UUID NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    review_id    UUID NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    revision     TEXT NOT NULL,
    stage_key    TEXT NOT NULL,
    round        BIGINT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ
);
