/*
 * calls: what repeated calls cost in one process.
 *
 *   calls [-T TRACE] MODULE SLOT_INDEX N
 *
 * C_Initialize alone, then C_GetSlotList(TRUE), C_GetTokenInfo and a
 * whole C_FindObjects
 * search (no template: every object a public session sees) on the token
 * at SLOT_INDEX of C_GetSlotList(TRUE), each once ("first") and then N
 * times more ("again"), one line per phase as signloop prints them:
 *   phase NAME calls N apdus A ms T
 * A well-behaved module costs nothing in C_Initialize and, after the
 * first call, only what live facts need (the PIN counter for the token
 * flags).
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>

static void usage(void)
{
	fprintf(stderr, "usage: calls [-T TRACE] MODULE SLOT_INDEX N\n");
	exit(2);
}

static void find_all(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s)
{
	CK_OBJECT_HANDLE h[32];
	CK_ULONG n;

	bench_check(f->C_FindObjectsInit(s, NULL, 0), "C_FindObjectsInit");
	do
		bench_check(f->C_FindObjects(s, h, 32, &n), "C_FindObjects");
	while (n == 32);
	bench_check(f->C_FindObjectsFinal(s), "C_FindObjectsFinal");
}

int main(int argc, char **argv)
{
	CK_FUNCTION_LIST_PTR f;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;
	unsigned long n, i;
	char **args;
	long a0;
	double t0;

	f = bench_start(argc, argv, 2, usage, &args);
	n = strtoul(args[1], NULL, 10);

	a0 = bench_apdus(); t0 = bench_ms();
	bench_check(f->C_Initialize(NULL), "C_Initialize");
	bench_phase("C_Initialize", a0, t0, 1);

	a0 = bench_apdus(); t0 = bench_ms();
	slot = bench_slot(f, strtoul(args[0], NULL, 10));
	bench_phase("C_GetSlotList.first", a0, t0, 1);
	a0 = bench_apdus(); t0 = bench_ms();
	for (i = 0; i < n; i++)
		bench_slot(f, 0);
	bench_phase("C_GetSlotList.again", a0, t0, n);

	a0 = bench_apdus(); t0 = bench_ms();
	bench_check(f->C_GetTokenInfo(slot, &ti), "C_GetTokenInfo");
	bench_phase("C_GetTokenInfo.first", a0, t0, 1);
	a0 = bench_apdus(); t0 = bench_ms();
	for (i = 0; i < n; i++)
		bench_check(f->C_GetTokenInfo(slot, &ti), "C_GetTokenInfo");
	bench_phase("C_GetTokenInfo.again", a0, t0, n);

	bench_check(f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s),
		    "C_OpenSession");
	a0 = bench_apdus(); t0 = bench_ms();
	find_all(f, s);
	bench_phase("C_FindObjects.first", a0, t0, 1);
	a0 = bench_apdus(); t0 = bench_ms();
	for (i = 0; i < n; i++)
		find_all(f, s);
	bench_phase("C_FindObjects.again", a0, t0, n);

	bench_check(f->C_CloseSession(s), "C_CloseSession");
	bench_check(f->C_Finalize(NULL), "C_Finalize");
	return 0;
}
