/* jpki-pkcs11: result codes shared by the lower layers.
 *
 * The card application, APDU and transport layers speak jp_rv, never CKR_*:
 * the token model maps these to PKCS#11 results (see token.c).
 */
#ifndef JP_RV_H
#define JP_RV_H

typedef enum {
	JP_OK = 0,
	JP_E_MEMORY,            /* allocation failed */
	JP_E_ARGS,              /* a caller passed nonsense (a bug, not the card) */
	/* transport */
	JP_E_NO_SERVICE,        /* pcscd is not running or went away */
	JP_E_NO_READER,         /* the reader is gone */
	JP_E_NO_CARD,           /* no card in the reader (or it was pulled) */
	JP_E_RESET,             /* the card was reset by someone: security state lost */
	JP_E_COMM,              /* transmission failed; nothing known of what the card did */
	/* card answers */
	JP_E_NOT_JPKI,          /* the card does not answer to the JPKI applet */
	JP_E_NOT_FOUND,         /* 6A82: no such file */
	JP_E_SECURITY,          /* 6982: security status not satisfied */
	JP_E_PIN_INCORRECT,     /* 63Cx after a VERIFY with data: a try was spent */
	JP_E_PIN_LOCKED,        /* 6983/6984, or a counter at zero */
	JP_E_DATA_LEN,          /* 6700: data too long for the key / wrong length */
	JP_E_BAD_DATA,          /* 6A80: e.g. a new PIN outside the card's format */
	JP_E_DEVICE_MEMORY,     /* 6581: the card's memory failed */
	JP_E_DEVICE,            /* any other status word, or a malformed answer */
	/* a PIN-pad reader's keypad: the card saw nothing */
	JP_E_CANCELLED,         /* 6401 Cancel pressed, 6400 nobody typed in time */
	JP_E_PIN_LEN,           /* 6403: the digits typed were too few or too many */
	JP_E_PIN_MISMATCH,      /* 6402: the new PIN and its confirmation differ */
	JP_E_NO_KEYPAD,         /* the reader has no such keypad feature */
} jp_rv;

/* A short English name for a result, for the debug log. */
const char *jp_rv_name(jp_rv rv);

#endif
