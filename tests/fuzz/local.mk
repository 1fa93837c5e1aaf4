# Fuzz targets.  The committed corpora are replayed by a plain driver under
# `make check` in every build; --enable-fuzzing (with CC=clang) also builds
# the libFuzzer binaries, best together with the sanitizers, in a build
# directory of its own:
#   mkdir build-fuzz && cd build-fuzz
#   ../configure CC=clang --enable-fuzzing --enable-sanitizers && make -j2
#   make fuzz FUZZ_SECONDS=600        (every target, 600 s each)
# or one target by hand:
#   tests/fuzz/fuzz_module -max_total_time=60 NEW_DIR ../tests/fuzz/corpus/module
#
# fuzz_jpki: the card application layer over fuzz_transport.
# fuzz_module: the whole module through its C_* functions over fuzz_backend,
# which checks that no transaction or connection ends with the card verified.
# Its seeds are made by gen_module_corpus.py from a card model, and
# module-corpus.sh checks they still reach what they are named for; after a
# change to the commands the module sends, regenerate them:
#   tests/fuzz/gen_module_corpus.py tests/fuzz/fuzz_module_replay tests/fuzz/corpus/module
FUZZ_CARD_SOURCES = tests/fuzz/fuzz_card.c tests/fuzz/fuzz_card.h \
	tests/fuzz/fuzz_transport.c tests/fuzz/fuzz_transport.h
FUZZ_JPKI_SOURCES = tests/fuzz/fuzz_jpki.c $(FUZZ_CARD_SOURCES)
FUZZ_MODULE_SOURCES = tests/fuzz/fuzz_module.c tests/fuzz/fuzz_backend.c tests/fuzz/fuzz_backend.h \
	tests/fuzz/fuzz_backend_state.c tests/fuzz/fuzz_backend_state.h tests/fuzz/fuzz_backend_rules.c \
	tests/fuzz/fuzz_env.c tests/fuzz/fuzz_env.h tests/fuzz/fuzz_transport.h
#   tests/fuzz/fuzz_face -max_total_time=60 NEW_DIR ../tests/fuzz/corpus/face
# fuzz_face: the card-face applet and its parser.
FUZZ_FACE_SOURCES = tests/fuzz/fuzz_face.c $(FUZZ_CARD_SOURCES)

check_PROGRAMS += tests/fuzz/fuzz_jpki_replay tests/fuzz/fuzz_module_replay
TESTS += tests/fuzz/fuzz_jpki_replay tests/fuzz/fuzz_module_replay tests/fuzz/module-corpus.sh
dist_noinst_SCRIPTS += tests/fuzz/module-corpus.sh
tests_fuzz_fuzz_jpki_replay_SOURCES = $(FUZZ_JPKI_SOURCES) tests/fuzz/fuzz_replay.c
tests_fuzz_fuzz_jpki_replay_LDADD = libjpkicore.la
tests_fuzz_fuzz_module_replay_SOURCES = $(FUZZ_MODULE_SOURCES) tests/fuzz/fuzz_replay.c
tests_fuzz_fuzz_module_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS_NAME='"module"'
tests_fuzz_fuzz_module_replay_LDADD = libjpkicore.la

FUZZ_TARGETS = jpki face module
FUZZ_SECONDS = 300

check_PROGRAMS += tests/fuzz/fuzz_face_replay
TESTS += tests/fuzz/fuzz_face_replay
tests_fuzz_fuzz_face_replay_SOURCES = $(FUZZ_FACE_SOURCES) tests/fuzz/fuzz_replay.c
tests_fuzz_fuzz_face_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS_NAME='"face"'
tests_fuzz_fuzz_face_replay_LDADD = libjpkicore.la

if FUZZING
# The layers under test are compiled in directly, so libFuzzer's coverage
# instrumentation reaches them without changing how the core is built.
noinst_PROGRAMS += tests/fuzz/fuzz_jpki tests/fuzz/fuzz_module
tests_fuzz_fuzz_jpki_SOURCES = $(FUZZ_JPKI_SOURCES) src/log.c src/apdu.c src/jpki.c src/jpki_pin.c src/jpki_sw.c src/pinpad.c
tests_fuzz_fuzz_jpki_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_jpki_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_jpki_LDADD = $(CRYPTO_LIBS) -lpthread
noinst_PROGRAMS += tests/fuzz/fuzz_face
tests_fuzz_fuzz_face_SOURCES = $(FUZZ_FACE_SOURCES) src/log.c src/apdu.c src/jpki.c src/jpki_pin.c src/jpki_sw.c \
	src/face.c src/pinpad.c
tests_fuzz_fuzz_face_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_face_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_face_LDADD = -lpthread $(CRYPTO_LIBS)
tests_fuzz_fuzz_module_SOURCES = $(FUZZ_MODULE_SOURCES) $(libjpkicore_la_SOURCES)
tests_fuzz_fuzz_module_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_module_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_module_LDADD = $(PCSC_LIBS) $(CRYPTO_LIBS) -lpthread

# Each target runs FUZZ_SECONDS from its committed corpus; what it learns
# goes to fuzz-work/TARGET/corpus, crashes to fuzz-work/TARGET/.  Fails on
# the first target that finds something.
fuzz: $(FUZZ_TARGETS:%=tests/fuzz/fuzz_%)
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz-work/$$t/corpus; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=fuzz-work/$$t/ fuzz-work/$$t/corpus $(srcdir)/tests/fuzz/corpus/$$t \
	    2> fuzz-work/$$t/log || { tail -n 60 fuzz-work/$$t/log; exit 1; }; \
	  grep -E '^stat::number_of_executed_units|^Done' fuzz-work/$$t/log || true; \
	done
else
fuzz:
	@echo "make fuzz needs ./configure CC=clang --enable-fuzzing --enable-sanitizers" >&2; exit 1
endif
.PHONY: fuzz

clean-local: clean-fuzz-work
clean-fuzz-work:
	rm -rf fuzz-work
.PHONY: clean-fuzz-work
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/gen_corpus.py tests/fuzz/gen_module_corpus.py
