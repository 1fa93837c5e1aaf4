/* jpki-pkcs11 fuzzing: replay a corpus through a fuzz target without
 * libFuzzer, so `make check` runs every committed input.
 *
 * Usage: fuzz_replay [FILE|DIR]...  With no argument, the corpus named by
 * FUZZ_CORPUS, else $top_srcdir/tests/fuzz/corpus/FUZZ_CORPUS_NAME (the
 * target's name, set when it is built).  Fails when no input at all was
 * found, so an empty or moved corpus cannot pass.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_transport.h"

#ifndef FUZZ_CORPUS_NAME
#define FUZZ_CORPUS_NAME "jpki"
#endif

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf == NULL || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
		fprintf(stderr, "%s: cannot read\n", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 1;
}

static int run_path(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int count = 0;

	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	d = opendir(path);
	if (d == NULL) {
		perror(path);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char sub[4096];
		int r;
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		r = run_path(sub);
		if (r < 0) {
			count = -1;
			break;
		}
		count += r;
	}
	closedir(d);
	return count;
}

int main(int argc, char **argv)
{
	char def[4096];
	int i, total = 0;

	if (argc < 2) {
		const char *env = getenv("FUZZ_CORPUS"), *top = getenv("top_srcdir");
		if (env != NULL)
			snprintf(def, sizeof(def), "%s", env);
		else
			snprintf(def, sizeof(def), "%s/tests/fuzz/corpus/" FUZZ_CORPUS_NAME, top ? top : ".");
		argv[0] = def;
		i = 0;
		argc = 1;
	} else {
		i = 1;
	}
	for (; i < argc; i++) {
		int r = run_path(argv[i]);
		if (r < 0)
			return 1;
		total += r;
	}
	printf("replayed %d input(s)\n", total);
	return total > 0 ? 0 : 1;
}
