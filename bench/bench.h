/* bench/bench.h: what the benchmark programs share.
 *
 * They load a PKCS#11 module given on the command line (ours or any
 * other, e.g. OpenSC's), so nothing here knows our module's insides.
 * APDUs are counted from the virtual card's trace file (one line per
 * APDU, lines starting with '#' are events): the card writes the line
 * before it answers, so a count taken after a call returns is exact.
 */
#ifndef JPKI_BENCH_H
#define JPKI_BENCH_H

#include <jpki/pkcs11.h>

/* dlopen()s PATH and returns its function list; exits on failure. */
CK_FUNCTION_LIST_PTR bench_load(const char *path);

/* The command line both programs take, "[-T TRACE] MODULE ARG...": opens
 * the trace (-T), loads MODULE and returns its function list; *args gets
 * the nargs arguments that follow MODULE. Anything else calls usage,
 * which exits. */
CK_FUNCTION_LIST_PTR bench_start(int argc, char **argv, int nargs, void (*usage)(void), char ***args);

/* Exits with a message when rv is not CKR_OK. */
void bench_check(CK_RV rv, const char *what);

/* The slot ID at INDEX in C_GetSlotList(tokenPresent=TRUE); exits when
 * there is none. */
CK_SLOT_ID bench_slot(CK_FUNCTION_LIST_PTR f, unsigned long index);

/* A phase counter: APDUs from the trace (when a trace file was given
 * with bench_trace_open) and monotonic milliseconds. */
void bench_trace_open(const char *path);
long bench_apdus(void);         /* -1 without a trace */
double bench_ms(void);

/* Prints one result line, "phase NAME apdus N ms T" (N is "-" without a
 * trace), from the counters taken at the phase's start. */
void bench_phase(const char *name, long apdus0, double ms0, unsigned long calls);

/* Parses hex ("01") into buf; returns the length, exits when bad. */
size_t bench_hex(const char *hex, unsigned char *buf, size_t cap);

#endif
