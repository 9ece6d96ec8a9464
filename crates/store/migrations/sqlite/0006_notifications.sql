-- Notifications: what a member is told, in the app and by email. A
-- notification is made once per reason (`dedup_key`), whichever event
-- brings it up first. `email` is where its email stands: `none` (not
-- wanted), `pending` (due at `email_due`, alone or in a digest), `sending`
-- (claimed by one sender, so two workers never send it twice), `sent`,
-- or `failed` (the mail server refused it through every retry).
CREATE TABLE notifications (
    id           BLOB PRIMARY KEY,
    user_id      BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    post_id      BLOB REFERENCES posts(id) ON DELETE CASCADE,
    summary      TEXT NOT NULL,
    data         TEXT NOT NULL,
    dedup_key    TEXT NOT NULL UNIQUE,
    in_app       INTEGER NOT NULL,
    email        TEXT NOT NULL CHECK (email IN ('none', 'pending', 'sending', 'sent', 'failed')),
    email_due    TEXT,
    -- When a sender claimed it (`sending`); a claim this old is a crashed sender's.
    email_claimed_at TEXT,
    created_at   TEXT NOT NULL,
    read_at      TEXT
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_email ON notifications(user_id, email_due) WHERE email = 'pending';

-- How members want to hear of each kind of event (JSON: kind → channels);
-- the row without a user is the workspace's default.
CREATE TABLE notification_preferences (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id      BLOB REFERENCES users(id) ON DELETE CASCADE,
    preferences  TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX notification_preferences_member ON notification_preferences(workspace_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX notification_preferences_default ON notification_preferences(workspace_id) WHERE user_id IS NULL;

-- One-click decisions from email: a link is single-use, expires, and is
-- pinned to the review round and revision (content hash) the email showed.
CREATE TABLE decision_links (
    id           BLOB PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    post_id      BLOB NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    review_id    BLOB NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    revision     TEXT NOT NULL,
    stage_key    TEXT NOT NULL,
    round        INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_at      TEXT
);
