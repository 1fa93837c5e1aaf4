/* jpki-pkcs11 tests: a JPKI card in a scripted reader (see scripted_card.h). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "conf.h"
#include "lock.h"
#include "scripted_card.h"

jp_card_tokens *scripted_card_new(jp_transport *scr)
{
	jp_card_tokens *ct = calloc(1, sizeof(*ct));

	assert_non_null(ct);
	jp_lock_setup(NULL);
	jp_global_init();
	jp_conf_set(true, 3);
	script_backend_use(scr);
	assert_int_equal(jp_card_init(&ct->card, "scripted"), 0);
	ct->tokens[JPKI_AUTH].cred = JPKI_AUTH;
	ct->tokens[JPKI_SIGN].cred = JPKI_SIGN;
	ct->tokens[JPKI_AUTH].has_cert = ct->tokens[JPKI_SIGN].has_cert = true;
	ct->tokens[JPKI_AUTH].pin_usable = ct->tokens[JPKI_SIGN].pin_usable = true;
	ct->tokens[JPKI_AUTH].tries = 3;
	ct->tokens[JPKI_SIGN].tries = 5;
	return ct;
}

void scripted_card_free(jp_card_tokens *ct, jp_transport *scr)
{
	script_assert_done(scr);
	jp_card_free(&ct->card);
	script_backend_use(NULL);
	script_free(scr);
	jp_token_clear(&ct->tokens[JPKI_AUTH]);
	jp_token_clear(&ct->tokens[JPKI_SIGN]);
	free(ct);
	jp_global_free();
}
