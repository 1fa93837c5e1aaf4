/* jpki-pkcs11 fuzzing: the card-face data applet over card answers taken
 * from the fuzz input (see fuzz_transport.h for the format).
 *
 * Runs what the card-face token does with a card: select the applet, the
 * PIN counter, a login, the two files read and parsed, a PIN change, and
 * a JPKI command after it (the applets take turns); checks that what a
 * successful read returns is what the card-face data can be.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "face.h"
#include "fuzz_card.h"
#include "fuzz_transport.h"

static void check(const face_data *d)
{
	size_t i;
	int f;

	if (d->len[FACE_MY_NUMBER] != 12)
		abort();
	for (i = 0; i < 12; i++)
		if (d->v[FACE_MY_NUMBER][i] < '0' || d->v[FACE_MY_NUMBER][i] > '9')
			abort();
	for (f = 0; f < FACE_FIELDS; f++)
		if (d->v[f] == NULL || d->len[f] > 4096)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jpki_card c;
	jp_transport *t = fuzz_card_open(data, size, &c);
	face_data d;
	int tries, f;

	if (t == NULL)
		return 0;

	if (face_pin_tries(&c, &tries) == JP_OK && (tries < -1 || tries > 15))
		abort();
	if (face_read(&c, &d) == JP_OK)         /* before the PIN: a card may let it */
		check(&d);
	face_data_free(&d);
	fuzz_transport_allow_pin(t, 1);
	(void)face_verify(&c, (const uint8_t *)"1234", 4, &tries);
	fuzz_transport_allow_pin(t, 0);
	if (face_read(&c, &d) == JP_OK)
		check(&d);
	else
		for (f = 0; f < FACE_FIELDS; f++)
			if (d.v[f] != NULL)
				abort();
	face_data_free(&d);
	fuzz_transport_allow_pin(t, 1);
	(void)face_change_pin(&c, (const uint8_t *)"9876", 4);
	fuzz_transport_allow_pin(t, 0);
	(void)jpki_pin_tries(&c, JPKI_AUTH, &tries);
	(void)face_select_app(&c);

	/* the parsers on the raw input too */
	memset(&d, 0, sizeof(d));
	if (face_parse_my_number(data, size, &d) == JP_OK && d.len[FACE_MY_NUMBER] != 12)
		abort();
	face_data_free(&d);
	if (face_parse_basic(data, size, &d) == JP_OK && d.v[FACE_NAME] == NULL)
		abort();
	face_data_free(&d);
	fuzz_card_close(t);
	return 0;
}
