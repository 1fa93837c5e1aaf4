# rules for bench
# The benchmark against OpenSC's module (bench/README.md). Not part of
# make check: `make bench` builds what it needs and runs bench/run.sh.
noinst_PROGRAMS += bench/signloop bench/calls
bench_signloop_SOURCES = bench/signloop.c bench/bench.h bench/bench.c
bench_calls_SOURCES = bench/calls.c bench/bench.h bench/bench.c

dist_noinst_SCRIPTS += bench/run.sh
EXTRA_DIST += bench/README.md

# make bench BENCH_FLAGS='--save --reps 5'
BENCH_FLAGS =
.PHONY: bench
bench: all
	@rc=0; top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	$(SHELL) '$(abs_top_srcdir)/bench/run.sh' $(BENCH_FLAGS) || rc=$$?; \
	if test $$rc = 77; then echo "bench: skipped"; rc=0; fi; exit $$rc
