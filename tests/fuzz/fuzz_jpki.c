/* jpki-pkcs11 fuzzing: the JPKI card application over card answers taken
 * from the fuzz input (see fuzz_transport.h for the format).
 *
 * Runs what the token model does with a card: select, token information,
 * the four certificates, both PIN counters, a login and a signature with
 * each key, a PIN change; checks the results are consistent.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz_card.h"
#include "fuzz_transport.h"

/* SHA-256 DigestInfo of 32 zero bytes */
static const uint8_t DIGESTINFO[51] = {
	0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
	0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
};

static void read_cert(jpki_card *c, jpki_cred cred, bool ca)
{
	uint8_t *der = NULL;
	size_t len = 0;
	jp_rv rv = jpki_read_cert(c, cred, ca, &der, &len);

	if ((der == NULL) != (len == 0))
		abort();
	if (der != NULL && (rv != JP_OK || len < 4 || len > 8192 || der[0] != 0x30 || der[1] != 0x82 ||
	                    len != 4 + ((size_t)der[2] << 8 | der[3])))
		abort();
	free(der);
}

static void verify(jpki_card *c, jpki_cred cred, const char *pin)
{
	int tries = 99;
	jp_rv rv;

	fuzz_transport_allow_pin(c->t, 1);
	rv = jpki_verify(c, cred, (const uint8_t *)pin, strlen(pin), &tries);
	fuzz_transport_allow_pin(c->t, 0);
	if (rv == JP_E_PIN_INCORRECT && (tries < 0 || tries > 15))
		abort();
	if (rv == JP_OK && tries != -1)
		abort();
}

static void sign(jpki_card *c, jpki_cred cred)
{
	uint8_t sig[256];
	size_t len = sizeof(sig);

	if (jpki_sign(c, cred, DIGESTINFO, sizeof(DIGESTINFO), sig, &len) == JP_OK && len != 256)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jpki_card c;
	jp_transport *t = fuzz_card_open(data, size, &c);
	jpki_info info;
	int tries;

	if (t == NULL)
		return 0;

	(void)jpki_select_app(&c);
	if (jpki_read_info(&c, &info) == JP_OK) {
		size_t n = strlen(info.serial), i;
		if (n > JPKI_SERIAL_LEN)
			abort();
		for (i = 0; i < n; i++)
			if (info.serial[i] < 0x20 || info.serial[i] > 0x7E)
				abort();
	}
	read_cert(&c, JPKI_AUTH, false);
	read_cert(&c, JPKI_AUTH, true);
	read_cert(&c, JPKI_SIGN, false);
	read_cert(&c, JPKI_SIGN, true);
	if (jpki_pin_tries(&c, JPKI_AUTH, &tries) == JP_OK && (tries < -1 || tries > 15))
		abort();
	if (jpki_pin_tries(&c, JPKI_SIGN, &tries) == JP_OK && (tries < -1 || tries > 15))
		abort();
	verify(&c, JPKI_AUTH, "1234");
	sign(&c, JPKI_AUTH);
	verify(&c, JPKI_SIGN, "ABC123");
	read_cert(&c, JPKI_SIGN, false);
	sign(&c, JPKI_SIGN);
	fuzz_transport_allow_pin(t, 1);
	(void)jpki_change_pin(&c, JPKI_SIGN, (const uint8_t *)"XYZ987", 6);
	fuzz_transport_allow_pin(t, 0);
	jpki_card_forget(&c);
	(void)jpki_select_app(&c);
	fuzz_card_close(t);
	return 0;
}
