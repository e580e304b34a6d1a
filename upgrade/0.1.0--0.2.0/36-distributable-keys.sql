
--------------------------------------------------------------------------
-- Keys a distributed ledger can keep
--------------------------------------------------------------------------
-- Citus distributes the ledger and the issuance state by subject
-- (compensation.distribute(), 39-distribute.sql), and a distributed table
-- accepts only unique keys and foreign keys that include its distribution
-- column.  0.1.0 keyed a line by its id alone and a reversal by a foreign
-- key to that id.  Every key of the ledger now includes the subject:
--   - a line is (id, subject): ids still come from ledger_id_seq and stay
--     unique on one node, but no integrity rule depends on that;
--   - a reversal names a line of its own subject, (reverses, subject),
--     at most once (a unique index of the reversals), and that line
--     exists (the foreign key: a reference within one subject, which
--     stays within one shard).
-- The issuance state was already keyed (policy, source, subject).
-- Lookups by id alone still use the primary key's index (id leads it).
ALTER TABLE @extschema@.ledger DROP CONSTRAINT ledger_reverses_fkey;
ALTER TABLE @extschema@.ledger DROP CONSTRAINT ledger_reverses_key;
ALTER TABLE @extschema@.ledger DROP CONSTRAINT ledger_pkey;
ALTER TABLE @extschema@.ledger ADD CONSTRAINT ledger_pkey PRIMARY KEY (id, subject);
-- (A partial unique index: only reversals are indexed, so a line that
-- reverses nothing, nearly every line, costs no entry in it.)
CREATE UNIQUE INDEX ledger_reverses_key ON @extschema@.ledger (reverses, subject)
	WHERE reverses IS NOT NULL;
ALTER TABLE @extschema@.ledger ADD CONSTRAINT ledger_reverses_line
	FOREIGN KEY (reverses, subject) REFERENCES @extschema@.ledger (id, subject);
COMMENT ON CONSTRAINT ledger_reverses_line ON @extschema@.ledger IS
	'a reversal reverses a line of its own subject (the unique index ledger_reverses_key: at most once)';
