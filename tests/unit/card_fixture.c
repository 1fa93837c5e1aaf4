/* jpki-pkcs11 tests: the fixture of the card-application tests (see
 * card_fixture.h). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "card_fixture.h"

int card_setup(void **state)
{
	card_fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->t = script_new();
	jpki_card_init(&f->c, f->t);
	*state = f;
	return 0;
}

int card_teardown(void **state)
{
	card_fixture *f = *state;

	script_free(f->t);
	free(f);
	return 0;
}

void card_assert_select_refused(card_fixture *f, const char *sel, jp_rv (*select_app)(jpki_card *c),
                                const char *const *sws, size_t n, jp_rv want, const bool *selected)
{
	size_t i;

	for (i = 0; i < n; i++) {
		script_expect(f->t, sel, sws[i]);
		assert_int_equal(select_app(&f->c), want);
		assert_false(*selected);
	}
	script_expect_error(f->t, sel, JP_E_NO_CARD);
	assert_int_equal(select_app(&f->c), JP_E_NO_CARD);
	script_assert_done(f->t);
}
