-- The US federal holidays of 2026 as a shared calendar
-- (https://www.opm.gov/policy-data-oversight/pay-leave/federal-holidays/):
-- policies name it with
--     calendar "us-federal" shared
-- and compile its days in (docs/policy-language.md, "Shared calendars").
-- July 4th falls on a Saturday, so the holiday is observed on Friday July 3.
SELECT name, weekend, holidays FROM compensation.define_calendar('us-federal',
	weekend => '{saturday,sunday}',
	holidays => '{2026-01-01,2026-01-19,2026-02-16,2026-05-25,2026-06-19,
	              2026-07-03,2026-09-07,2026-10-12,2026-11-11,2026-11-26,
	              2026-12-25}');
