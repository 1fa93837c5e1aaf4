/* jpki-pkcs11 tests: the scripted transport (see script_transport.h). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "script_transport.h"

typedef struct {
	uint8_t cmd[300], resp[JP_MAX_RESPONSE + 64];
	size_t cmd_len, resp_len;
	jp_rv rv;
	bool control;           /* a keypad request, not an APDU */
	uint32_t code;
} step;

typedef struct {
	jp_transport base;
	step *steps;
	size_t n, cap, next;
	size_t begins, ends, unpowered, closes;
	jp_rv (*begin_fn)(jp_transport *t);
	int begin_fn_times;
	uint8_t features[64], last_control[64];
	size_t n_features, n_last_control, feature_asks;
} script;

size_t hex_parse(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v = 0;
		if (*hex == ' ' || *hex == ':')
			continue;
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f')
			v = *hex - 'a' + 10;
		else if (*hex >= 'A' && *hex <= 'F')
			v = *hex - 'A' + 10;
		else
			fail_msg("bad hex in script: %s", hex);
		if (hi < 0) {
			hi = v;
		} else {
			assert_true(n < cap);
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	assert_int_equal(hi, -1);
	return n;
}

static void hex_print(char *dst, size_t cap, const uint8_t *b, size_t n)
{
	size_t i, pos = 0;
	dst[0] = '\0';
	for (i = 0; i < n && pos + 4 < cap; i++)
		pos += (size_t)snprintf(dst + pos, cap - pos, "%02X ", b[i]);
}

static jp_rv s_transmit(jp_transport *t, const uint8_t *cmd, size_t cmd_len,
                        uint8_t *resp, size_t *resp_len)
{
	script *s = (script *)t;
	char got[1024], want[1024];
	step *st;

	hex_print(got, sizeof(got), cmd, cmd_len);
	if (s->next >= s->n)
		fail_msg("unexpected command after the script ended: %s", got);
	st = &s->steps[s->next++];
	if (st->control)
		fail_msg("command %zu: expected keypad request %08X, got APDU %s", s->next, st->code, got);
	if (st->cmd_len != cmd_len || memcmp(st->cmd, cmd, cmd_len) != 0) {
		hex_print(want, sizeof(want), st->cmd, st->cmd_len);
		fail_msg("command %zu:\n  expected %s\n  got      %s", s->next, want, got);
	}
	if (st->rv != JP_OK)
		return st->rv;
	if (st->resp_len > *resp_len)
		fail_msg("scripted answer of %zu bytes does not fit in %zu", st->resp_len, *resp_len);
	memcpy(resp, st->resp, st->resp_len);
	*resp_len = st->resp_len;
	return JP_OK;
}

static jp_rv s_begin(jp_transport *t)
{
	script *s = (script *)t;

	s->begins++;
	if (s->begin_fn && s->begin_fn_times > 0) {
		s->begin_fn_times--;
		return s->begin_fn(t);
	}
	return JP_OK;
}

void script_begin_result(jp_transport *t, jp_rv (*fn)(jp_transport *t), int times)
{
	script *s = (script *)t;

	s->begin_fn = fn;
	s->begin_fn_times = times;
}
static jp_rv s_end(jp_transport *t, jp_disposition d)
{
	script *s = (script *)t;

	s->ends++;
	if (d == JP_UNPOWER)
		s->unpowered++;
	return JP_OK;
}
/* The module closes its connections; the test frees the script. */
static void s_close(jp_transport *t, jp_disposition d)
{
	script *s = (script *)t;

	s->closes++;
	if (d == JP_UNPOWER)
		s->unpowered++;
}

void script_free(jp_transport *t)
{
	script *s = (script *)t;

	if (!s)
		return;
	free(s->steps);
	free(s);
}

size_t script_unpowered(jp_transport *t) { return ((script *)t)->unpowered; }
size_t script_closes(jp_transport *t) { return ((script *)t)->closes; }

/* A backend whose every connection is the one script. */
static jp_transport *the_script;

static jp_rv s_connect(const char *reader, jp_transport **out)
{
	(void)reader;
	*out = the_script;
	return the_script ? JP_OK : JP_E_NO_CARD;
}

/* One reader, "Scripted Reader", whose card the test puts in and takes
 * out; a listing can be made to fail for a moment. */
static struct {
	jp_readers base;
	bool present;
	uint32_t events;
	int list_errors;
	bool cancelled;
} fake;

static jp_rv f_list(jp_readers *rd, jp_reader_state **out, size_t *n)
{
	(void)rd;
	*out = NULL;
	*n = 0;
	if (fake.list_errors > 0) {
		fake.list_errors--;
		return JP_E_COMM;
	}
	if (!(*out = calloc(1, sizeof(**out))) || !((*out)->name = strdup("Scripted Reader"))) {
		free(*out);
		*out = NULL;
		return JP_E_MEMORY;
	}
	(*out)->card_present = fake.present;
	(*out)->events = fake.events;
	*n = 1;
	return JP_OK;
}

static jp_rv f_wait(jp_readers *rd, long timeout_ms)
{
	(void)rd;
	if (!__atomic_load_n(&fake.cancelled, __ATOMIC_SEQ_CST))
		usleep(timeout_ms >= 0 && timeout_ms < 20 ? (useconds_t)timeout_ms * 1000 : 20000);
	return JP_E_COMM;
}

static void f_cancel(jp_readers *rd) { (void)rd; __atomic_store_n(&fake.cancelled, true, __ATOMIC_SEQ_CST); }
static void f_close(jp_readers *rd) { (void)rd; }

static const struct jp_readers_ops fake_ops = { f_list, f_wait, f_cancel, f_close };

static jp_rv s_open(jp_readers **out)
{
	fake.base.ops = &fake_ops;
	*out = &fake.base;
	return JP_OK;
}

static const jp_backend script_backend = { .open = s_open, .connect = s_connect };

void script_backend_use(jp_transport *t)
{
	the_script = t;
	fake.present = t != NULL;
	fake.events = 1;
	fake.list_errors = 0;
	fake.cancelled = false;
	jp_backend_set(t ? &script_backend : NULL);
}

void script_reader_present(bool present)
{
	if (present != fake.present)
		fake.events++;
	fake.present = present;
}

void script_list_errors(int n)
{
	fake.list_errors = n;
}

static jp_rv s_features(jp_transport *t, uint8_t *buf, size_t *len)
{
	script *s = (script *)t;

	s->feature_asks++;
	assert_true(s->n_features <= *len);
	memcpy(buf, s->features, s->n_features);
	*len = s->n_features;
	return JP_OK;
}

static jp_rv s_control(jp_transport *t, uint32_t code, const uint8_t *in, size_t in_len,
                       uint8_t *out, size_t *out_len)
{
	script *s = (script *)t;
	step *st;

	if (s->next >= s->n)
		fail_msg("unexpected keypad request %08X after the script ended", code);
	st = &s->steps[s->next++];
	if (!st->control || st->code != code)
		fail_msg("step %zu: keypad request %08X where the script has %s", s->next, code,
		         st->control ? "another request" : "an APDU");
	assert_true(in_len <= sizeof(s->last_control));
	if (in_len > 0)
		memcpy(s->last_control, in, in_len);
	s->n_last_control = in_len;
	if (st->rv != JP_OK)
		return st->rv;
	assert_true(st->resp_len <= *out_len);
	memcpy(out, st->resp, st->resp_len);
	*out_len = st->resp_len;
	return JP_OK;
}

static const struct jp_transport_ops script_ops = {
	.transmit = s_transmit, .begin = s_begin, .end = s_end, .close = s_close,
	.features = s_features, .control = s_control,
};

jp_transport *script_new(void)
{
	script *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	s->base.ops = &script_ops;
	return &s->base;
}

static step *add(jp_transport *t, const char *cmd_hex)
{
	script *s = (script *)t;
	step *st;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->steps = realloc(s->steps, s->cap * sizeof(*s->steps));
		assert_non_null(s->steps);
	}
	st = &s->steps[s->n++];
	memset(st, 0, sizeof(*st));
	st->cmd_len = hex_parse(cmd_hex, st->cmd, sizeof(st->cmd));
	return st;
}

void script_expect(jp_transport *t, const char *cmd_hex, const char *resp_hex)
{
	step *st = add(t, cmd_hex);
	st->resp_len = hex_parse(resp_hex, st->resp, sizeof(st->resp));
}

void script_expect_data(jp_transport *t, const char *cmd_hex,
                        const uint8_t *data, size_t len, uint16_t sw)
{
	step *st = add(t, cmd_hex);
	assert_true(len + 2 <= sizeof(st->resp));
	if (len > 0)
		memcpy(st->resp, data, len);
	st->resp[len] = (uint8_t)(sw >> 8);
	st->resp[len + 1] = (uint8_t)sw;
	st->resp_len = len + 2;
}

void script_expect_error(jp_transport *t, const char *cmd_hex, jp_rv rv)
{
	step *st = add(t, cmd_hex);
	st->rv = rv;
}

size_t script_count(jp_transport *t) { return ((script *)t)->next; }
size_t script_begins(jp_transport *t) { return ((script *)t)->begins; }
size_t script_ends(jp_transport *t) { return ((script *)t)->ends; }

void script_assert_done(jp_transport *t)
{
	script *s = (script *)t;
	if (s->next != s->n) {
		char want[1024];
		hex_print(want, sizeof(want), s->steps[s->next].cmd, s->steps[s->next].cmd_len);
		fail_msg("%zu scripted command(s) never sent; next: %s", s->n - s->next, want);
	}
}

void script_features(jp_transport *t, const char *tlv_hex)
{
	script *s = (script *)t;

	s->n_features = hex_parse(tlv_hex, s->features, sizeof(s->features));
}

void script_expect_control(jp_transport *t, uint32_t code, const char *resp_hex)
{
	step *st = add(t, "");

	st->control = true;
	st->code = code;
	st->resp_len = hex_parse(resp_hex, st->resp, sizeof(st->resp));
}

void script_expect_control_error(jp_transport *t, uint32_t code, jp_rv rv)
{
	step *st = add(t, "");

	st->control = true;
	st->code = code;
	st->rv = rv;
}

size_t script_last_control(jp_transport *t, uint8_t *out, size_t cap)
{
	script *s = (script *)t;

	assert_true(s->n_last_control <= cap);
	memcpy(out, s->last_control, s->n_last_control);
	return s->n_last_control;
}

size_t script_feature_asks(jp_transport *t) { return ((script *)t)->feature_asks; }
