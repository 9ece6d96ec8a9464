-- The language a user reads Greenlight in (`en`, `da`); none follows the
-- browser. Their emails are written in it too.
ALTER TABLE users ADD COLUMN language TEXT;
