/* jpki-pkcs11 fuzzing: what the card-application targets share (see
 * fuzz_card.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz_card.h"
#include "fuzz_transport.h"
#include "log.h"

jp_transport *fuzz_card_open(const uint8_t *data, size_t size, jpki_card *c)
{
	static int log_ready;
	jp_transport *t;

	if (!log_ready) {
		/* run the trace code too, into nowhere, unless a file was asked for */
		if (getenv("JPKI_PKCS11_DEBUG") == NULL) {
			setenv("JPKI_PKCS11_DEBUG", "1", 0);
			setenv("JPKI_PKCS11_DEBUG_FILE", "/dev/null", 0);
		}
		jp_log_init();
		log_ready = 1;
	}
	t = fuzz_transport_new(data, size);
	if (t != NULL)
		jpki_card_init(c, t);
	return t;
}

void fuzz_card_close(jp_transport *t)
{
	if (getenv("FUZZ_TRACE") != NULL)
		fprintf(stderr, "fuzz: %zu input bytes left unread\n", fuzz_transport_left(t));
	jp_transport_close(t, JP_LEAVE);
}
