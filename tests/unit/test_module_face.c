/* jpki-pkcs11 tests: the card-face token through the C_* entry points over
 * a scripted card (module_fixture.h): it costs nothing until used and
 * holds its data only while logged in; a card without its applet shows
 * no token there. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "module_fixture.h"

/* The card-face token: nothing for it until its slot is used, then the
 * applet and its counter once; the login reads both files while the PIN
 * is verified and clears; the five objects exist only while logged in and
 * cost no APDU. */
static void test_face_token(void **state)
{
	static const uint8_t ef1[] = { 0xFF, 0x10, 0x0C, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '1', '8' };
	static const uint8_t ef2[] = { 0xFF, 0x20, 0x12, 0xDF, 0x22, 0x02, 'H', 'N', 0xDF, 0x23, 0x01, 'A',
	                               0xDF, 0x24, 0x02, '1', '9', 0xDF, 0x25, 0x01, '2' };
	CK_SLOT_ID face;
	CK_SESSION_HANDLE h;
	CK_TOKEN_INFO ti;
	CK_OBJECT_HANDLE objs[8];
	CK_ULONG n = 0;
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BYTE value[16];
	CK_ATTRIBUTE a = { CKA_VALUE, value, sizeof(value) };
	size_t before;

	(void)state;
	face = module_first_slot() + 2; /* the listing sent nothing for it */
	script_expect(scr, SEL_FACE, OK);
	script_expect(scr, SEL("00 11"), OK);
	script_expect(scr, "00 20 00 80", "63 C3");
	assert_int_equal(C_GetTokenInfo(face, &ti), CKR_OK);
	assert_memory_equal(ti.label, "JPKI Card Face Data ", 20);
	assert_true(ti.flags & CKF_LOGIN_REQUIRED);
	assert_int_equal(ti.ulMinPinLen, 4);
	h = module_open_rw(face);
	assert_int_equal(C_FindObjectsInit(h, NULL, 0), CKR_OK);
	assert_int_equal(C_FindObjects(h, objs, 8, &n), CKR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(C_FindObjectsFinal(h), CKR_OK);
	/* a format error costs nothing */
	before = script_count(scr);
	assert_int_equal(C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"12345", 5), CKR_PIN_LEN_RANGE);
	assert_int_equal(script_count(scr), before);
	script_expect(scr, SEL_FACE, OK);
	script_expect(scr, SEL("00 11"), OK);
	script_expect(scr, "00 20 00 80 04 31 32 33 34", OK);
	script_expect(scr, SEL("00 01"), OK);
	script_expect_data(scr, "00 B0 00 00 00", ef1, sizeof(ef1), 0x9000);
	script_expect(scr, SEL("00 02"), OK);
	script_expect_data(scr, "00 B0 00 00 00", ef2, sizeof(ef2), 0x9000);
	script_expect(scr, SEL_APP, OK);        /* cleared */
	assert_int_equal(C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"1234", 4), CKR_OK);
	before = script_count(scr);
	assert_int_equal(C_FindObjectsInit(h, &(CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) }, 1), CKR_OK);
	assert_int_equal(C_FindObjects(h, objs, 8, &n), CKR_OK);
	assert_int_equal(n, 5);
	assert_int_equal(C_FindObjectsFinal(h), CKR_OK);
	assert_int_equal(C_GetAttributeValue(h, objs[0], &a, 1), CKR_OK);
	assert_int_equal(a.ulValueLen, 12);
	assert_memory_equal(value, "123456789018", 12);
	a.ulValueLen = sizeof(value);
	assert_int_equal(C_GetAttributeValue(h, objs[1], &a, 1), CKR_OK);
	assert_memory_equal(value, "HN", 2);
	/* a data object is no key */
	assert_int_equal(C_SignInit(h, &(CK_MECHANISM){ CKM_SHA256_RSA_PKCS, NULL, 0 }, objs[3]),
	                 CKR_KEY_FUNCTION_NOT_PERMITTED);
	assert_int_equal(script_count(scr), before);
	assert_int_equal(C_Logout(h), CKR_OK);
	a.ulValueLen = sizeof(value);
	assert_int_equal(C_GetAttributeValue(h, objs[0], &a, 1), CKR_OBJECT_HANDLE_INVALID);
}

/* A card without the applet: the slot shows no token once looked at. */
static void test_face_absent(void **state)
{
	CK_SLOT_ID slots[4], face;
	CK_ULONG n = 4;
	CK_TOKEN_INFO ti;
	CK_SLOT_INFO si;

	(void)state;
	face = module_first_slot() + 2;
	script_expect(scr, SEL_FACE, "6A 82");
	assert_int_equal(C_GetTokenInfo(face, &ti), CKR_TOKEN_NOT_PRESENT);
	assert_int_equal(C_GetSlotInfo(face, &si), CKR_OK);
	assert_false(si.flags & CKF_TOKEN_PRESENT);
	assert_int_equal(C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	assert_int_equal(n, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		MODULE_TEST(test_face_token), MODULE_TEST(test_face_absent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
