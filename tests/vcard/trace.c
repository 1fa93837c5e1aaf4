/*
 * The APDU trace: one line per APDU, "COMMAND RESPONSE" in upper-case hex
 * (the response with its status word), with the PIN bytes of VERIFY and
 * CHANGE REFERENCE DATA written as "**". Card events are lines starting
 * with "#". Every line is flushed at once, so tests can count lines while
 * the card runs: the APDU count is the number of lines not starting "#".
 */
#include "vc.h"

#include <stdarg.h>
#include <stdio.h>

static FILE *trace;

int vc_trace_open(const char *path)
{
	trace = fopen(path, "a");
	return trace ? 0 : -1;
}

void vc_trace_close(void)
{
	if (trace)
		fclose(trace);
	trace = NULL;
}

static int is_pin_command(const unsigned char *cmd, size_t len)
{
	return len > 4 && (cmd[1] == 0x20 || cmd[1] == 0x24);
}

/* The command in hex, PIN bytes as "**". */
static void put_command(const unsigned char *cmd, size_t len)
{
	struct vc_apdu a;
	size_t i, from = len, to = len;

	if (is_pin_command(cmd, len)) {
		if (vc_apdu_parse(cmd, len, &a) == 0 && a.lc) {
			from = (size_t)(a.data - cmd);
			to = from + a.lc;
		} else {
			from = 5;	/* malformed: hide all but the header */
		}
	}
	for (i = 0; i < len; i++) {
		if (i >= from && i < to)
			fputs("**", trace);
		else
			fprintf(trace, "%02X", cmd[i]);
	}
}

void vc_trace_apdu(const unsigned char *cmd, size_t len,
		   const struct vc_resp *r)
{
	size_t i;

	if (!trace)
		return;
	put_command(cmd, len);
	fputc(' ', trace);
	for (i = 0; i < r->len; i++)
		fprintf(trace, "%02X", r->buf[i]);
	fprintf(trace, "%04X\n", r->sw);
	fflush(trace);
}

void vc_trace_event(const char *what)
{
	if (!trace)
		return;
	fprintf(trace, "# %s\n", what);
	fflush(trace);
}

void vc_trace_eventf(const char *fmt, ...)
{
	va_list ap;

	if (!trace)
		return;
	fputs("# ", trace);
	va_start(ap, fmt);
	vfprintf(trace, fmt, ap);
	va_end(ap);
	fputc('\n', trace);
	fflush(trace);
}

/* "# fault ACTION COMMAND": the command as in APDU lines. */
void vc_trace_fault(const char *action, const unsigned char *cmd, size_t len)
{
	if (!trace)
		return;
	fprintf(trace, "# fault %s ", action);
	put_command(cmd, len);
	fputc('\n', trace);
	fflush(trace);
}
