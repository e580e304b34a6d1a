
--------------------------------------------------------------------------
-- Accessors on awards (src/award_accessors.c): the reasons of review
-- lines, and a window in the policy's local time.
--------------------------------------------------------------------------
CREATE FUNCTION @extschema@.reviews(@extschema@.award)
RETURNS text[]
AS 'MODULE_PATHNAME', 'compensation_award_reviews'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reviews(@extschema@.award) IS
	'the reasons of the award''s review lines, in line order (NULL for a review without a reason); empty if none: has(award, ''review'') says whether, reviews() says why';

-- A tsrange of local times: readable in the policy's zone whatever the
-- session's TimeZone (lines() gives timestamptz, printed in the session's
-- zone).  Reads the award only.
CREATE FUNCTION @extschema@.local_window(@extschema@.award, target text)
RETURNS tsrange
AS 'MODULE_PATHNAME', 'compensation_award_local_window'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.local_window(@extschema@.award, text) IS
	'the claim or validity window of the first line on target that has one, as local times of the policy''s zone ([from, until)); NULL if none';
