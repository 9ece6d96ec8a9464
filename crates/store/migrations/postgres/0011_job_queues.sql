-- Jobs run in named queues, each with its own concurrency, so a slow
-- queue (link checks, a webhook receiver that times out) never holds up
-- another (review timers, mail).
ALTER TABLE jobs ADD COLUMN queue TEXT NOT NULL DEFAULT 'default';
UPDATE jobs SET queue = CASE kind
    WHEN 'review_timer' THEN 'reviews'
    WHEN 'publish_time' THEN 'reviews'
    WHEN 'fanout' THEN 'notify'
    WHEN 'email' THEN 'notify'
    WHEN 'external_invite' THEN 'notify'
    WHEN 'deliver' THEN 'webhooks'
    WHEN 'check_links' THEN 'links'
    ELSE 'default' END;

-- A queue's claim and the idle worker's "when is the next one due" read
-- the earliest waiting job of that queue.
DROP INDEX jobs_waiting;
CREATE INDEX jobs_waiting ON jobs(run_at, id) WHERE status IN ('pending', 'running');
CREATE INDEX jobs_queue_waiting ON jobs(queue, run_at, id) WHERE status IN ('pending', 'running');
-- Finished jobs are removed after their retention.
CREATE INDEX jobs_finished ON jobs(finished_at) WHERE status IN ('done', 'failed');
