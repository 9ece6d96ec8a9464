-- How far each workspace's history has been followed (notifications,
-- webhooks, review facts): the events after `seq` are still to be looked
-- at. A worker reads them in batches; before, every write enqueued a job
-- per event, a queue row and its four index entries in the write itself.
CREATE TABLE audit_followed (
    chain TEXT PRIMARY KEY,
    seq   INTEGER NOT NULL
);
-- Events recorded before this were given jobs of their own, which still run.
INSERT INTO audit_followed (chain, seq) SELECT chain, seq FROM audit_heads WHERE chain <> 'instance';
