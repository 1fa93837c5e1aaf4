/* bench/bench.c: module loading, APDU counting and timing for the
 * benchmark programs (see bench.h). */
#include "bench.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *trace_path;

CK_FUNCTION_LIST_PTR bench_load(const char *path)
{
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);
	CK_FUNCTION_LIST_PTR f = NULL;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		fprintf(stderr, "bench: %s\n", dlerror());
		exit(2);
	}
	*(void **)&get = dlsym(h, "C_GetFunctionList");
	if (!get) {
		fprintf(stderr, "bench: %s has no C_GetFunctionList\n", path);
		exit(2);
	}
	bench_check(get(&f), "C_GetFunctionList");
	return f;
}

CK_FUNCTION_LIST_PTR bench_start(int argc, char **argv, int nargs, void (*usage)(void), char ***args)
{
	int opt;

	while ((opt = getopt(argc, argv, "T:")) != -1) {
		if (opt != 'T')
			usage();
		bench_trace_open(optarg);
	}
	if (argc - optind != nargs + 1)
		usage();
	*args = argv + optind + 1;
	return bench_load(argv[optind]);
}

void bench_check(CK_RV rv, const char *what)
{
	if (rv == CKR_OK)
		return;
	fprintf(stderr, "bench: %s: CKR 0x%08lx\n", what, (unsigned long)rv);
	exit(1);
}

CK_SLOT_ID bench_slot(CK_FUNCTION_LIST_PTR f, unsigned long index)
{
	CK_SLOT_ID ids[64];
	CK_ULONG n = 64;

	bench_check(f->C_GetSlotList(CK_TRUE, ids, &n), "C_GetSlotList");
	if (index >= n) {
		fprintf(stderr, "bench: no token at slot index %lu (%lu tokens)\n",
			index, (unsigned long)n);
		exit(1);
	}
	return ids[index];
}

void bench_trace_open(const char *path)
{
	trace_path = path;
}

long bench_apdus(void)
{
	FILE *fp;
	long n = 0;
	int c, bol = 1, event = 0;

	if (!trace_path)
		return -1;
	fp = fopen(trace_path, "r");
	if (!fp) {
		perror(trace_path);
		exit(2);
	}
	/* Count lines that do not start with '#'. */
	while ((c = getc(fp)) != EOF) {
		if (bol)
			event = c == '#';
		bol = c == '\n';
		if (bol && !event)
			n++;
	}
	fclose(fp);
	return n;
}

double bench_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void bench_phase(const char *name, long apdus0, double ms0, unsigned long calls)
{
	double ms = bench_ms() - ms0;
	long apdus = bench_apdus();

	if (apdus < 0)
		printf("phase %s calls %lu apdus - ms %.1f\n", name, calls, ms);
	else
		printf("phase %s calls %lu apdus %ld ms %.1f\n", name, calls,
		       apdus - apdus0, ms);
	fflush(stdout);
}

size_t bench_hex(const char *hex, unsigned char *buf, size_t cap)
{
	size_t n = strlen(hex) / 2, i;
	unsigned int byte;

	if (strlen(hex) % 2 || n > cap) {
		fprintf(stderr, "bench: bad hex %s\n", hex);
		exit(2);
	}
	for (i = 0; i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
			fprintf(stderr, "bench: bad hex %s\n", hex);
			exit(2);
		}
		buf[i] = (unsigned char)byte;
	}
	return n;
}
