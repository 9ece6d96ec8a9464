-- The bell on every page counts a member's unread notifications: only
-- those, not every notification they ever had.
CREATE INDEX notifications_unread ON notifications(user_id, workspace_id) WHERE read_at IS NULL AND in_app = TRUE;
