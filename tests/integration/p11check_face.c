/* p11check: the card-face data token (the module specification, "The
 * card-face data token"), driven from tests/integration/face.sh. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "p11check.h"

static const char *const LABELS[5] = { "My Number", "Name", "Address", "Date of Birth", "Sex" };

/* face-absent: no card-face token is listed with a token present. */
int cmd_face_absent(void)
{
	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	CHECK(find_slot(AUTH, 0) != (CK_SLOT_ID)-1, "the authentication token is there");
	CHECK(find_slot(FACE, 0) == (CK_SLOT_ID)-1, "no card-face token");
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

/* face PIN: the objects before login (none), after it (the five, printed
 * "LABEL=VALUE"), their attributes, and none again after C_Logout and
 * after the last session closed.  Prints "probe-apdus: N", what the first
 * look at the token cost, and "login-apdus: N". */
int cmd_face(const char *pin)
{
	CK_OBJECT_HANDLE objs[16];
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot = (CK_SLOT_ID)-1, slots[32];
	CK_ULONG n = 32, i;
	CK_TOKEN_INFO ti;
	long before;
	size_t k, found;

	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	check_rv(p11->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK, "C_GetSlotList");
	/* the card-face slot is the third of the reader: look at it alone
	 * first, so the probe's cost is measured by itself */
	for (i = 0; i < n && slot == (CK_SLOT_ID)-1; i++) {
		before = apdu_count();
		if (p11->C_GetTokenInfo(slots[i], &ti) == CKR_OK && !memcmp(ti.label, FACE, strlen(FACE))) {
			slot = slots[i];
			printf("probe-apdus: %ld\n", apdu_count() - before);
			printf("flags: %s%s%s\n", ti.flags & CKF_LOGIN_REQUIRED ? "login " : "",
			       ti.flags & CKF_USER_PIN_INITIALIZED ? "pin " : "",
			       ti.flags & CKF_USER_PIN_LOCKED ? "locked" : "");
			CHECK(ti.ulMinPinLen == 4 && ti.ulMaxPinLen == 4, "PIN length 4..4");
			CHECK(ti.flags & CKF_WRITE_PROTECTED, "write-protected");
		}
	}
	if (slot == (CK_SLOT_ID)-1) {
		CHECK(false, "a card-face token is listed");
		return 1;
	}
	s = open_session(slot);
	CHECK(find_objects(s, CK_UNAVAILABLE_INFORMATION, objs, 16) == 0, "no object before login");
	before = apdu_count();
	check_rv(login(s, pin), CKR_OK, "C_Login");
	printf("login-apdus: %ld\n", apdu_count() - before);
	before = apdu_count();
	found = find_objects(s, CKO_DATA, objs, 16);
	CHECK(found == 5, "five data objects after login (%zu)", found);
	CHECK(find_objects(s, CK_UNAVAILABLE_INFORMATION, objs, 16) == found, "and nothing else");
	for (k = 0; k < found; k++) {
		char label[64], app[64], value[1024];
		CK_ULONG ll = sizeof(label) - 1, al = sizeof(app) - 1, vl = sizeof(value) - 1;
		check_rv(get_attr(s, objs[k], CKA_LABEL, label, &ll), CKR_OK, "CKA_LABEL");
		check_rv(get_attr(s, objs[k], CKA_APPLICATION, app, &al), CKR_OK, "CKA_APPLICATION");
		check_rv(get_attr(s, objs[k], CKA_VALUE, value, &vl), CKR_OK, "CKA_VALUE");
		label[ll] = app[al] = value[vl] = '\0';
		CHECK(!strcmp(label, LABELS[k]), "object %zu is %s (%s)", k, LABELS[k], label);
		CHECK(!strcmp(app, "My Number Card"), "CKA_APPLICATION My Number Card");
		CHECK(get_bool(s, objs[k], CKA_PRIVATE) == CK_TRUE, "%s private", label);
		CHECK(get_bool(s, objs[k], CKA_MODIFIABLE) == CK_FALSE, "%s not modifiable", label);
		CHECK(get_bool(s, objs[k], CKA_TOKEN) == CK_TRUE, "%s a token object", label);
		printf("%s=%s\n", label, value);
	}
	CHECK(apdu_count() == before, "reading the objects costs no APDU");
	check_rv(p11->C_Logout(s), CKR_OK, "C_Logout");
	CHECK(find_objects(s, CK_UNAVAILABLE_INFORMATION, objs, 16) == 0, "no object after logout");
	check_rv(login(s, pin), CKR_OK, "C_Login again");
	CHECK(find_objects(s, CKO_DATA, objs, 16) == 5, "the five again");
	check_rv(p11->C_CloseSession(s), CKR_OK, "C_CloseSession");
	s = open_session(slot);
	CHECK(find_objects(s, CK_UNAVAILABLE_INFORMATION, objs, 16) == 0, "none after the last session closed");
	{
		CK_MECHANISM_TYPE m[32];
		CK_ULONG mn = 32;
		check_rv(p11->C_GetMechanismList(slot, m, &mn), CKR_OK, "C_GetMechanismList");
		CHECK(mn == 0, "no mechanism on the card-face token");
	}
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}
