-- Posting slots: the weekly times each channel posts at, in the workspace's
-- zone; "add to queue" plans a post at the next one that is free.
CREATE TABLE posting_slots (
    channel_id UUID NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    -- ISO: Monday = 1 … Sunday = 7.
    weekday    INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    -- Minutes after local midnight.
    minute     INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),
    PRIMARY KEY (channel_id, weekday, minute)
);

-- A thread's progress: the remote ids of the segments already on the
-- network (a JSON array), saved before the next segment is sent, so a
-- resumed attempt goes on where it stopped.
ALTER TABLE publications ADD COLUMN progress TEXT;
