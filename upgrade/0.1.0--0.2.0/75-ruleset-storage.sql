
--------------------------------------------------------------------------
-- Rulesets stored uncompressed, out of line once large
--------------------------------------------------------------------------
-- evaluate() recognises the policy it built last by the bytes of the datum
-- it is handed (src/eval_bind.c, cp_eval_prepare): for a value stored out
-- of line those bytes are an 18-byte TOAST pointer, for a compressed inline
-- one they are the whole compressed ruleset, compared again on every row.
-- Round 1 of YES24 compresses to 1.7 kB: that comparison was about 6% of
-- the time of the README's totals over a million orders (B9,
-- bench/totals.sql; memcmp fell from 9.6% to 3.6% of its profile).
-- Stored external, a large ruleset is never compressed, a small one stays
-- inline and is recognised by its fingerprint; neither is compared whole.
-- (Columns created from now on take the type's default; the policy
-- catalog's is set here.  Rows already stored keep their form until they
-- are written again: a published policy never is, and is still read
-- right, only its comparison costs more.)
ALTER TYPE @extschema@.ruleset SET (STORAGE = external);
ALTER TABLE @extschema@.policy ALTER COLUMN rules SET STORAGE EXTERNAL;
