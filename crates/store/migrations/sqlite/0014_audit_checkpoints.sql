-- Signed checkpoints: an Ed25519 signature over a chain's head (its
-- sequence number and hash) at a moment. Kept here for export bundles;
-- what proves the chain is the copy exported beyond the database.
CREATE TABLE audit_checkpoints (
    chain      TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    head       TEXT NOT NULL,
    at         TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature  TEXT NOT NULL,
    PRIMARY KEY (chain, seq)
);
