# Fuzz targets.  The committed corpus is replayed by a plain driver under
# `make check` in every build; --enable-fuzzing (with CC=clang) also builds
# the libFuzzer binaries:
#   tests/fuzz/fuzz_jpki -max_total_time=60 tests/fuzz/corpus/jpki
FUZZ_JPKI_SOURCES = tests/fuzz/fuzz_jpki.c tests/fuzz/fuzz_transport.c tests/fuzz/fuzz_transport.h

check_PROGRAMS += tests/fuzz/fuzz_jpki_replay
TESTS += tests/fuzz/fuzz_jpki_replay
tests_fuzz_fuzz_jpki_replay_SOURCES = $(FUZZ_JPKI_SOURCES) tests/fuzz/fuzz_replay.c
tests_fuzz_fuzz_jpki_replay_LDADD = libjpkicore.la

if FUZZING
# The layers under test are compiled in directly, so libFuzzer's coverage
# instrumentation reaches them without changing how the core is built.
noinst_PROGRAMS += tests/fuzz/fuzz_jpki
tests_fuzz_fuzz_jpki_SOURCES = $(FUZZ_JPKI_SOURCES) src/log.c src/apdu.c src/jpki.c
tests_fuzz_fuzz_jpki_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_jpki_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_jpki_LDADD = -lpthread
endif

EXTRA_DIST += tests/fuzz/corpus tests/fuzz/gen_corpus.py
