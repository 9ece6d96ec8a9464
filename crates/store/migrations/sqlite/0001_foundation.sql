-- Greenlight's foundation: accounts, workspaces, planning records, posts
-- with immutable revisions, media, and the hash-chained audit log.

CREATE TABLE users (
    id            BLOB PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    id          BLOB PRIMARY KEY,
    user_id     BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    csrf_token  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE workspaces (
    id         BLOB PRIMARY KEY,
    name       TEXT NOT NULL,
    time_zone  TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE members (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id      BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('owner','admin','manager','creator','reviewer','viewer')),
    created_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX members_user ON members(user_id);

CREATE TABLE member_groups (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE group_members (
    group_id     BLOB NOT NULL REFERENCES member_groups(id) ON DELETE CASCADE,
    workspace_id BLOB NOT NULL,
    user_id      BLOB NOT NULL,
    PRIMARY KEY (group_id, user_id),
    -- Only members can be in a group; leaving the workspace leaves its groups.
    FOREIGN KEY (workspace_id, user_id) REFERENCES members(workspace_id, user_id) ON DELETE CASCADE
);

CREATE TABLE api_tokens (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id      BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE TABLE channels (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    network      TEXT NOT NULL,
    handle       TEXT NOT NULL,
    display_name TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (workspace_id, network, handle)
);

CREATE TABLE campaigns (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    colour       TEXT NOT NULL,
    starts_on    TEXT,
    ends_on      TEXT,
    created_at   TEXT NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE labels (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('label','pillar')),
    colour       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (workspace_id, kind, name)
);

CREATE TABLE posts (
    id                  BLOB PRIMARY KEY,
    workspace_id        BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    title               TEXT NOT NULL,
    brief               TEXT NOT NULL,
    owner_id            BLOB NOT NULL REFERENCES users(id),
    campaign_id         BLOB REFERENCES campaigns(id) ON DELETE SET NULL,
    state               TEXT NOT NULL,
    planned_at          TEXT,
    planned_zone        TEXT,
    version             INTEGER NOT NULL,
    current_revision_id BLOB,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    CHECK ((planned_at IS NULL) = (planned_zone IS NULL))
);
CREATE INDEX posts_workspace_planned ON posts(workspace_id, planned_at);

CREATE TABLE post_labels (
    post_id  BLOB NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    label_id BLOB NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, label_id)
);

CREATE TABLE post_channels (
    post_id    BLOB NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    channel_id BLOB NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, channel_id)
);

CREATE TABLE revisions (
    id           BLOB PRIMARY KEY,
    post_id      BLOB NOT NULL REFERENCES posts(id),
    number       INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    content      TEXT NOT NULL,
    author_id    BLOB NOT NULL REFERENCES users(id),
    created_at   TEXT NOT NULL,
    UNIQUE (post_id, number)
);

CREATE TABLE media (
    id            BLOB PRIMARY KEY,
    workspace_id  BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    blob_key      TEXT NOT NULL,
    thumbnail_key TEXT,
    filename      TEXT NOT NULL,
    mime          TEXT NOT NULL,
    size          INTEGER NOT NULL,
    width         INTEGER,
    height        INTEGER,
    uploaded_by   BLOB NOT NULL REFERENCES users(id),
    created_at    TEXT NOT NULL
);
CREATE INDEX media_workspace ON media(workspace_id, id);

CREATE TABLE audit_events (
    id           BLOB PRIMARY KEY,
    chain        TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    at           TEXT NOT NULL,
    actor_kind   TEXT NOT NULL,
    actor_id     BLOB,
    actor_extra  TEXT,
    action       TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   BLOB,
    data         TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    UNIQUE (chain, seq)
);
CREATE INDEX audit_subject ON audit_events(subject_id, seq);

-- The last event of each chain: appends lock this row, and verification
-- compares the chain's end with it (so deleting the newest events shows).
CREATE TABLE audit_heads (
    chain TEXT PRIMARY KEY,
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);

-- History is append-only: the database refuses to change or delete it.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER revisions_no_update BEFORE UPDATE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions is append-only'); END;
CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions is append-only'); END;
