/*
 * The card's applications and elementary files: building the file contents
 * from the card's state, SELECT (by AID and by file ID) and READ BINARY.
 */
#include "vc.h"

#include <stdlib.h>
#include <string.h>

static const unsigned char aid_jpki[] = {
	0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01 };
static const unsigned char aid_face[] = {
	0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08 };
/* 住基AP, 券面事項確認AP, common AP: selectable, nothing inside modelled. */
static const unsigned char aid_juki[] = {
	0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01 };
static const unsigned char aid_kenmen[] = {
	0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02 };
static const unsigned char aid_common[] = {
	0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00 };

static const struct {
	const unsigned char *aid;
	size_t len;
	enum vc_applet applet;
} applets[] = {
	{ aid_jpki, sizeof(aid_jpki), VC_APP_JPKI },
	{ aid_face, sizeof(aid_face), VC_APP_FACE },
	{ aid_juki, sizeof(aid_juki), VC_APP_OTHER },
	{ aid_kenmen, sizeof(aid_kenmen), VC_APP_OTHER },
	{ aid_common, sizeof(aid_common), VC_APP_OTHER },
};

/* Certificate EFs are larger than the certificate, padded with FF. */
#define CERT_EF_SIZE 2048
#define TOKEN_INFO_SIZE 160

static struct vc_ef *add_ef(struct vc_ctx *ctx, enum vc_applet app,
			    uint16_t fid, enum vc_ef_kind kind, int pin)
{
	struct vc_ef *ef = &ctx->ef[ctx->n_ef++];

	memset(ef, 0, sizeof(*ef));
	ef->applet = app;
	ef->fid = fid;
	ef->kind = kind;
	ef->pin = pin;
	ef->key = -1;
	return ef;
}

static int add_data(struct vc_ctx *ctx, enum vc_applet app, uint16_t fid,
		    int pin, const unsigned char *data, size_t len, size_t size)
{
	struct vc_ef *ef = add_ef(ctx, app, fid, VC_EF_DATA, pin);

	if (size < len)
		size = len;
	ef->content = malloc(size);
	if (!ef->content)
		return -1;
	memset(ef->content, 0xFF, size);
	if (len)
		memcpy(ef->content, data, len);
	ef->size = size;
	return 0;
}

static int add_cert(struct vc_ctx *ctx, uint16_t fid, int pin,
		    const struct vc_blob *cert)
{
	size_t size = CERT_EF_SIZE;

	if (cert->len + 256 > size)
		size = (cert->len + 256 + 255) & ~(size_t)255;
	return add_data(ctx, VC_APP_JPKI, fid, pin, cert->data, cert->len,
			size);
}

static void put_padded(unsigned char *p, const char *s, size_t n)
{
	size_t l = strlen(s);

	memset(p, ' ', n);
	memcpy(p, s, l < n ? l : n);
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* EF 0006: shaped like a CK_TOKEN_INFO, integers big-endian. */
static void token_info(const struct vc_card *card, unsigned char *t)
{
	static const uint32_t words[] = {
		0x0000040E,	/* flags: initialized, login, PIN, read-only */
		0, 0, 0, 0,	/* session counts */
		16, 4,		/* max/min PIN length */
		0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF,	/* memory */
	};
	size_t i;
	unsigned char *p = t;

	memset(t, 0, TOKEN_INFO_SIZE);
	put_padded(p, vc_is_phone(card) ? "JPKIAPGPSETOKEN" : "JPKIAPICCTOKEN2",
		   32);
	p += 32;
	put_padded(p, "jpki-pkcs11 virtual card", 32);
	p += 32;
	put_padded(p, "JPKI vcard", 16);
	p += 16;
	put_padded(p, card->serial, 16);
	p += 16;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++, p += 4)
		put_be32(p, words[i]);
	*p++ = 1;	/* hardware version 1.0 */
	*p++ = 0;
	*p++ = 1;	/* firmware version 1.0 */
	*p++ = 0;
	put_padded(p, "", 16);	/* utcTime: no clock */
}

/* BER length, at most 3 bytes. */
static size_t put_len(unsigned char *p, size_t len)
{
	if (len < 0x80) {
		p[0] = len;
		return 1;
	}
	if (len < 0x100) {
		p[0] = 0x81;
		p[1] = len;
		return 2;
	}
	p[0] = 0x82;
	p[1] = len >> 8;
	p[2] = len;
	return 3;
}

static size_t put_tlv(unsigned char *p, uint16_t tag, const void *v,
		      size_t len)
{
	size_t n = 0;

	p[n++] = tag >> 8;
	p[n++] = tag;
	n += put_len(p + n, len);
	memcpy(p + n, v, len);
	return n + len;
}

static int add_face_files(struct vc_ctx *ctx)
{
	const struct vc_face *f = &ctx->card.face;
	size_t inner_len, n, nl = strlen(f->name), al = strlen(f->address);
	unsigned char *inner, *buf;
	unsigned char num[32], info[] = { 0xDF, 0x30, 0x02, 0x01, 0x00 };
	unsigned char sig[256 + 8];
	int rv = -1;

	n = put_tlv(num, 0xFF10, f->mynumber, strlen(f->mynumber));
	if (add_data(ctx, VC_APP_FACE, 0x0001, VC_PIN_FACE, num, n, n))
		return -1;
	inner = malloc(nl + al + 64);
	buf = malloc(nl + al + 400);	/* also holds EF 0003 */
	if (!inner || !buf)
		goto out;
	inner_len = put_tlv(inner, 0xDF22, f->name, nl);
	inner_len += put_tlv(inner + inner_len, 0xDF23, f->address, al);
	inner_len += put_tlv(inner + inner_len, 0xDF24, f->birth, 8);
	inner_len += put_tlv(inner + inner_len, 0xDF25, f->sex, 1);
	n = put_tlv(buf, 0xFF20, inner, inner_len);
	if (add_data(ctx, VC_APP_FACE, 0x0002, VC_PIN_FACE, buf, n, n))
		goto out;
	/* EF 0003: a placeholder where the issuer's signature would be. */
	memset(sig, 0xA5, sizeof(sig));
	n = put_tlv(buf, 0xFF30, sig, 256);
	if (add_data(ctx, VC_APP_FACE, 0x0003, VC_PIN_FACE, buf, n, n))
		goto out;
	if (add_data(ctx, VC_APP_FACE, 0x0005, -1, info, sizeof(info),
		     sizeof(info)))
		goto out;
	add_ef(ctx, VC_APP_FACE, 0x0011, VC_EF_PIN, VC_PIN_FACE);
	rv = 0;
out:
	free(inner);
	free(buf);
	return rv;
}

/* Builds the file system from ctx->card. Returns 0 or -1 (no memory). */
int vc_fs_build(struct vc_ctx *ctx)
{
	struct vc_card *c = &ctx->card;
	unsigned char ti[TOKEN_INFO_SIZE];
	struct vc_ef *ef;

	vc_fs_free(ctx);
	token_info(c, ti);
	/* A phone shows its authentication certificate only after the
	   authentication PIN, like the signature certificate. */
	if (add_cert(ctx, 0x000A, vc_is_phone(c) ? VC_PIN_AUTH : -1,
		     &c->cert[VC_KEY_AUTH]) ||
	    add_cert(ctx, 0x000B, -1, &c->ca[VC_KEY_AUTH]) ||
	    add_cert(ctx, 0x0001, VC_PIN_SIGN, &c->cert[VC_KEY_SIGN]) ||
	    add_cert(ctx, 0x0002, -1, &c->ca[VC_KEY_SIGN]) ||
	    add_data(ctx, VC_APP_JPKI, 0x0006, -1, ti, sizeof(ti), 0) ||
	    add_data(ctx, VC_APP_JPKI, 0x0008, -1, c->avail, 3, 0))
		return -1;
	add_ef(ctx, VC_APP_JPKI, 0x0018, VC_EF_PIN, VC_PIN_AUTH);
	add_ef(ctx, VC_APP_JPKI, 0x001B, VC_EF_PIN, VC_PIN_SIGN);
	ef = add_ef(ctx, VC_APP_JPKI, 0x0017, VC_EF_KEY, VC_PIN_AUTH);
	ef->key = VC_KEY_AUTH;
	ef = add_ef(ctx, VC_APP_JPKI, 0x001A, VC_EF_KEY, VC_PIN_SIGN);
	ef->key = VC_KEY_SIGN;
	return vc_is_phone(c) ? 0 : add_face_files(ctx);
}

void vc_fs_free(struct vc_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_ef; i++)
		free(ctx->ef[i].content);
	ctx->n_ef = 0;
	ctx->cur_ef = NULL;
}

/* Power on, power off, removal: nothing selected, nothing verified. */
void vc_session_reset(struct vc_ctx *ctx, const char *why)
{
	ctx->applet = VC_APP_NONE;
	ctx->cur_ef = NULL;
	vc_clear_verified(ctx, why);
}

/* A smartphone's JPKI applet (the card specification, "Smartphones"). */
int vc_is_phone(const struct vc_card *card)
{
	return strcmp(card->profile, "phone") == 0;
}

static uint16_t select_aid(struct vc_ctx *ctx, const struct vc_apdu *a)
{
	size_t i;

	for (i = 0; i < sizeof(applets) / sizeof(applets[0]); i++) {
		/* A phone has the JPKI applet only. */
		if (vc_is_phone(&ctx->card) && applets[i].applet != VC_APP_JPKI)
			continue;
		if (applets[i].len != a->lc ||
		    memcmp(applets[i].aid, a->data, a->lc) != 0)
			continue;
		/* Any application selection clears the security state. */
		vc_session_reset(ctx, "select");
		ctx->applet = applets[i].applet;
		return SW_OK;
	}
	return SW_NOT_FOUND;
}

static uint16_t select_ef(struct vc_ctx *ctx, const struct vc_apdu *a)
{
	uint16_t fid;
	size_t i;

	if (a->lc != 2)
		return SW_WRONG_LENGTH;
	fid = (uint16_t)(a->data[0] << 8 | a->data[1]);
	for (i = 0; i < ctx->n_ef; i++) {
		if (ctx->ef[i].applet == ctx->applet &&
		    ctx->applet != VC_APP_NONE && ctx->ef[i].fid == fid) {
			ctx->cur_ef = &ctx->ef[i];
			return SW_OK;
		}
	}
	return SW_NOT_FOUND;
}

/* SELECT: only P2=0C (no response data) is supported, as the card is used. */
uint16_t vc_select(struct vc_ctx *ctx, const struct vc_apdu *a)
{
	if ((a->p1 != 0x04 && a->p1 != 0x02) || a->p2 != 0x0C)
		return SW_WRONG_P1P2;
	if (a->lc == 0 || a->lc > 16)
		return SW_WRONG_LENGTH;
	return a->p1 == 0x04 ? select_aid(ctx, a) : select_ef(ctx, a);
}

uint16_t vc_read_binary(struct vc_ctx *ctx, const struct vc_apdu *a,
			struct vc_resp *r)
{
	const struct vc_ef *ef = ctx->cur_ef;
	size_t off, n;

	if (a->p1 & 0x80)		/* short EF identifier: not supported */
		return SW_WRONG_P1P2;
	if (a->lc || !a->has_le)
		return SW_WRONG_LENGTH;
	if (!ef)
		return SW_NO_CURRENT_EF;
	if (ef->kind != VC_EF_DATA)
		return SW_INCOMPATIBLE_FILE;
	if (ef->pin >= 0 && !ctx->verified[ef->pin])
		return SW_SECURITY;
	off = (size_t)a->p1 << 8 | a->p2;
	if (off >= ef->size)
		return SW_WRONG_OFFSET;
	n = ef->size - off;
	if (n > a->le)
		n = a->le;
	if (ctx->opt.read_chunk && n > ctx->opt.read_chunk)
		n = ctx->opt.read_chunk;
	memcpy(r->buf, ef->content + off, n);
	r->len = n;
	return SW_OK;
}
