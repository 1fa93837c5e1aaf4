/*
 * jpki-vcard: options, signals and the vpcd message loop.
 *
 * Signals: SIGUSR1 removes the card (the link to vpcd is closed, so pcscd
 * sees an empty reader), SIGUSR2 inserts it again (reconnects), SIGTERM
 * and SIGINT stop the card. Signals are blocked except while waiting in
 * ppoll(), so each takes effect between two messages, never inside one.
 */
#define _GNU_SOURCE	/* ppoll */
#include "vc.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_PORT 35963

static volatile sig_atomic_t got_stop, got_remove, got_insert;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_remove = 1;
	else if (sig == SIGUSR2)
		got_insert = 1;
	else
		got_stop = 1;
}

struct vc_main {
	const char *host;
	unsigned port;
	unsigned char atr[33];
	size_t atr_len;
	int inserted;
	int fd;
	int relink;		/* the link was broken on purpose: keep state */
};

static void usage(FILE *f)
{
	fputs("usage: jpki-vcard [options]\n"
	      "  --port N             vpcd port (default 35963; reader 1: 35964)\n"
	      "  --host H             vpcd host (default 127.0.0.1)\n"
	      "  --state FILE         state file: loaded if it exists, else created\n"
	      "  --certs DIR          keys and certificates from mkcard.sh (creation)\n"
	      "  --profile P          standard, face-auth, no-sign-cert, auth-locked,\n"
	      "                       sign-locked, expired, phone (creation; default\n"
	      "                       standard)\n"
	      "  --auth-pin P --sign-pin P --face-pin P   PINs (creation; defaults\n"
	      "                       1234, ABC123, 1234)\n"
	      "  --serial S           16-character serial (creation; default random)\n"
	      "  --atr HEX            ATR (default 3BE000FF8131FE4514)\n"
	      "  --trace FILE         append an APDU trace to FILE\n"
	      "  --empty-verify-ok    empty VERIFY answers 9000 while verified\n"
	      "  --extended           accept extended-length APDUs (default: 6700)\n"
	      "  --latency-ms N       delay added to every APDU\n"
	      "  --sign-latency-ms N  delay added to every signature\n"
	      "  --latency-factor N   multiply both latencies (default 1; phone 3)\n"
	      "  --reset-clears-pin   a warm reset clears verified PINs (default:\n"
	      "                       kept, as one survey of real cards reports)\n"
	      "  --power-up-6f00      the first APDU after power-up or reset: 6F00\n"
	      "  --read-chunk N       READ BINARY answers at most N bytes\n"
	      "  --fault-file FILE    fault rules, read again before every APDU\n"
	      "  --removed            start with the card removed (SIGUSR2 inserts)\n"
	      "signals: SIGUSR1 remove, SIGUSR2 insert, SIGTERM stop\n", f);
}

static int parse_hex(const char *s, unsigned char *out, size_t cap,
		     size_t *len)
{
	size_t n = 0;
	unsigned int v;

	while (*s) {
		if (*s == ' ' || *s == ':') {
			s++;
			continue;
		}
		if (n == cap || sscanf(s, "%2x", &v) != 1 || !s[1])
			return -1;
		out[n++] = (unsigned char)v;
		s += 2;
	}
	*len = n;
	return n ? 0 : -1;
}

static unsigned parse_uint(const char *s, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v > 600000) {
		fprintf(stderr, "jpki-vcard: bad %s: %s\n", what, s);
		exit(2);
	}
	return (unsigned)v;
}

/* Power off, power on, reset: vpcd's control codes 0, 1, 2. */
static void power_event(struct vc_ctx *ctx, uint8_t code)
{
	static const char *const what[] = { "power off", "power on", "reset" };

	vc_trace_state(ctx, what[code]);
	/* A warm reset keeps the selection and verified PINs unless
	   --reset-clears-pin (see README.md). */
	if (code != 2 || ctx->opt.reset_clears_pin)
		vc_session_reset(ctx, what[code]);
	ctx->pending_6f00 = code != 0 && ctx->opt.power_up_6f00;
}

/* Drops the link in the middle of an answer (see vc_link_abort). Unless
   the card is removed, it connects again at once with its state kept. */
static void break_link(struct vc_ctx *ctx, struct vc_main *m, int remove)
{
	vc_link_abort(m->fd);
	m->fd = -1;
	if (remove) {
		m->inserted = 0;
		vc_trace_state(ctx, "removed");
		vc_session_reset(ctx, "removed");
	} else {
		m->relink = 1;
	}
}

static void handle_message(struct vc_ctx *ctx, struct vc_main *m,
			   const unsigned char *msg, size_t len)
{
	static struct vc_resp r;
	enum vc_fault_action fault;
	char action[16];
	uint16_t sw = 0;

	if (len == 1) {
		switch (msg[0]) {
		case 0:
		case 1:
		case 2:
			power_event(ctx, msg[0]);
			break;
		case 4:
			if (vc_link_send(m->fd, m->atr, m->atr_len))
				goto drop;
			break;
		default:
			/* Not a control code: a 1-byte APDU, which vpcd's
			   framing cannot tell apart. vpcd waits for an
			   answer, so give one. */
			goto apdu;
		}
		return;
	}
apdu:
	if (len == 0)
		return;
	fault = vc_fault_check(msg, len, &sw);
	if (fault != VC_FAULT_NONE) {
		vc_fault_name(fault, sw, action, sizeof(action));
		vc_trace_fault(action, msg, len);
	}
	if (fault == VC_FAULT_LOST_BEFORE || fault == VC_FAULT_REMOVE) {
		break_link(ctx, m, fault == VC_FAULT_REMOVE);
		return;
	}
	if (fault == VC_FAULT_SW || ctx->pending_6f00) {
		r.len = 0;
		r.sw = fault == VC_FAULT_SW ? sw : 0x6F00;
	} else {
		vc_apdu_process(ctx, msg, len, &r);
	}
	ctx->pending_6f00 = 0;
	if (r.len > 0xFFFF - 2)
		r.len = 0xFFFF - 2;
	vc_trace_apdu(msg, len, &r);
	if (fault == VC_FAULT_LOST) {
		break_link(ctx, m, 0);
		return;
	}
	r.buf[r.len] = (unsigned char)(r.sw >> 8);
	r.buf[r.len + 1] = (unsigned char)r.sw;
	if (vc_link_send(m->fd, r.buf, r.len + 2) == 0)
		return;
drop:
	close(m->fd);
	m->fd = -1;
}

/* Waits for the link or a signal; returns when there is something to do. */
static void run(struct vc_ctx *ctx, struct vc_main *m, const sigset_t *wait_mask)
{
	static unsigned char msg[65536];
	struct timespec retry = { 0, 100 * 1000000L };
	struct pollfd p;
	size_t len;

	while (!got_stop) {
		if (got_remove) {
			got_remove = 0;
			m->inserted = 0;
			m->relink = 0;
			if (m->fd >= 0)
				close(m->fd);
			m->fd = -1;
			vc_trace_state(ctx, "removed");
			vc_session_reset(ctx, "removed");
		}
		if (got_insert) {
			got_insert = 0;
			if (!m->inserted)
				vc_trace_event("inserted");
			m->inserted = 1;
		}
		if (m->fd < 0 && m->inserted) {
			m->fd = vc_link_connect(m->host, m->port);
			if (m->fd >= 0 && m->relink) {
				m->relink = 0;
				vc_trace_event("relinked");
				continue;
			}
			if (m->fd >= 0) {
				vc_session_reset(ctx, "connected");
				vc_trace_event("connected");
				continue;
			}
		}
		if (m->fd < 0) {
			ppoll(NULL, 0, &retry, wait_mask);
			continue;
		}
		p.fd = m->fd;
		p.events = POLLIN;
		p.revents = 0;
		if (ppoll(&p, 1, NULL, wait_mask) <= 0)
			continue;
		if (vc_link_recv(m->fd, msg, sizeof(msg), &len)) {
			/* vpcd went away (pcscd stopped): wait for it again */
			close(m->fd);
			m->fd = -1;
			vc_trace_state(ctx, "disconnected");
			vc_session_reset(ctx, "disconnected");
			continue;
		}
		handle_message(ctx, m, msg, len);
	}
}

enum {
	OPT_PORT = 256, OPT_HOST, OPT_STATE, OPT_CERTS, OPT_PROFILE,
	OPT_AUTH_PIN, OPT_SIGN_PIN, OPT_FACE_PIN, OPT_SERIAL, OPT_ATR,
	OPT_TRACE, OPT_EMPTY_OK, OPT_EXTENDED, OPT_LATENCY, OPT_SIGN_LATENCY,
	OPT_REMOVED, OPT_LATENCY_FACTOR, OPT_RESET_CLEARS, OPT_POWER_UP_6F00,
	OPT_READ_CHUNK, OPT_FAULT_FILE, OPT_HELP
};

static const struct option long_opts[] = {
	{ "port", required_argument, NULL, OPT_PORT },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "certs", required_argument, NULL, OPT_CERTS },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "auth-pin", required_argument, NULL, OPT_AUTH_PIN },
	{ "sign-pin", required_argument, NULL, OPT_SIGN_PIN },
	{ "face-pin", required_argument, NULL, OPT_FACE_PIN },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "atr", required_argument, NULL, OPT_ATR },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "empty-verify-ok", no_argument, NULL, OPT_EMPTY_OK },
	{ "extended", no_argument, NULL, OPT_EXTENDED },
	{ "latency-ms", required_argument, NULL, OPT_LATENCY },
	{ "sign-latency-ms", required_argument, NULL, OPT_SIGN_LATENCY },
	{ "removed", no_argument, NULL, OPT_REMOVED },
	{ "latency-factor", required_argument, NULL, OPT_LATENCY_FACTOR },
	{ "reset-clears-pin", no_argument, NULL, OPT_RESET_CLEARS },
	{ "power-up-6f00", no_argument, NULL, OPT_POWER_UP_6F00 },
	{ "read-chunk", required_argument, NULL, OPT_READ_CHUNK },
	{ "fault-file", required_argument, NULL, OPT_FAULT_FILE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

int main(int argc, char **argv)
{
	static struct vc_ctx ctx;
	struct vc_main m = { "127.0.0.1", DEFAULT_PORT,
			     { 0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45,
			       0x14 }, 9, 1, -1, 0 };
	const char *certs = NULL, *profile = "standard", *serial = NULL,
		   *trace = NULL, *pins[VC_PIN_COUNT] = { "1234", "ABC123",
							  "1234" };
	struct sigaction sa;
	sigset_t block, orig;
	int c, rv;

	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_PORT:
			m.port = parse_uint(optarg, "port");
			break;
		case OPT_HOST: m.host = optarg; break;
		case OPT_STATE: ctx.state_path = optarg; break;
		case OPT_CERTS: certs = optarg; break;
		case OPT_PROFILE: profile = optarg; break;
		case OPT_AUTH_PIN: pins[VC_PIN_AUTH] = optarg; break;
		case OPT_SIGN_PIN: pins[VC_PIN_SIGN] = optarg; break;
		case OPT_FACE_PIN: pins[VC_PIN_FACE] = optarg; break;
		case OPT_SERIAL: serial = optarg; break;
		case OPT_ATR:
			if (parse_hex(optarg, m.atr, sizeof(m.atr), &m.atr_len)) {
				fprintf(stderr, "jpki-vcard: bad ATR\n");
				return 2;
			}
			break;
		case OPT_TRACE: trace = optarg; break;
		case OPT_EMPTY_OK: ctx.opt.empty_verify_ok = 1; break;
		case OPT_EXTENDED: ctx.opt.extended = 1; break;
		case OPT_LATENCY:
			ctx.opt.latency_ms = parse_uint(optarg, "latency");
			break;
		case OPT_SIGN_LATENCY:
			ctx.opt.sign_latency_ms = parse_uint(optarg, "latency");
			break;
		case OPT_REMOVED: m.inserted = 0; break;
		case OPT_LATENCY_FACTOR:
			ctx.opt.latency_factor = parse_uint(optarg, "factor");
			if (ctx.opt.latency_factor > 100) {
				fprintf(stderr, "jpki-vcard: bad factor\n");
				return 2;
			}
			break;
		case OPT_RESET_CLEARS: ctx.opt.reset_clears_pin = 1; break;
		case OPT_POWER_UP_6F00: ctx.opt.power_up_6f00 = 1; break;
		case OPT_READ_CHUNK:
			ctx.opt.read_chunk = parse_uint(optarg, "chunk");
			break;
		case OPT_FAULT_FILE: vc_fault_init(optarg); break;
		case OPT_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || m.port == 0 || m.port > 65535) {
		usage(stderr);
		return 2;
	}

	rv = ctx.state_path ? vc_state_load(&ctx.card, ctx.state_path) : 1;
	if (rv < 0) {
		fprintf(stderr, "jpki-vcard: cannot load %s\n", ctx.state_path);
		return 1;
	}
	if (rv == 1) {
		if (!certs) {
			fprintf(stderr, "jpki-vcard: a new card needs --certs\n");
			return 2;
		}
		if (vc_card_create(&ctx.card, profile, certs, pins[VC_PIN_AUTH],
				   pins[VC_PIN_SIGN], pins[VC_PIN_FACE], serial))
			return 1;
		if (ctx.state_path &&
		    vc_state_save(&ctx.card, ctx.state_path)) {
			fprintf(stderr, "jpki-vcard: cannot write %s\n",
				ctx.state_path);
			vc_card_free(&ctx.card);
			return 1;
		}
	}
	if (!ctx.opt.latency_factor)
		ctx.opt.latency_factor = vc_is_phone(&ctx.card) ? 3 : 1;
	ctx.opt.latency_ms *= ctx.opt.latency_factor;
	ctx.opt.sign_latency_ms *= ctx.opt.latency_factor;
	if (vc_fs_build(&ctx) || (trace && vc_trace_open(trace))) {
		fprintf(stderr, "jpki-vcard: cannot start (memory or trace)\n");
		vc_fs_free(&ctx);
		vc_card_free(&ctx.card);
		return 1;
	}

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &orig);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigdelset(&orig, SIGUSR1);
	sigdelset(&orig, SIGUSR2);
	sigdelset(&orig, SIGTERM);
	sigdelset(&orig, SIGINT);

	vc_trace_event(m.inserted ? "start" : "start removed");
	run(&ctx, &m, &orig);

	if (m.fd >= 0)
		close(m.fd);
	vc_trace_state(&ctx, "stop");
	vc_trace_close();
	vc_fs_free(&ctx);
	vc_card_free(&ctx.card);
	return 0;
}
