# drconsole — see README.md.  `make run` and `make test` first make sure the
# Debian packages the build needs are installed (.ci/deps), so both work on
# a fresh machine.

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share/drconsole
UNITDIR   ?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR   ?=
BUILD     ?= build
CC        ?= cc
PKG_CONFIG ?= pkg-config
VERSION   := 0.1.0

PKGS := ncursesw panelw formw libcurl openssl zlib libpq sqlite3 libcjson \
	libmicrohttpd

WARN := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla -Werror
OPT ?= -O2 -g
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(WARN) $(OPT) -D_GNU_SOURCE -DDRCONSOLE_VERSION='"$(VERSION)"' \
	-DDRCONSOLE_DATADIR='"$(DATADIR)"' -DDRCONSOLE_SRCDIR='"$(CURDIR)"' \
	-I. $(PKG_CFLAGS) $(CFLAGS)
ALL_LIBS = $(PKG_LIBS) -lpthread -lm $(LDLIBS)

BASE_SRC := $(wildcard lib/*.c)
CORE_SRC := $(wildcard core/*.c)
DB_SRC   := $(wildcard db/*.c)
TUI_SRC  := $(filter-out tui/main.c,$(wildcard tui/*.c))
LIB_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(BASE_SRC) $(CORE_SRC) $(DB_SRC) \
	$(TUI_SRC))
MAIN_OBJ := $(BUILD)/tui/main.o
BIN      := $(BUILD)/drconsole

UNIT_SRC := $(wildcard tests/unit/*/*_test.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
HELPER_SRC := $(wildcard tests/helpers/*.c)
HELPER_BIN := $(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%,$(HELPER_SRC))
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

.PHONY: all run test check-deps deps test-deps tests bench install uninstall \
	clean sanitize test-sanitize fuzz fuzz-long fuzz-build fuzz-bins format \
	format-check soak coverage coverage-summary coverage-zero \
	coverage-report

all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libdrconsole.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(BUILD)/libdrconsole.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libdrconsole.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< \
		$(BUILD)/libdrconsole.a $(ALL_LIBS) \
		$$($(PKG_CONFIG) --libs cmocka)

$(BUILD)/tests/helpers/%: tests/helpers/%.c $(BUILD)/libdrconsole.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libdrconsole.a $(ALL_LIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libdrconsole.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libdrconsole.a $(ALL_LIBS)

tests: $(BIN) $(UNIT_BIN) $(HELPER_BIN)

# Installs (as root) or names (otherwise) the Debian packages that are missing.
deps:
	@bash .ci/deps build

test-deps:
	@bash .ci/deps test

run: deps
	@$(MAKE) --no-print-directory all
	@exec ./$(BIN)

test: test-deps
	@$(MAKE) --no-print-directory tests
	@BUILD=$(BUILD) bash tests/run

# ASan + UBSan build of everything in build-san/, then the whole suite
# against it (SAN_TESTS=PATTERN: only the tests whose path contains it),
# the SQLite pass only unless TEST_CATALOGS says otherwise: the second,
# PostgreSQL pass of `make test` would add minutes more under the
# sanitizers, and they already see the PostgreSQL backend through
# tests/integration/catalog_pg*.sh.
# SAN_COVERAGE=1 builds in build-sancov/ with --coverage as well and ends
# with the summary and report of `make coverage` (below) for that run
# (`make coverage-summary COV_BUILD=build-sancov` prints it again).
SAN_OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
SAN_BUILD := $(if $(SAN_COVERAGE),build-sancov,build-san)
SAN_COV := $(if $(SAN_COVERAGE), --coverage)
sanitize test-sanitize: test-deps
	@$(MAKE) --no-print-directory BUILD=$(SAN_BUILD) \
		OPT='$(SAN_OPT)$(SAN_COV)' \
		LDLIBS='-fsanitize=address,undefined$(SAN_COV)' tests
	@$(if $(SAN_COVERAGE),$(MAKE) --no-print-directory \
		COV_BUILD=$(SAN_BUILD) coverage-zero,:)
	@rc=0; BUILD=$(SAN_BUILD) ASAN_OPTIONS=detect_leaks=1 \
		UBSAN_OPTIONS=print_stacktrace=1 \
		TEST_CATALOGS="$${TEST_CATALOGS:-sqlite}" \
		bash tests/run $(SAN_TESTS) || \
		rc=$$?; \
	$(if $(SAN_COVERAGE),$(MAKE) --no-print-directory \
		COV_BUILD=$(SAN_BUILD) coverage-report || exit 1;) exit $$rc

# gcov/lcov: everything built with -O0 --coverage in build-cov/, the whole
# suite against it (COV_TESTS=PATTERN: only the tests whose path contains
# it), then a summary (lines and functions covered in lib/, core/, db/ and
# tui/) and an HTML report in build-cov/coverage/index.html.  A file no
# test reached counts as 0 %, not as absent.  The counters of an earlier
# run are zeroed first; a failing test still gives a report, and the
# target then fails.  `make coverage-summary` prints the summary of the
# last run again.
COV_BUILD ?= build-cov
COV_INFO = $(COV_BUILD)/coverage/drconsole.info
COV_LOG = $(COV_BUILD)/coverage/lcov.log
coverage: test-deps
	@$(MAKE) --no-print-directory BUILD=$(COV_BUILD) \
		OPT='-O0 -g --coverage' LDLIBS='--coverage' tests
	@$(MAKE) --no-print-directory coverage-zero
	@rc=0; BUILD=$(COV_BUILD) bash tests/run $(COV_TESTS) || rc=$$?; \
	$(MAKE) --no-print-directory coverage-report || exit 1; exit $$rc

# For the two above: zero the counters and note every line built (so
# that what no test reached counts); then read the counters into the
# summary and the report.
coverage-zero:
	@lcov --quiet --zerocounters --directory $(COV_BUILD)
	@mkdir -p $(COV_BUILD)/coverage
	@lcov --quiet --capture --initial --directory $(COV_BUILD) \
		--output-file $(COV_INFO).base >$(COV_LOG) 2>&1 || \
		{ cat $(COV_LOG) >&2; exit 1; }

coverage-report:
	@{ lcov --quiet --capture --directory $(COV_BUILD) \
		--output-file $(COV_INFO).run && \
	lcov --quiet --add-tracefile $(COV_INFO).base \
		--add-tracefile $(COV_INFO).run --output-file $(COV_INFO).all && \
	lcov --quiet --extract $(COV_INFO).all '$(CURDIR)/lib/*' \
		'$(CURDIR)/core/*' '$(CURDIR)/db/*' '$(CURDIR)/tui/*' \
		--output-file $(COV_INFO) && \
	genhtml --quiet --title drconsole --output-directory \
		$(COV_BUILD)/coverage $(COV_INFO); } >$(COV_LOG) 2>&1 || \
		{ cat $(COV_LOG) >&2; exit 1; }
	@$(MAKE) --no-print-directory coverage-summary
	@echo "coverage: HTML report in $(COV_BUILD)/coverage/index.html"

coverage-summary:
	@test -f $(COV_INFO) || \
		{ echo "no coverage data in $(COV_BUILD): run make coverage" >&2; \
		exit 1; }
	@lcov --summary $(COV_INFO) 2>&1 | grep -E '^ *(lines|functions)'

# The scenario test (tests/scenario/) at length: SCENARIOS random histories
# (default 100000) against the model of docs/EVIDENCE.md, no time budget;
# SEED=N replays a run.
SCENARIOS ?= 100000
soak: test-deps $(BIN)
	@BUILD=$(BUILD) python3 tests/scenario/run.py --scenarios $(SCENARIOS) \
		--budget 0 --block 1000 $(if $(SEED),--seed $(SEED))

bench: deps $(BIN) $(BENCH_BIN)
	@BUILD=$(BUILD) bash bench/run

# The bash completion script, made by the binary from its command table.
$(BUILD)/drconsole.bash: $(BIN)
	$(BIN) completion bash >$@.tmp && mv $@.tmp $@

install: $(BIN) $(BUILD)/drconsole.bash
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/runbooks \
		$(DESTDIR)$(DATADIR)/themes $(DESTDIR)$(COMPLETIONDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/drconsole
	install -m 0644 $(BUILD)/drconsole.bash \
		$(DESTDIR)$(COMPLETIONDIR)/drconsole
	install -m 0644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	if ls man/*.5 >/dev/null 2>&1; then \
		install -m 0644 man/*.5 $(DESTDIR)$(MANDIR)/man5/; fi
	if ls runbooks/*.json >/dev/null 2>&1; then \
		install -m 0644 runbooks/*.json $(DESTDIR)$(DATADIR)/runbooks/; fi
	if ls themes/*.json >/dev/null 2>&1; then \
		install -m 0644 themes/*.json $(DESTDIR)$(DATADIR)/themes/; fi
	if ls systemd/*.service >/dev/null 2>&1; then \
		install -d $(DESTDIR)$(UNITDIR); \
		install -m 0644 systemd/*.service $(DESTDIR)$(UNITDIR)/; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/drconsole $(DESTDIR)$(COMPLETIONDIR)/drconsole
	for f in man/*.1; do rm -f $(DESTDIR)$(MANDIR)/man1/$$(basename $$f); done
	for f in man/*.5; do rm -f $(DESTDIR)$(MANDIR)/man5/$$(basename $$f); done
	for f in systemd/*.service; do rm -f $(DESTDIR)$(UNITDIR)/$$(basename $$f); done
	rm -rf $(DESTDIR)$(DATADIR)

# libFuzzer: every tests/fuzz/*_fuzzer.c against the library built with
# clang, ASan and UBSan (and libFuzzer's coverage) in build-fuzz/; the
# import fuzzer once per format.  `make fuzz` runs each target for
# FUZZ_SECONDS (default 60), FUZZ_JOBS (default 1) at a time, `make
# fuzz-long` for 600 s; `make fuzz-build` only builds.  Seeds are kept in
# tests/fuzz/corpus/TARGET/; what libFuzzer finds goes to
# build-fuzz/fuzz/corpus/TARGET/ and a crash to build-fuzz/fuzz/TARGET-crash-*
# (replay one with `build-fuzz/fuzz/TARGET_fuzzer FILE`).  A crash, a leak,
# undefined behaviour or an input taking over 10 s fails the run; keep the
# input that found it in tests/fuzz/corpus/TARGET/ with the fix.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1
FUZZ_OPT := -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer
IMPORT_FORMATS := pgbackrest barman walg restic velero
FUZZ_TARGETS := $(filter-out import,$(patsubst tests/fuzz/%_fuzzer.c,%,\
	$(wildcard tests/fuzz/*_fuzzer.c))) $(IMPORT_FORMATS:%=import_%)
FUZZ_BIN := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%_fuzzer)

$(BUILD)/fuzz/%_fuzzer: tests/fuzz/%_fuzzer.c $(BUILD)/libdrconsole.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(BUILD)/libdrconsole.a $(ALL_LIBS)

$(BUILD)/fuzz/import_%_fuzzer: tests/fuzz/import_fuzzer.c $(BUILD)/libdrconsole.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -DIMPORT_FORMAT=import_$*_format \
		-o $@ $< $(BUILD)/libdrconsole.a $(ALL_LIBS)

fuzz-bins: $(FUZZ_BIN)

fuzz-build: test-deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang \
		OPT='$(FUZZ_OPT)' LDLIBS='-fsanitize=address,undefined' fuzz-bins

fuzz: fuzz-build
	@BUILD=$(FUZZ_BUILD) bash tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_JOBS) \
		$(FUZZ_TARGETS)

fuzz-long:
	@$(MAKE) --no-print-directory FUZZ_SECONDS=600 fuzz

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-san build-fuzz build-cov build-sancov

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
