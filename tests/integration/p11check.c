/* p11check: integration checks of the module through the real pcscd and
 * the virtual card.  Each subcommand is one scenario; it prints "ok - …" /
 * "not ok - …" lines and exits 1 when any check failed.  The shell tests
 * in this directory set the card up and call it.  This file holds what
 * the scenarios share and the table of subcommands; the scenarios live in
 * p11check_*.c, one file per theme. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "p11check.h"

const char *auth_pin(void) { return getenv("JV_AUTH_PIN") ? getenv("JV_AUTH_PIN") : "1234"; }
const char *sign_pin(void) { return getenv("JV_SIGN_PIN") ? getenv("JV_SIGN_PIN") : "ABC123"; }

void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

CK_ULONG pin_len(const char *pin) { return pin ? strlen(pin) : 0; }

CK_RV login(CK_SESSION_HANDLE s, const char *pin)
{
	return p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, pin_len(pin));
}

CK_SLOT_ID slot_of(const char *which)
{
	return find_slot(!strcmp(which, "sign") ? SIGN : !strcmp(which, "face") ? FACE : AUTH, 0);
}

void save(const char *dir, const char *name, const void *p, size_t len)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb"))) {
		fwrite(p, 1, len, f);
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	const char *dir = getenv("JV_TMP") ? getenv("JV_TMP") : ".";

	setvbuf(stdout, NULL, _IOLBF, 0);
	p11_load(NULL);
	if (!strcmp(cmd, "tokens") && argc > 2)
		return cmd_tokens(argv[2], dir);
	if (!strcmp(cmd, "mechs"))
		return cmd_mechs(dir);
	if (!strcmp(cmd, "login") && argc > 2)
		return cmd_login(argv[2], argc > 3 ? argv[3] : NULL);
	if (!strcmp(cmd, "setpin") && (argc == 3 || argc > 4))
		return cmd_setpin(argv[2], argc > 4 ? argv[3] : NULL, argc > 4 ? argv[4] : NULL);
	if (!strcmp(cmd, "sign-once") && argc > 2)
		return cmd_sign_once(argv[2]);
	if (!strcmp(cmd, "threads"))
		return cmd_threads(argc > 2 ? atoi(argv[2]) : 8, argc > 3 ? atoi(argv[3]) : 3);
	if (!strcmp(cmd, "mutex"))
		return cmd_mutex();
	if (!strcmp(cmd, "remove"))
		return cmd_remove();
	if (!strcmp(cmd, "remove-during"))
		return cmd_remove_during();
	if (!strcmp(cmd, "events"))
		return cmd_events();
	if (!strcmp(cmd, "two"))
		return cmd_two();
	if (!strcmp(cmd, "pcscd"))
		return cmd_pcscd();
	if (!strcmp(cmd, "no-pcscd"))
		return cmd_no_pcscd();
	if (!strcmp(cmd, "reset"))
		return cmd_reset();
	if (!strcmp(cmd, "only-auth"))
		return cmd_only_auth();
	if (!strcmp(cmd, "cost"))
		return cmd_cost();
	if (!strcmp(cmd, "hold-then") && argc > 2)
		return cmd_hold_then(argv[2], argc > 3 ? atol(argv[3]) : 0);
	if (!strcmp(cmd, "hold-stay") && argc > 2)
		return cmd_hold_stay(atol(argv[2]));
	if (!strcmp(cmd, "setpin-pending") && argc > 2)
		return cmd_setpin_pending(argv[2]);
	if (!strcmp(cmd, "close-last"))
		return cmd_close_last();
	if (!strcmp(cmd, "verify-cert"))
		return cmd_verify_cert();
	if (!strcmp(cmd, "face") && argc > 2)
		return cmd_face(argv[2]);
	if (!strcmp(cmd, "face-absent"))
		return cmd_face_absent();
	if (!strcmp(cmd, "finalize-race"))
		return cmd_finalize_race(argc > 2 ? atoi(argv[2]) : 4, argc > 3 ? atoi(argv[3]) : 5);
	if (!strcmp(cmd, "pinpad-flags"))
		return cmd_pinpad_flags();
	if (!strcmp(cmd, "pinpad-sign"))
		return cmd_pinpad_sign(argc > 2 ? atoi(argv[2]) : 1);
	fprintf(stderr, "usage: p11check tokens PROFILE | only-auth | mechs | sign-once auth|sign |\n"
	                "  login auth|sign [PIN] | setpin auth|sign [OLD NEW] | threads [N [ROUNDS]] | mutex |\n"
	                "  remove | remove-during | events | two | pcscd | no-pcscd | reset | cost |\n"
	                "  hold-then close|logout|finalize|exit|sleep MS | hold-stay MS | setpin-pending NEW |\n"
	                "  close-last | verify-cert | finalize-race [N [ROUNDS]] | pinpad-flags |\n"
	                "  pinpad-sign [N] | face PIN | face-absent\n"
	                "(login and setpin also take face; without PINs they pass NULL, for the keypad)\n");
	return 2;
}
