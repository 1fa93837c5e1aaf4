/* jpki-pkcs11 tests: the fixture of the module-level tests (see
 * module_fixture.h). */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "lock.h"
#include "module_fixture.h"

jp_transport *scr;
static CK_SLOT_ID slot0;

/* A failed assertion inside a C_* call (an unexpected command) leaves the
 * module's lock held, and the teardown's C_Finalize would wait for it
 * forever: past this many seconds the test program ends, failed. */
#define TEST_SECONDS 60

static void timed_out(int sig)
{
	static const char msg[] = "module test: timed out (a failed assertion may have left a lock held)\n";
	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)n;
	_exit(1);
}

int module_setup(void **state)
{
	(void)state;
	signal(SIGALRM, timed_out);
	alarm(TEST_SECONDS);
	scr = script_new();
	script_backend_use(scr);
	assert_int_equal(C_Initialize(NULL), CKR_OK);
	return 0;
}

int module_teardown(void **state)
{
	(void)state;
	C_Finalize(NULL);
	script_assert_done(scr);
	script_backend_use(NULL);
	script_free(scr);
	alarm(0);
	return 0;
}

/* What the module reads of a new card: applet, serial, availability, both
 * PIN counters. */
static void expect_detect(void)
{
	/* EF 0006: label, manufacturer, model, serial */
	static const uint8_t info[96] = "JPKIAPICCTOKEN2                 "
	                                "JPKI                            "
	                                "JPKIAPICCTOKEN2 VC12345678901234";
	static const uint8_t avail[3] = { 0x8F, 0x8F, 0x00 };

	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 06"), OK);
	script_expect_data(scr, "00 B0 00 00 60", info, sizeof(info), 0x9000);
	script_expect(scr, SEL("00 08"), OK);
	script_expect_data(scr, "00 B0 00 00 03", avail, sizeof(avail), 0x9000);
	/* no PIN counter: read when a token's flags are asked for */
}

CK_SLOT_ID module_first_slot(void)
{
	CK_SLOT_ID slots[4];
	CK_ULONG n = 4;

	expect_detect();
	assert_int_equal(C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	/* the card-face token too: listed without an APDU, looked for when used */
	assert_int_equal(n, 3);
	slot0 = slots[0];
	return slots[0];
}

jp_reader *module_reader(void)
{
	jpki_cred cred;
	jp_reader *r;

	jp_global_lock();
	r = jp_slot_find_inlock(slot0, &cred);
	jp_global_unlock();
	assert_non_null(r);
	return r;
}

CK_SESSION_HANDLE module_open_rw(CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE h = 0;

	assert_int_equal(C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), CKR_OK);
	return h;
}

void module_expect_auth_verify(bool counter_first)
{
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 18"), OK);
	if (counter_first)
		script_expect(scr, VERIFY_Q, "63 C3");
	script_expect(scr, "00 20 00 80 04 31 32 33 34", OK);
}

void module_login_auth(CK_SESSION_HANDLE h, bool counter_first)
{
	module_expect_auth_verify(counter_first);
	assert_int_equal(C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"1234", 4), CKR_OK);
}
