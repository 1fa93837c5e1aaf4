/*
 * PINs: VERIFY (with data: compare and count; without: report the tries
 * left without spending one) and CHANGE REFERENCE DATA.
 */
#include "vc.h"

#include <stdio.h>
#include <string.h>

const char *const vc_pin_names[VC_PIN_COUNT] = { "auth", "sign", "face" };

/* The verified PINs' names, space-separated; "" when none. */
static void verified_names(const struct vc_ctx *ctx, char *buf, size_t cap)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < VC_PIN_COUNT; i++)
		if (ctx->verified[i] && n + 6 < cap)
			n += (size_t)snprintf(buf + n, cap - n, "%s%s",
					      n ? " " : "", vc_pin_names[i]);
}

void vc_clear_verified(struct vc_ctx *ctx, const char *why)
{
	char names[32];

	verified_names(ctx, names, sizeof(names));
	if (names[0])
		vc_trace_eventf("cleared %s (%s)", names, why);
	memset(ctx->verified, 0, sizeof(ctx->verified));
}

void vc_trace_state(const struct vc_ctx *ctx, const char *what)
{
	char names[32];

	verified_names(ctx, names, sizeof(names));
	if (names[0])
		vc_trace_eventf("%s (verified: %s)", what, names);
	else
		vc_trace_event(what);
}

/* The PIN's EF must be the current EF. Returns 0 or a status word. */
static uint16_t current_pin(const struct vc_ctx *ctx, int *pin)
{
	if (!ctx->cur_ef)
		return SW_NO_CURRENT_EF;
	if (ctx->cur_ef->kind != VC_EF_PIN)
		return SW_INCOMPATIBLE_FILE;
	*pin = ctx->cur_ef->pin;
	return 0;
}

static int blocked(const struct vc_pin *p)
{
	return !p->set || p->tries <= 0;
}

uint16_t vc_verify(struct vc_ctx *ctx, const struct vc_apdu *a)
{
	struct vc_pin *p;
	uint16_t sw;
	int id;

	if (a->p1 != 0x00 || a->p2 != 0x80)
		return SW_WRONG_P1P2;
	sw = current_pin(ctx, &id);
	if (sw)
		return sw;
	p = &ctx->card.pins[id];
	if (a->lc == 0) {
		/* Status query: nothing is spent. */
		if (ctx->opt.empty_verify_ok && ctx->verified[id])
			return SW_OK;
		return SW_TRIES(blocked(p) ? 0 : p->tries);
	}
	if (blocked(p))
		return SW_PIN_BLOCKED;
	if (a->lc == strlen(p->value) &&
	    memcmp(a->data, p->value, a->lc) == 0) {
		ctx->verified[id] = 1;
		vc_trace_eventf("verified %s", vc_pin_names[id]);
		if (p->tries != p->max) {
			p->tries = p->max;
			vc_persist(ctx);
		}
		return SW_OK;
	}
	if (ctx->verified[id]) {
		ctx->verified[id] = 0;
		vc_trace_eventf("cleared %s (failed verify)", vc_pin_names[id]);
	}
	p->tries--;
	vc_persist(ctx);
	return SW_TRIES(p->tries);
}

static int all_of(const unsigned char *p, size_t len, const char *set)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!p[i] || !strchr(set, p[i]))
			return 0;
	return 1;
}

/* The formats of the card specification: 4 digits; signature PIN 6-16 of A-Z0-9. */
int vc_pin_format_ok(int pin, const unsigned char *p, size_t len)
{
	if (pin == VC_PIN_SIGN)
		return len >= 6 && len <= 16 &&
		       all_of(p, len, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
	return len == 4 && all_of(p, len, "0123456789");
}

uint16_t vc_change_pin(struct vc_ctx *ctx, const struct vc_apdu *a)
{
	struct vc_pin *p;
	uint16_t sw;
	int id;

	if (a->p1 != 0x01 || a->p2 != 0x80)
		return SW_WRONG_P1P2;
	sw = current_pin(ctx, &id);
	if (sw)
		return sw;
	if (a->lc == 0)
		return SW_WRONG_LENGTH;
	p = &ctx->card.pins[id];
	if (!ctx->verified[id] || blocked(p))
		return SW_SECURITY;
	if (!vc_pin_format_ok(id, a->data, a->lc))
		return SW_BAD_DATA;
	memcpy(p->value, a->data, a->lc);
	p->value[a->lc] = '\0';
	p->tries = p->max;
	vc_persist(ctx);
	return SW_OK;
}
