# Fuzz targets.  The committed corpus is replayed by a plain driver under
# `make check` in every build; --enable-fuzzing (with CC=clang) also builds
# the libFuzzer binaries:
#   tests/fuzz/fuzz_jpki -max_total_time=60 tests/fuzz/corpus/jpki
#   tests/fuzz/fuzz_face -max_total_time=60 tests/fuzz/corpus/face
FUZZ_JPKI_SOURCES = tests/fuzz/fuzz_jpki.c tests/fuzz/fuzz_transport.c tests/fuzz/fuzz_transport.h
FUZZ_FACE_SOURCES = tests/fuzz/fuzz_face.c tests/fuzz/fuzz_transport.c tests/fuzz/fuzz_transport.h

check_PROGRAMS += tests/fuzz/fuzz_jpki_replay
TESTS += tests/fuzz/fuzz_jpki_replay
tests_fuzz_fuzz_jpki_replay_SOURCES = $(FUZZ_JPKI_SOURCES) tests/fuzz/fuzz_replay.c
tests_fuzz_fuzz_jpki_replay_LDADD = libjpkicore.la

check_PROGRAMS += tests/fuzz/fuzz_face_replay
TESTS += tests/fuzz/fuzz_face_replay
tests_fuzz_fuzz_face_replay_SOURCES = $(FUZZ_FACE_SOURCES) tests/fuzz/fuzz_replay.c
tests_fuzz_fuzz_face_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS_NAME='"face"'
tests_fuzz_fuzz_face_replay_LDADD = libjpkicore.la

if FUZZING
# The layers under test are compiled in directly, so libFuzzer's coverage
# instrumentation reaches them without changing how the core is built.
noinst_PROGRAMS += tests/fuzz/fuzz_jpki
tests_fuzz_fuzz_jpki_SOURCES = $(FUZZ_JPKI_SOURCES) src/log.c src/apdu.c src/jpki.c
tests_fuzz_fuzz_jpki_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_jpki_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_jpki_LDADD = -lpthread
noinst_PROGRAMS += tests/fuzz/fuzz_face
tests_fuzz_fuzz_face_SOURCES = $(FUZZ_FACE_SOURCES) src/log.c src/apdu.c src/jpki.c src/face.c
tests_fuzz_fuzz_face_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_face_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_face_LDADD = -lpthread $(CRYPTO_LIBS)
endif

EXTRA_DIST += tests/fuzz/corpus tests/fuzz/gen_corpus.py
