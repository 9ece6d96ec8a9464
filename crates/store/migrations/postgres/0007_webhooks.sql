-- Outgoing webhooks (generic, signed) and chat incoming webhooks (Slack,
-- Teams, Discord). `events` is a JSON array of patterns; `stage_key`
-- narrows a chat hook to one workflow stage ("the QA channel"). The
-- secret signs generic deliveries, so it is kept, not hashed.
CREATE TABLE webhooks (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('generic', 'slack', 'teams', 'discord')),
    name         TEXT NOT NULL,
    url          TEXT NOT NULL,
    secret       TEXT NOT NULL,
    events       TEXT NOT NULL,
    stage_key    TEXT,
    active       BOOLEAN NOT NULL,
    created_by   UUID REFERENCES users(id),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhooks_workspace ON webhooks(workspace_id);

-- One delivery of one event to one hook: the exact body, and how sending
-- it went. A redelivery is a new row with the same body.
CREATE TABLE webhook_deliveries (
    id           UUID PRIMARY KEY,
    webhook_id   UUID NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id     UUID,
    action       TEXT NOT NULL,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts     BIGINT NOT NULL DEFAULT 0,
    last_status  BIGINT,
    last_error   TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    redelivery_of UUID REFERENCES webhook_deliveries(id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, id);
-- An event is delivered to a hook once (redeliveries aside).
CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries(webhook_id, event_id) WHERE redelivery_of IS NULL;
