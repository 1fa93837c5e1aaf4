/* The PKCS#11 3.0 interfaces of both module files, loaded with dlopen as a
 * client loads them and asked before C_Initialize, as clients ask:
 * C_GetInterfaceList, C_GetInterface by name, version and flags, bad
 * arguments, and the lists they give. */
#include "config.h"

#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jpki/pkcs11-v3.h"

typedef struct {
	void *dl;
	CK_C_GetFunctionList get_function_list;
	CK_C_GetInterfaceList get_interface_list;
	CK_C_GetInterface get_interface;
} module;

static const char *module_file;

static int load(void **state)
{
	static module m;
	const char *dir = getenv("top_builddir");
	char path[4096];

	snprintf(path, sizeof path, "%s/.libs/%s", dir ? dir : ".", module_file);
	m.dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!m.dl) {
		fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
		return -1;
	}
	m.get_function_list = (CK_C_GetFunctionList)dlsym(m.dl, "C_GetFunctionList");
	m.get_interface_list = (CK_C_GetInterfaceList)dlsym(m.dl, "C_GetInterfaceList");
	m.get_interface = (CK_C_GetInterface)dlsym(m.dl, "C_GetInterface");
	*state = &m;
	return 0;
}

static int unload(void **state)
{
	module *m = *state;

	dlclose(m->dl);
	return 0;
}

static const CK_VERSION *version_of(const CK_INTERFACE *i)
{
	return i->pFunctionList;
}

static void test_exported(void **state)
{
	module *m = *state;

	assert_non_null(m->get_function_list);
	assert_non_null(m->get_interface_list);
	assert_non_null(m->get_interface);
}

static void test_interface_list(void **state)
{
	module *m = *state;
	CK_INTERFACE list[3];
	CK_FUNCTION_LIST_PTR v2;
	CK_ULONG n = 0;

	assert_int_equal(m->get_interface_list(NULL, &n), CKR_OK);
	assert_int_equal(n, 2);
	n = 1;
	assert_int_equal(m->get_interface_list(list, &n), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 2);
	n = 3;
	assert_int_equal(m->get_interface_list(list, &n), CKR_OK);
	assert_int_equal(n, 2);

	/* "PKCS 11" 3.0 first (the default), then 2.40, which is the list
	 * C_GetFunctionList gives. */
	assert_string_equal((char *)list[0].pInterfaceName, "PKCS 11");
	assert_string_equal((char *)list[1].pInterfaceName, "PKCS 11");
	assert_int_equal(version_of(&list[0])->major, 3);
	assert_int_equal(version_of(&list[0])->minor, 0);
	assert_int_equal(version_of(&list[1])->major, 2);
	assert_int_equal(version_of(&list[1])->minor, 40);
	assert_int_equal(list[0].flags, 0);
	assert_int_equal(list[1].flags, 0);
	assert_int_equal(m->get_function_list(&v2), CKR_OK);
	assert_ptr_equal(list[1].pFunctionList, v2);
}

static void test_interface_list_bad(void **state)
{
	module *m = *state;
	CK_INTERFACE list[2];

	assert_int_equal(m->get_interface_list(NULL, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(m->get_interface_list(list, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(m->get_function_list(NULL), CKR_ARGUMENTS_BAD);
}

static void test_get_interface(void **state)
{
	module *m = *state;
	CK_INTERFACE_PTR i = NULL;
	CK_VERSION v30 = { 3, 0 }, v240 = { 2, 40 };
	CK_FUNCTION_LIST_PTR v2;

	/* The default: 3.0. */
	assert_int_equal(m->get_interface(NULL, NULL, &i, 0), CKR_OK);
	assert_non_null(i);
	assert_string_equal((char *)i->pInterfaceName, "PKCS 11");
	assert_int_equal(version_of(i)->major, 3);
	assert_int_equal(version_of(i)->minor, 0);

	i = NULL;
	assert_int_equal(m->get_interface((CK_UTF8CHAR_PTR)"PKCS 11", NULL, &i, 0), CKR_OK);
	assert_non_null(i);
	assert_int_equal(version_of(i)->major, 3);

	i = NULL;
	assert_int_equal(m->get_interface((CK_UTF8CHAR_PTR)"PKCS 11", &v30, &i, 0), CKR_OK);
	assert_non_null(i);
	assert_int_equal(version_of(i)->major, 3);
	assert_int_equal(version_of(i)->minor, 0);

	i = NULL;
	assert_int_equal(m->get_interface((CK_UTF8CHAR_PTR)"PKCS 11", &v240, &i, 0), CKR_OK);
	assert_non_null(i);
	assert_int_equal(m->get_function_list(&v2), CKR_OK);
	assert_ptr_equal(i->pFunctionList, v2);

	i = NULL;
	assert_int_equal(m->get_interface(NULL, &v240, &i, 0), CKR_OK);
	assert_ptr_equal(i->pFunctionList, v2);
}

static void test_get_interface_bad(void **state)
{
	module *m = *state;
	CK_INTERFACE_PTR i = NULL;
	CK_VERSION v31 = { 3, 1 }, v220 = { 2, 20 };

	assert_int_equal(m->get_interface(NULL, NULL, NULL, 0), CKR_ARGUMENTS_BAD);
	assert_int_equal(m->get_interface((CK_UTF8CHAR_PTR)"Vendor JPKI", NULL, &i, 0),
		CKR_ARGUMENTS_BAD);
	assert_int_equal(m->get_interface((CK_UTF8CHAR_PTR)"PKCS 11 ", NULL, &i, 0),
		CKR_ARGUMENTS_BAD);
	assert_int_equal(m->get_interface((CK_UTF8CHAR_PTR)"PKCS 11", &v31, &i, 0),
		CKR_ARGUMENTS_BAD);
	assert_int_equal(m->get_interface(NULL, &v220, &i, 0), CKR_ARGUMENTS_BAD);
	/* The module is not fork-safe: the child must C_Initialize again. */
	assert_int_equal(m->get_interface(NULL, NULL, &i, CKF_INTERFACE_FORK_SAFE),
		CKR_ARGUMENTS_BAD);
	assert_null(i);
}

/* The 3.0 list carries the same 2.40 functions, its own entry points, and
 * answers CKR_FUNCTION_NOT_SUPPORTED for what the card has nothing to do
 * with; a module initialized through it works. */
static void test_list_3_0(void **state)
{
	module *m = *state;
	CK_INTERFACE_PTR i = NULL;
	CK_FUNCTION_LIST_3_0_PTR f;
	CK_FUNCTION_LIST_PTR v2;
	CK_INFO info;
	CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE buf[16] = { 0 };
	CK_ULONG len = sizeof buf;
	CK_SESSION_HANDLE s = 1;

	assert_int_equal(m->get_interface(NULL, NULL, &i, 0), CKR_OK);
	f = i->pFunctionList;
	assert_int_equal(m->get_function_list(&v2), CKR_OK);
	assert_memory_equal(&f->C_Initialize, &v2->C_Initialize,
		sizeof *v2 - offsetof(CK_FUNCTION_LIST, C_Initialize));
	assert_ptr_equal(f->C_GetInterfaceList, m->get_interface_list);
	assert_ptr_equal(f->C_GetInterface, m->get_interface);

	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f->C_GetInfo(&info), CKR_OK);

	assert_int_equal(f->C_LoginUser(s, CKU_USER, buf, 4, buf, 4), CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_SessionCancel(s, 0), CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_MessageEncryptInit(s, &mech, 1), CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_EncryptMessage(s, NULL, 0, NULL, 0, buf, 1, buf, &len),
		CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_EncryptMessageBegin(s, NULL, 0, NULL, 0), CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_EncryptMessageNext(s, NULL, 0, buf, 1, buf, &len, 0),
		CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_MessageEncryptFinal(s), CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_MessageDecryptInit(s, &mech, 1), CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_DecryptMessage(s, NULL, 0, NULL, 0, buf, 1, buf, &len),
		CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_DecryptMessageBegin(s, NULL, 0, NULL, 0), CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_DecryptMessageNext(s, NULL, 0, buf, 1, buf, &len, 0),
		CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_MessageDecryptFinal(s), CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_MessageSignInit(s, &mech, 1), CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_SignMessage(s, NULL, 0, buf, 1, buf, &len), CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_SignMessageBegin(s, NULL, 0), CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_SignMessageNext(s, NULL, 0, buf, 1, buf, &len),
		CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_MessageSignFinal(s), CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_MessageVerifyInit(s, &mech, 1), CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_VerifyMessage(s, NULL, 0, buf, 1, buf, 1), CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_VerifyMessageBegin(s, NULL, 0), CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_VerifyMessageNext(s, NULL, 0, buf, 1, buf, 1),
		CKR_FUNCTION_NOT_SUPPORTED);
	assert_int_equal(f->C_MessageVerifyFinal(s), CKR_FUNCTION_NOT_SUPPORTED);

	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
}

static int run(const char *file)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exported),
		cmocka_unit_test(test_interface_list),
		cmocka_unit_test(test_interface_list_bad),
		cmocka_unit_test(test_get_interface),
		cmocka_unit_test(test_get_interface_bad),
		cmocka_unit_test(test_list_3_0),
	};

	module_file = file;
	return _cmocka_run_group_tests(file, tests, sizeof tests / sizeof tests[0],
		load, unload);
}

int main(void)
{
	int failed = 0;

	failed += run("jpki-pkcs11.so");
	failed += run("jpki-pkcs11-auth.so");
	return failed ? 1 : 0;
}
