-- The approval engine: workflows and their versions, routing rules, reviews.

CREATE TABLE workflows (
    id              UUID PRIMARY KEY,
    workspace_id    UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    is_default      BOOLEAN NOT NULL DEFAULT FALSE,
    current_version BIGINT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (workspace_id, name)
);
-- At most one default workflow per workspace.
CREATE UNIQUE INDEX workflows_one_default ON workflows(workspace_id) WHERE is_default;

-- Versions are immutable: editing a workflow adds one.
CREATE TABLE workflow_versions (
    workflow_id UUID NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    version     BIGINT NOT NULL,
    definition  TEXT NOT NULL,
    created_by  UUID REFERENCES users(id),
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workflow_id, version)
);

CREATE TABLE workflow_routes (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    priority     INTEGER NOT NULL,
    workflow_id  UUID NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    condition    TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX workflow_routes_workspace ON workflow_routes(workspace_id, priority);

-- A review is one run of a workflow version over a post; `state` is the
-- engine's run (stages, decisions) as JSON, `version` guards concurrent writes.
CREATE TABLE reviews (
    id               UUID PRIMARY KEY,
    workspace_id     UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    post_id          UUID NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    workflow_id      UUID NOT NULL REFERENCES workflows(id),
    workflow_version BIGINT NOT NULL,
    status           TEXT NOT NULL,
    state            TEXT NOT NULL,
    version          BIGINT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (workflow_id, workflow_version) REFERENCES workflow_versions(workflow_id, version)
);
-- One open review per post: a second submission cannot slip in.
CREATE UNIQUE INDEX reviews_one_open ON reviews(post_id) WHERE status IN ('active', 'changes_requested', 'approved');
CREATE INDEX reviews_workspace_status ON reviews(workspace_id, status);
