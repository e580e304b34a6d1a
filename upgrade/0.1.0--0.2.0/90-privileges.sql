
--------------------------------------------------------------------------
-- Privileges of what 0.2.0 adds.
--------------------------------------------------------------------------
-- subject_key() is pure: everyone who may evaluate may compute a subject.
-- _row_subject() and _evaluate_columns() are pure and check their
-- arguments; they stay callable (the planner's rewrite of evaluate() is
-- executed with the caller's rights).
