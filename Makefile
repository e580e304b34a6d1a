# compensation: PGXS build.  The version lives in compensation.control only.
#
# Install scripts (contrib's convention): compensation--0.1.0.sql is the
# released 0.1.0, frozen byte for byte; every later version is an update
# step compensation--X--Y.sql.  The step being developed is generated from
# its parts, one concern a file, in upgrade/X--Y/.  CREATE EXTENSION at the
# default version runs the base script and then the steps.
#
# Suites (all against a running server: set PGHOST, PGPORT, PGUSER):
#   make installcheck          pg_regress (sql/, expected/) and isolation (specs/)
#   make installcheck-pgtap    pgTAP files test/pgtap/*.sql, each in a fresh database
#   make installcheck-tap      Perl TAP files test/t/*.pl (they start their own
#                              clusters with initdb: run as a non-root user)
#   make installcheck-docs     every ```sql block of README.md and docs/*.md
#                              (test/docs/run.pl; shown outputs compared)
#   make installcheck-all      all four
EXTENSION = compensation
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = compensation
OBJS = $(patsubst %.c,%.o,$(wildcard src/*.c))

UPGRADE_STEP = 0.1.0--$(EXTVERSION)
UPGRADE_PARTS = $(sort $(wildcard upgrade/$(UPGRADE_STEP)/*.sql))
DATA_built = $(EXTENSION)--$(UPGRADE_STEP).sql
DATA = $(EXTENSION)--0.1.0.sql

# Every test but 00_install begins with \i test/regress_preamble.sql (its
# schema, its names, the err() helper), a path relative to the repository
# root, where pg_regress runs psql; the file is outside sql/ so that it is
# not taken for a test.
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --dbname=contrib_regression
ISOLATION = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))
ISOLATION_OPTS = --dbname=isolation_regression

PGTAP_TESTS = $(sort $(wildcard test/pgtap/*.sql))
TAP_TESTS_PL = $(sort $(wildcard test/t/*.pl))

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(EXTENSION)--$(UPGRADE_STEP).sql: $(UPGRADE_PARTS)
	cat $^ > $@

# PGXS tracks no header dependencies: rebuild every object when a header
# changes, rather than load a mix of old and new layouts.
$(OBJS): $(wildcard src/*.h)

PG_BINDIR := $(shell $(PG_CONFIG) --bindir)
PG_PGXSDIR := $(dir $(PGXS))../..

# Each pgTAP file runs in a fresh database made from a template that has
# pgtap and compensation (updated from 0.1.0, as every test runs).
.PHONY: installcheck-pgtap installcheck-tap installcheck-all
installcheck-pgtap:
	$(PG_BINDIR)/psql -X -q -v ON_ERROR_STOP=1 -d postgres \
	  -c 'DROP DATABASE IF EXISTS compensation_tap_template' \
	  -c 'CREATE DATABASE compensation_tap_template'
	$(PG_BINDIR)/psql -X -q -v ON_ERROR_STOP=1 -d compensation_tap_template \
	  -c 'CREATE EXTENSION pgtap' -c "CREATE EXTENSION compensation VERSION '0.1.0'" \
	  -c 'ALTER EXTENSION compensation UPDATE'
	@rc=0; for f in $(PGTAP_TESTS); do \
	  $(PG_BINDIR)/psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS compensation_tap' \
	    -c 'CREATE DATABASE compensation_tap TEMPLATE compensation_tap_template' >/dev/null || rc=1; \
	  pg_prove -v --psql-bin $(PG_BINDIR)/psql -d compensation_tap $$f || rc=1; \
	done; exit $$rc

installcheck-tap:
	rm -rf tmp_check && mkdir -p tmp_check
	TESTDIR='$(CURDIR)' PATH="$(PG_BINDIR):$$PATH" \
	  PG_REGRESS='$(PG_PGXSDIR)/src/test/regress/pg_regress' \
	  prove -I '$(PG_PGXSDIR)/src/test/perl' -I test/t $(TAP_TESTS_PL)

# The docs test: the SQL blocks of the docs, each file in a fresh database,
# run from the repository root (they \i the example data); see its header.
DOCS_TEST_FILES = README.md $(sort $(wildcard docs/*.md))
.PHONY: installcheck-docs
installcheck-docs:
	PSQL='$(PG_BINDIR)/psql' perl test/docs/run.pl $(DOCS_TEST_FILES)

installcheck-all: installcheck installcheck-docs installcheck-pgtap installcheck-tap

# make dist: the PGXN release archive compensation-<version>.zip, made by
# git archive from the committed tree (HEAD), every file under the folder
# compensation-<version>/ (PGXN's convention).  What .gitattributes marks
# export-ignore stays out.  DIST_ZIP names another output file.
DIST_ZIP ?= $(EXTENSION)-$(EXTVERSION).zip
.PHONY: dist
dist:
	git archive --format=zip --prefix=$(EXTENSION)-$(EXTVERSION)/ -o $(DIST_ZIP) HEAD
