/*
 * jpki-vcard: a virtual My Number Card (JPKI applet) behind vpcd.
 *
 * An independent model of the card described in the card specification, written
 * for tests: it shares no code with the module it tests.
 *
 * One process is one card. The card's persistent part (struct vc_card: PINs,
 * counters, certificates, keys) lives in a state file; the volatile part
 * (selected applet and EF, verified PINs, in struct vc_ctx) is lost on
 * power off and applet selection, as on the real card; a warm reset keeps
 * it unless --reset-clears-pin.
 */
#ifndef VC_H
#define VC_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

/* Status words. */
#define SW_OK			0x9000
#define SW_WRONG_LENGTH		0x6700
#define SW_INCOMPATIBLE_FILE	0x6981
#define SW_SECURITY		0x6982
#define SW_PIN_BLOCKED		0x6984
#define SW_NO_CURRENT_EF	0x6986
#define SW_BAD_DATA		0x6A80
#define SW_NOT_FOUND		0x6A82
#define SW_WRONG_P1P2		0x6A86
#define SW_WRONG_OFFSET		0x6B00
#define SW_INS_UNSUPPORTED	0x6D00
#define SW_CLA_UNSUPPORTED	0x6E00
#define SW_TRIES(n)		(0x63C0 | ((n) & 0x0F))

enum vc_pin_id { VC_PIN_AUTH, VC_PIN_SIGN, VC_PIN_FACE, VC_PIN_COUNT };
enum vc_key_id { VC_KEY_AUTH, VC_KEY_SIGN, VC_KEY_COUNT };

/* A PIN; tries == 0 means blocked. A PIN never set behaves as blocked. */
struct vc_pin {
	char value[17];		/* ASCII, NUL-terminated */
	int set;
	int tries;
	int max;
};

struct vc_blob {
	unsigned char *data;
	size_t len;
};

/* The card-face data assistance application's content (fake data). */
struct vc_face {
	char mynumber[13];	/* 12 digits */
	char *name;		/* UTF-8 */
	char *address;		/* UTF-8 */
	char birth[9];		/* YYYYMMDD */
	char sex[2];		/* "1" male, "2" female */
};

/* What survives a power cycle: kept in the state file. */
struct vc_card {
	char profile[32];
	char serial[17];		/* 16 ASCII characters */
	unsigned char avail[3];		/* EF 0008 */
	struct vc_pin pins[VC_PIN_COUNT];
	struct vc_blob cert[VC_KEY_COUNT];	/* end-entity, DER; len 0: none */
	struct vc_blob ca[VC_KEY_COUNT];	/* CA, DER; len 0: none */
	EVP_PKEY *key[VC_KEY_COUNT];
	struct vc_face face;
};

enum vc_applet { VC_APP_NONE, VC_APP_JPKI, VC_APP_FACE, VC_APP_OTHER };

enum vc_ef_kind { VC_EF_DATA, VC_EF_PIN, VC_EF_KEY };

/* An elementary file as the card exposes it. */
struct vc_ef {
	enum vc_applet applet;
	uint16_t fid;
	enum vc_ef_kind kind;
	int pin;		/* PIN EF: its PIN; key EF: the PIN that opens it;
				   data EF: the PIN needed to read, or -1 */
	int key;		/* key EF: enum vc_key_id */
	unsigned char *content;	/* data EF only */
	size_t size;
};

#define VC_MAX_EF 16

/* Behaviour switches from the command line. */
struct vc_options {
	int empty_verify_ok;	/* empty VERIFY answers 9000 while verified */
	int extended;		/* accept extended-length APDUs */
	unsigned latency_ms;
	unsigned sign_latency_ms;
	unsigned latency_factor;	/* multiplies both latencies; 0: profile's */
	int reset_clears_pin;	/* a warm reset clears verified PINs */
	int power_up_6f00;	/* first APDU after power-up or reset: 6F00 */
	size_t read_chunk;	/* READ BINARY answers at most this; 0: no limit */
};

/* Everything the APDU handlers see. */
struct vc_ctx {
	struct vc_card card;
	struct vc_options opt;
	const char *state_path;		/* NULL: not persisted */
	struct vc_ef ef[VC_MAX_EF];
	size_t n_ef;
	/* volatile security state */
	enum vc_applet applet;
	const struct vc_ef *cur_ef;
	int verified[VC_PIN_COUNT];
	int pending_6f00;		/* --power-up-6f00 armed */
};

/* A parsed command APDU. data points into the caller's buffer. */
struct vc_apdu {
	uint8_t cla, ins, p1, p2;
	const unsigned char *data;
	size_t lc;
	size_t le;		/* 0 when absent; 256 or 65536 for "00" */
	int has_le;
	int extended;
};

/* A response: data followed by the status word. */
#define VC_RESP_MAX (65536 + 2)
struct vc_resp {
	unsigned char buf[VC_RESP_MAX];
	size_t len;		/* data length, without SW */
	uint16_t sw;
};

/* apdu.c */
int vc_apdu_parse(const unsigned char *buf, size_t len, struct vc_apdu *a);
void vc_apdu_process(struct vc_ctx *ctx, const unsigned char *cmd, size_t len,
		     struct vc_resp *r);

/* fs.c: applets, files, SELECT, READ BINARY */
int vc_fs_build(struct vc_ctx *ctx);
void vc_fs_free(struct vc_ctx *ctx);
void vc_session_reset(struct vc_ctx *ctx, const char *why);
int vc_is_phone(const struct vc_card *card);
uint16_t vc_select(struct vc_ctx *ctx, const struct vc_apdu *a);
uint16_t vc_read_binary(struct vc_ctx *ctx, const struct vc_apdu *a,
			struct vc_resp *r);

/* pin.c: VERIFY, CHANGE REFERENCE DATA */
uint16_t vc_verify(struct vc_ctx *ctx, const struct vc_apdu *a);
uint16_t vc_change_pin(struct vc_ctx *ctx, const struct vc_apdu *a);
int vc_pin_format_ok(int pin, const unsigned char *p, size_t len);
extern const char *const vc_pin_names[VC_PIN_COUNT];
/* Drops every verified PIN; traces "# cleared NAMES (why)" if there were. */
void vc_clear_verified(struct vc_ctx *ctx, const char *why);
/* Traces "# WHAT", or "# WHAT (verified: NAMES)" while PINs are verified. */
void vc_trace_state(const struct vc_ctx *ctx, const char *what);

/* sign.c: COMPUTE DIGITAL SIGNATURE */
uint16_t vc_sign(struct vc_ctx *ctx, const struct vc_apdu *a,
		 struct vc_resp *r);

/* store.c: the state file */
int vc_state_load(struct vc_card *card, const char *path);
int vc_state_save(const struct vc_card *card, const char *path);
void vc_card_free(struct vc_card *card);
/* Save if persisted; a failure is reported on stderr and ignored (the
   card keeps working, as one whose EEPROM is fine). */
void vc_persist(struct vc_ctx *ctx);

/* profile.c: creating a new card */
int vc_card_create(struct vc_card *card, const char *profile,
		   const char *certdir, const char *auth_pin,
		   const char *sign_pin, const char *face_pin,
		   const char *serial);

/* trace.c */
int vc_trace_open(const char *path);
void vc_trace_apdu(const unsigned char *cmd, size_t len,
		   const struct vc_resp *r);
void vc_trace_event(const char *what);
void vc_trace_eventf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void vc_trace_fault(const char *action, const unsigned char *cmd, size_t len);

/* fault.c: fault injection (--fault-file) */
enum vc_fault_action {
	VC_FAULT_NONE, VC_FAULT_SW, VC_FAULT_LOST, VC_FAULT_LOST_BEFORE,
	VC_FAULT_REMOVE
};
void vc_fault_init(const char *path);
enum vc_fault_action vc_fault_check(const unsigned char *cmd, size_t len,
				    uint16_t *sw);
void vc_fault_name(enum vc_fault_action action, uint16_t sw, char *buf,
		   size_t cap);
void vc_trace_close(void);

/* link.c: the vpcd socket */
int vc_link_connect(const char *host, unsigned port);
int vc_link_recv(int fd, unsigned char *buf, size_t cap, size_t *len);
int vc_link_send(int fd, const unsigned char *buf, size_t len);
void vc_link_abort(int fd);

/* util */
void vc_sleep_ms(unsigned ms);

#endif
