-- The first test: install the oldest released version and upgrade step by
-- step to the current one, so that every later test runs on an upgraded
-- install.  0.1.0 is the first release: there are no steps yet.
CREATE EXTENSION compensation VERSION '0.1.0';
SELECT extversion FROM pg_extension WHERE extname = 'compensation';
SELECT version FROM pg_available_extension_versions
WHERE name = 'compensation' ORDER BY version;
-- Not relocatable: the schema is part of every name.
SELECT extrelocatable, extnamespace::regnamespace FROM pg_extension
WHERE extname = 'compensation';
