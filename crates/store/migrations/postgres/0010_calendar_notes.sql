-- Notes on calendar days ("Heart month starts", "no posts: holiday"):
-- the day is a civil date in the workspace's time zone, YYYY-MM-DD.
CREATE TABLE calendar_notes (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    day          TEXT NOT NULL,
    body         TEXT NOT NULL,
    author_id    UUID NOT NULL REFERENCES users(id),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX calendar_notes_day ON calendar_notes(workspace_id, day);
