/*
 * xmldsig-nss-sign: an enveloped XML signature (RSA-SHA256, exclusive
 * C14N, the signer's certificate in KeyInfo) made with a key on a PKCS#11
 * token through NSS and xmlsec's NSS back end: the way e-Tax style forms
 * are signed with the My Number Card's signature key.
 *
 *   xmldsig-nss-sign [-f PINFILE] NSSDB TOKEN NICKNAME IN.xml OUT.xml
 *
 * NSSDB is an NSS database (e.g. sql:$HOME/.pki/nssdb) in which the module
 * is registered (modutil -add); TOKEN the token label ("JPKI Digital
 * Signature"); NICKNAME the certificate's nickname without the token
 * part ("Signature Certificate"). The PIN is asked on the terminal for
 * every login the token wants (the signature key asks again for each
 * signature), or read from PINFILE (first line) for scripts. A PIN the
 * token refused is never sent again.
 *
 * Build: cc -o xmldsig-nss-sign xmldsig-nss-sign.c \
 *            $(pkg-config --cflags --libs xmlsec1-nss)
 * (Debian: libxmlsec1-dev, libnss3-dev.)
 *
 * Why not the xmlsec1 command: Debian 12's xmlsec1 uses its OpenSSL back
 * end, which treats a key whose private exponent it cannot read (a key
 * kept on a card, loaded through an OpenSSL engine) as a public key and
 * refuses to sign with it ("key is not found"). NSS knows a token key is
 * private without reading it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/templates.h>
#include <xmlsec/nss/app.h>
#include <xmlsec/nss/crypto.h>
#include <xmlsec/nss/pkikeys.h>
#include <xmlsec/nss/x509.h>

#include <cert.h>
#include <keyhi.h>
#include <nss.h>
#include <pk11pub.h>

static const char *pin_file;

/* Reads one line from f into buf without its newline; 0 on success. */
static int read_line(FILE *f, char *buf, size_t cap)
{
	if (!fgets(buf, (int)cap, f))
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static int read_pin_tty(const char *token, char *buf, size_t cap)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	int rv, echo_off;

	if (!tty)
		return -1;
	fprintf(tty, "Enter PIN for \"%s\": ", token);
	fflush(tty);
	echo_off = tcgetattr(fileno(tty), &old) == 0;
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	}
	rv = read_line(tty, buf, cap);
	if (echo_off)
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	return rv;
}

/* NSS password callback: called for C_Login, including the per-signature
 * login of an always-authenticate key. On a retry (the PIN was wrong) it
 * gives up instead of spending another try. */
static char *get_pin(PK11SlotInfo *slot, PRBool retry, void *arg)
{
	char buf[64], *pin = NULL;
	FILE *f;
	int rv;

	(void)arg;
	if (retry)
		return NULL;
	if (pin_file) {
		f = fopen(pin_file, "r");
		rv = f ? read_line(f, buf, sizeof(buf)) : -1;
		if (f)
			fclose(f);
	} else {
		rv = read_pin_tty(PK11_GetTokenName(slot), buf, sizeof(buf));
	}
	if (rv == 0 && buf[0])
		pin = PORT_Strdup(buf);
	memset(buf, 0, sizeof(buf));
	return pin;
}

/* Adds an enveloped Signature template to the document's root. */
static xmlNodePtr add_template(xmlDocPtr doc)
{
	xmlNodePtr sig, ref, ki, x509;

	sig = xmlSecTmplSignatureCreate(doc, xmlSecTransformExclC14NId,
					xmlSecNssTransformRsaSha256Id, NULL);
	if (!sig || !xmlAddChild(xmlDocGetRootElement(doc), sig))
		return NULL;
	ref = xmlSecTmplSignatureAddReference(sig, xmlSecNssTransformSha256Id,
					      NULL, BAD_CAST "", NULL);
	if (!ref ||
	    !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) ||
	    !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId))
		return NULL;
	ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
	x509 = ki ? xmlSecTmplKeyInfoAddX509Data(ki) : NULL;
	if (!x509 || !xmlSecTmplX509DataAddCertificate(x509))
		return NULL;
	return sig;
}

/* The token's private key with its certificate, as an xmlsec key. */
static xmlSecKeyPtr load_key(CERTCertificate *cert)
{
	SECKEYPrivateKey *priv = PK11_FindKeyByAnyCert(cert, NULL);
	SECKEYPublicKey *pub = CERT_ExtractPublicKey(cert);
	xmlSecKeyDataPtr value = NULL, x509 = NULL;
	xmlSecKeyPtr key = NULL;

	if (!priv || !pub) {
		fprintf(stderr, "no private key for the certificate\n");
		goto fail;
	}
	value = xmlSecNssPKIAdoptKey(priv, pub);
	if (!value)
		goto fail;
	priv = NULL;
	pub = NULL;
	key = xmlSecKeyCreate();
	if (!key || xmlSecKeySetValue(key, value) < 0)
		goto fail;
	value = NULL;
	x509 = xmlSecKeyDataCreate(xmlSecNssKeyDataX509Id);
	if (!x509 ||
	    xmlSecNssKeyDataX509AdoptKeyCert(x509, CERT_DupCertificate(cert)) < 0 ||
	    xmlSecNssKeyDataX509AdoptCert(x509, CERT_DupCertificate(cert)) < 0 ||
	    xmlSecKeyAdoptData(key, x509) < 0)
		goto fail;
	return key;
fail:
	if (x509)
		xmlSecKeyDataDestroy(x509);
	if (value)
		xmlSecKeyDataDestroy(value);
	if (key)
		xmlSecKeyDestroy(key);
	if (priv)
		SECKEY_DestroyPrivateKey(priv);
	if (pub)
		SECKEY_DestroyPublicKey(pub);
	return NULL;
}

static int sign(const char *token, const char *nick, const char *in,
		const char *out)
{
	PK11SlotInfo *slot = NULL;
	CERTCertificate *cert = NULL;
	xmlSecDSigCtxPtr ctx = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr sig;
	char full[256];
	int rv = 1;

	slot = PK11_FindSlotByName(token);
	if (!slot) {
		fprintf(stderr, "no token \"%s\"\n", token);
		goto out;
	}
	/* The signature certificate is private: log in to see it. */
	if (PK11_Authenticate(slot, PR_TRUE, NULL) != SECSuccess) {
		fprintf(stderr, "login to \"%s\" failed: %s\n", token,
			PORT_ErrorToName(PORT_GetError()));
		goto out;
	}
	snprintf(full, sizeof(full), "%s:%s", token, nick);
	cert = PK11_FindCertFromNickname(full, NULL);
	if (!cert) {
		fprintf(stderr, "no certificate \"%s\"\n", full);
		goto out;
	}
	doc = xmlReadFile(in, NULL, XML_PARSE_NONET);
	sig = doc ? add_template(doc) : NULL;
	if (!sig) {
		fprintf(stderr, "cannot read %s or add the signature\n", in);
		goto out;
	}
	ctx = xmlSecDSigCtxCreate(NULL);
	if (!ctx || !(ctx->signKey = load_key(cert)))
		goto out;
	if (xmlSecDSigCtxSign(ctx, sig) < 0) {
		fprintf(stderr, "signing failed: %s\n",
			PORT_ErrorToName(PORT_GetError()));
		goto out;
	}
	if (xmlSaveFileEnc(out, doc, "UTF-8") < 0) {
		fprintf(stderr, "cannot write %s\n", out);
		goto out;
	}
	rv = 0;
out:
	if (ctx)
		xmlSecDSigCtxDestroy(ctx);
	if (doc)
		xmlFreeDoc(doc);
	if (cert)
		CERT_DestroyCertificate(cert);
	if (slot)
		PK11_FreeSlot(slot);
	return rv;
}

int main(int argc, char **argv)
{
	int rv;

	if (argc > 2 && strcmp(argv[1], "-f") == 0) {
		pin_file = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc != 6) {
		fprintf(stderr, "usage: xmldsig-nss-sign [-f PINFILE] NSSDB TOKEN"
			" NICKNAME IN.xml OUT.xml\n");
		return 2;
	}
	xmlInitParser();
	xmlSubstituteEntitiesDefault(1);
	if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 ||
	    xmlSecNssAppInit(argv[1]) < 0 || xmlSecNssInit() < 0) {
		fprintf(stderr, "cannot initialise xmlsec with NSS db %s\n",
			argv[1]);
		return 1;
	}
	PK11_SetPasswordFunc(get_pin);
	rv = sign(argv[2], argv[3], argv[4], argv[5]);
	xmlSecNssShutdown();
	xmlSecNssAppShutdown();
	xmlSecShutdown();
	xmlCleanupParser();
	return rv;
}
