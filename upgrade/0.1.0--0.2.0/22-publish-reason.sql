
--------------------------------------------------------------------------
-- Why a version was published, and the version history in one query
--------------------------------------------------------------------------
ALTER TABLE @extschema@.policy ADD COLUMN publish_reason text;
COMMENT ON COLUMN @extschema@.policy.publish_reason IS
	'why this version was published (free text given to compensation.publish()); NULL for versions published by 0.1.0 or without one';

-- A published version admits one change, its retirement; the reason it
-- was published is part of what must not change.
CREATE OR REPLACE FUNCTION @extschema@.policy_guard()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		IF OLD.status <> 'draft' THEN
			RAISE EXCEPTION 'policy "%" version % is % and cannot be deleted', OLD.name, OLD.version, OLD.status
				USING ERRCODE = 'object_not_in_prerequisite_state',
					DETAIL = 'A published version is immutable: the ledger refers to it.',
					HINT = 'Retire it with compensation.retire(), or define a new version with compensation.define_policy().';
		END IF;
		RETURN OLD;
	END IF;
	IF OLD.status = 'draft' THEN
		RETURN NEW;
	END IF;
	IF OLD.status = 'published' AND NEW.status = 'retired'
		AND NEW.name = OLD.name AND NEW.version = OLD.version
		AND NEW.incident IS NOT DISTINCT FROM OLD.incident
		AND NEW.source = OLD.source
		AND NEW.rules OPERATOR(@extschema@.=) OLD.rules
		AND NEW.created_by = OLD.created_by AND NEW.created_at = OLD.created_at
		AND NEW.published_by = OLD.published_by AND NEW.published_at = OLD.published_at
		AND NEW.publish_reason IS NOT DISTINCT FROM OLD.publish_reason
		AND NEW.retired_by = session_user AND NEW.retired_at = now() THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'policy "%" version % is % and cannot be changed', OLD.name, OLD.version, OLD.status
		USING ERRCODE = 'object_not_in_prerequisite_state',
			DETAIL = 'A published version is immutable; the only change it admits is compensation.retire().',
			HINT = 'Define a new version with compensation.define_policy() and publish it.';
END
$$;

DROP FUNCTION @extschema@.publish(text, integer);
CREATE FUNCTION @extschema@.publish(name text, version integer DEFAULT NULL, reason text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_policy @extschema@.policy;
BEGIN
	IF $1 IS NULL THEN
		RAISE EXCEPTION 'policy name must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF $3 IS NOT NULL AND btrim($3) = '' THEN
		RAISE EXCEPTION 'a publish reason must not be blank' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Say why this version is published (e.g. ''round 2: every member''), or pass no reason.';
	END IF;
	SELECT * INTO v_policy FROM @extschema@.policy p
	WHERE p.name = $1 AND (p.version = $2 OR ($2 IS NULL AND p.status = 'draft'))
	FOR UPDATE;
	IF NOT FOUND THEN
		IF NOT EXISTS (SELECT FROM @extschema@.policy p WHERE p.name = $1) THEN
			RAISE EXCEPTION 'policy "%" does not exist', $1
				USING ERRCODE = 'undefined_object',
					HINT = 'Define it with compensation.define_policy().';
		ELSIF $2 IS NULL THEN
			RAISE EXCEPTION 'policy "%" has no draft to publish', $1
				USING ERRCODE = 'object_not_in_prerequisite_state',
					HINT = 'Define the next version with compensation.define_policy().';
		ELSE
			RAISE EXCEPTION 'policy "%" has no version %', $1, $2
				USING ERRCODE = 'undefined_object';
		END IF;
	END IF;
	IF v_policy.status <> 'draft' THEN
		RAISE EXCEPTION 'policy "%" version % is already %', $1, v_policy.version, v_policy.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
				HINT = 'Only a draft can be published.';
	END IF;
	UPDATE @extschema@.policy p
	SET status = 'published', published_by = session_user, published_at = now(), publish_reason = $3
	WHERE p.name = $1 AND p.version = v_policy.version;
	RETURN v_policy.version;
END
$$;
COMMENT ON FUNCTION @extschema@.publish(text, integer, text) IS
	'publishes a draft (by default the draft of the policy) with the reason it is published, and returns its version; from then on it is immutable and the latest published version is the one issued; records who published it (session_user) and when';
REVOKE ALL ON FUNCTION @extschema@.publish(text, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.publish(text, integer, text) TO compensation_admin;

CREATE VIEW @extschema@.policy_history AS
SELECT p.name, p.version, p.status, p.incident,
	@extschema@.rule_count(p.rules) AS rules,
	p.created_by, p.created_at,
	p.published_by, p.published_at, p.publish_reason,
	p.retired_by, p.retired_at,
	p.status = 'published' AND p.version = max(p.version) FILTER (WHERE p.status = 'published')
		OVER (PARTITION BY p.name) AS in_force
FROM @extschema@.policy p;
COMMENT ON VIEW @extschema@.policy_history IS
	'every version of every policy: who defined, published (and why) and retired it, and which version is in force; ORDER BY name, version';
GRANT SELECT ON @extschema@.policy_history TO compensation_admin, compensation_analyst, compensation_issuer;
