/* jpki-pkcs11 fuzzing: the fuzz backend's state of one input (see
 * fuzz_backend_state.h): the answer stream, the readers and their events,
 * and the card's security state as the answers change it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fuzz_backend_state.h"

fz_state fz = { .mu = PTHREAD_MUTEX_INITIALIZER };

const char *const fz_reader_names[NREADERS] = { "Fuzz Reader 0", "Fuzz Reader 1" };

void fz_trace_bytes(const char *fmt, const uint8_t *b, size_t n)
{
	size_t i;

	if (!fuzz_trace)
		return;
	fputs(fmt, stderr);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %02X", b[i]);
	fputc('\n', stderr);
}

/* ---- the stream --------------------------------------------------------- */

bool fz_peek_inlock(uint16_t *h)
{
	if (fz.left < 2)
		return false;
	*h = (uint16_t)(fz.p[0] << 8 | fz.p[1]);
	return true;
}

void fz_skip_inlock(size_t n)
{
	if (n > fz.left)
		n = fz.left;
	fz.p += n;
	fz.left -= n;
}

void fz_event_inlock(unsigned ev)
{
	fz_reader *r = &fz.readers[(ev >> 3) & 1];

	if (fuzz_trace)
		fprintf(stderr, "fuzz: event %u on reader %u\n", ev & 7, (ev >> 3) & 1);
	switch (ev & 7) {
	case 0:
		if (r->listed && !r->card) {
			r->card = true;
			r->events++;
		}
		break;
	case 1:
		if (r->card) {
			r->card = false;
			r->events++;
			r->gen++;
		}
		break;
	case 2:
		if (r->listed) {
			r->card = true;
			r->events += 2;
			r->gen++;
		}
		break;
	case 3:
		fz.list_comm = true;
		break;
	case 4:
		fz.list_no_service = true;
		fz.open_fails = true;
		break;
	case 5:
		r->listed = false;
		r->card = false;
		r->gen++;
		break;
	default:
		if (!r->listed) {
			r->listed = true;
			r->card = (ev & 7) == 6;
			r->events += 2;
			r->gen++;
		}
		break;
	}
}

jp_rv fz_failure(unsigned code)
{
	static const jp_rv errs[4] = { JP_E_COMM, JP_E_RESET, JP_E_NO_CARD, JP_E_NO_READER };

	return errs[code & 3];
}

jp_rv fz_take_failure_inlock(void)
{
	uint16_t h;

	if (!fz_peek_inlock(&h) || (h >> 8) != 0xFD)
		return JP_OK;
	fz_skip_inlock(2);
	if (fuzz_trace)
		fprintf(stderr, "fuzz: failure %d\n", h & 3);
	return fz_failure(h);
}

void fz_reset_inlock(const uint8_t *data, size_t size)
{
	fz.p = data;
	fz.left = size;
	memset(fz.readers, 0, sizeof(fz.readers));
	fz.readers[0].listed = true;
	fz.readers[0].card = true;
	fz.readers[0].events = 1;
	fz.list_comm = fz.list_no_service = fz.open_fails = false;
	fz.conns = fz.listers = 0;
	fz.call = FZ_CALL_NO_PIN;
	fz.verifies = fz.changes = 0;
	fz.nrejected = 0;
	fz.sign_rejected = false;
	fz.reached = 0;
}

/* ---- the card's security state ------------------------------------------- */

/* The handle only reports that the card is gone; the card lost power. */
jp_rv fz_card_left_inlock(fz_conn *c)
{
	fz_reader *r = &fz.readers[c->reader];

	if (r->gen == c->gen)
		return JP_OK;
	if (c->verified)
		fz.reached |= FZ_REACHED_PULLED;
	c->verified = false;
	return r->listed ? JP_E_NO_CARD : JP_E_NO_READER;
}

void fz_note_answer_inlock(fz_conn *c, const uint8_t *cmd, size_t len, const uint8_t *resp, size_t n)
{
	uint16_t sw = n >= 2 ? (uint16_t)(resp[n - 2] << 8 | resp[n - 1]) : 0;

	if (fz_is_pin_command(cmd, len, 0x20)) {
		if (sw == 0x9000 || (sw >> 8) == 0x61) {
			c->verified = true;
			fz.reached |= FZ_REACHED_VERIFIED;
		} else if ((sw & 0xFFF0) == 0x63C0 || sw == 0x6983 || sw == 0x6984) {
			fz_reject_inlock(c->ef, cmd + 5, cmd[4]);
			fz.reached |= FZ_REACHED_REJECTED;
			fz.sign_rejected = fz.sign_rejected || fz.call == FZ_CALL_SIGN;
		}
	}
	if (len >= 4 && cmd[1] == 0x2A && (sw == 0x9000 || (sw >> 8) == 0x61))
		fz.reached |= FZ_REACHED_SIGNED;
	/* 61xx is normal processing too (ISO 7816-4): the SELECT was done and
	 * the card forgot its PINs, whatever GET RESPONSE then brings */
	if (len >= 4 && cmd[0] == 0x00 && cmd[1] == 0xA4 && cmd[2] == 0x04 && (sw == 0x9000 || (sw >> 8) == 0x61)) {
		if (c->verified)
			fz.reached |= FZ_REACHED_CLEARED;
		c->verified = false;
	}
	if (len >= 7 && cmd[0] == 0x00 && cmd[1] == 0xA4 && cmd[2] == 0x02 && cmd[4] == 2)
		c->ef = (uint16_t)(cmd[5] << 8 | cmd[6]);
}
