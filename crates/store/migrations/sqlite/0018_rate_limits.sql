-- Rate limits (login attempts, failed link visits) counted in the
-- database, so they hold across instances sharing it.
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    window_start TEXT NOT NULL,
    attempts     INTEGER NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits(window_start);
