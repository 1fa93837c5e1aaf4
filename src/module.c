/* jpki-pkcs11: the function lists, the module's only exports:
 * C_GetFunctionList (PKCS#11 2.40) and, for 3.0 clients, the "PKCS 11"
 * interface in versions 3.0 and 2.40 through C_GetInterfaceList and
 * C_GetInterface. */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "jpki/pkcs11-v3.h"
#include "p11.h"

#define X(name) name,
static CK_FUNCTION_LIST function_list = {
	{ 2, 40 },
	JP_V2_FUNCTIONS(X)
};

/* The 3.0 functions the card has no use for answer
 * CKR_FUNCTION_NOT_SUPPORTED (src/p11_v3.c). */
static CK_FUNCTION_LIST_3_0 function_list_3_0 = {
	{ 3, 0 },
	JP_V2_FUNCTIONS(X)
	JP_V3_FUNCTIONS(X)
};
#undef X

/* The default interface first.  Not CKF_INTERFACE_FORK_SAFE: after fork()
 * the child must call C_Initialize again. */
#define JP_INTERFACE_NAME "PKCS 11"
static CK_INTERFACE interfaces[] = {
	{ (void *)JP_INTERFACE_NAME, &function_list_3_0, 0 },
	{ (void *)JP_INTERFACE_NAME, &function_list, 0 },
};
#define N_INTERFACES (sizeof interfaces / sizeof interfaces[0])

/* What every way into the module sets up before handing out a list. */
static void module_setup(void)
{
#ifdef JP_AUTH_ONLY
	/* jpki-pkcs11-auth.so: the same module showing only the
	 * user-authentication token.  For browsers: a browser looking for
	 * client certificates logs in to every token that wants a login, and a
	 * person logging in to a website must never be asked for the signature
	 * PIN, the legal seal.  A browser policy names a module file and cannot
	 * set an environment variable, so this is a file of its own. */
	jp_module_tokens = 1u << JPKI_AUTH;
#endif
}

__attribute__((visibility("default")))
CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
	if (!ppFunctionList)
		return CKR_ARGUMENTS_BAD;
	module_setup();
	*ppFunctionList = &function_list;
	return CKR_OK;
}

__attribute__((visibility("default")))
CK_RV C_GetInterfaceList(CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount)
{
	CK_ULONG i;

	if (!pulCount)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	module_setup();
	if (!pInterfacesList) {
		*pulCount = N_INTERFACES;
		return jp_ret(__func__, CKR_OK);
	}
	if (*pulCount < N_INTERFACES) {
		*pulCount = N_INTERFACES;
		return jp_ret(__func__, CKR_BUFFER_TOO_SMALL);
	}
	for (i = 0; i < N_INTERFACES; i++)
		pInterfacesList[i] = interfaces[i];
	*pulCount = N_INTERFACES;
	return jp_ret(__func__, CKR_OK);
}

/* The first interface with that name (any, when NULL), that version (any,
 * when NULL) and at least the flags asked for. */
__attribute__((visibility("default")))
CK_RV C_GetInterface(CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,
	CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags)
{
	CK_ULONG i;

	if (!ppInterface)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	module_setup();
	for (i = 0; i < N_INTERFACES; i++) {
		const CK_VERSION *v = interfaces[i].pFunctionList;

		if (pInterfaceName &&
		    strcmp((const char *)pInterfaceName, JP_INTERFACE_NAME) != 0)
			continue;
		if (pVersion && (pVersion->major != v->major || pVersion->minor != v->minor))
			continue;
		if ((interfaces[i].flags & flags) != flags)
			continue;
		*ppInterface = &interfaces[i];
		return jp_ret(__func__, CKR_OK);
	}
	return jp_ret(__func__, CKR_ARGUMENTS_BAD);
}
