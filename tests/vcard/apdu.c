/*
 * Command APDU parsing (ISO/IEC 7816-3 cases 1 to 4, short and extended)
 * and dispatch by class and instruction.
 */
#include "vc.h"

#include <string.h>

/* Returns 0 and fills *a, or -1 when the length bytes do not add up. */
int vc_apdu_parse(const unsigned char *buf, size_t len, struct vc_apdu *a)
{
	memset(a, 0, sizeof(*a));
	if (len < 4)
		return -1;
	a->cla = buf[0];
	a->ins = buf[1];
	a->p1 = buf[2];
	a->p2 = buf[3];
	if (len == 4)
		return 0;				/* case 1 */
	if (len == 5) {					/* case 2 short */
		a->has_le = 1;
		a->le = buf[4] ? buf[4] : 256;
		return 0;
	}
	if (buf[4] != 0) {
		a->lc = buf[4];
		a->data = buf + 5;
		if (len == 5 + a->lc)
			return 0;			/* case 3 short */
		if (len == 6 + a->lc) {			/* case 4 short */
			a->has_le = 1;
			a->le = buf[5 + a->lc] ? buf[5 + a->lc] : 256;
			return 0;
		}
		return -1;
	}
	/* buf[4] == 0 and more bytes follow: extended length */
	if (len < 7)
		return -1;
	a->extended = 1;
	if (len == 7) {					/* case 2 extended */
		a->has_le = 1;
		a->le = (size_t)buf[5] << 8 | buf[6];
		if (a->le == 0)
			a->le = 65536;
		return 0;
	}
	a->lc = (size_t)buf[5] << 8 | buf[6];
	if (a->lc == 0)
		return -1;
	a->data = buf + 7;
	if (len == 7 + a->lc)
		return 0;				/* case 3 extended */
	if (len == 9 + a->lc) {				/* case 4 extended */
		a->has_le = 1;
		a->le = (size_t)buf[7 + a->lc] << 8 | buf[8 + a->lc];
		if (a->le == 0)
			a->le = 65536;
		return 0;
	}
	return -1;
}

typedef uint16_t (*vc_handler)(struct vc_ctx *, const struct vc_apdu *,
			       struct vc_resp *);

static uint16_t do_select(struct vc_ctx *c, const struct vc_apdu *a,
			  struct vc_resp *r)
{
	return vc_select(c, a);
}

static uint16_t do_verify(struct vc_ctx *c, const struct vc_apdu *a,
			  struct vc_resp *r)
{
	return vc_verify(c, a);
}

static uint16_t do_change(struct vc_ctx *c, const struct vc_apdu *a,
			  struct vc_resp *r)
{
	return vc_change_pin(c, a);
}

/* The card's instruction set: one row per (CLA, INS). */
static const struct {
	uint8_t cla, ins;
	vc_handler fn;
} commands[] = {
	{ 0x00, 0xA4, do_select },
	{ 0x00, 0xB0, vc_read_binary },
	{ 0x00, 0x20, do_verify },
	{ 0x00, 0x24, do_change },
	{ 0x80, 0x2A, vc_sign },
};

void vc_apdu_process(struct vc_ctx *ctx, const unsigned char *cmd, size_t len,
		     struct vc_resp *r)
{
	struct vc_apdu a;
	int known_cla = 0;
	size_t i;

	r->len = 0;
	if (ctx->opt.latency_ms)
		vc_sleep_ms(ctx->opt.latency_ms);
	if (len < 4) {
		r->sw = SW_WRONG_LENGTH;
		return;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].cla == cmd[0])
			known_cla = 1;
	if (!known_cla) {
		r->sw = SW_CLA_UNSUPPORTED;
		return;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].cla == cmd[0] && commands[i].ins == cmd[1])
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		r->sw = SW_INS_UNSUPPORTED;
		return;
	}
	if (vc_apdu_parse(cmd, len, &a) != 0 ||
	    (a.extended && !ctx->opt.extended)) {
		r->sw = SW_WRONG_LENGTH;
		return;
	}
	r->sw = commands[i].fn(ctx, &a, r);
	if (r->sw != SW_OK && (r->sw & 0xFFF0) != 0x63C0)
		r->len = 0;
}
