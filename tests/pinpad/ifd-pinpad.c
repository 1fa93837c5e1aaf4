/*
 * ifd-pinpad: a pcsc-lite reader driver (IFD handler API v3) for the tests:
 * a PIN-pad reader made of vsmartcard's vpcd driver and a keypad that reads
 * files.  Every call goes through to vpcd; IFDHControl adds PC/SC part 10.
 *
 * reader.conf entry (the test harness writes it):
 *   FRIENDLYNAME "JPKI Test PIN-pad"
 *   DEVICENAME   DIR
 *   LIBPATH      .../tests/pinpad/.libs/ifd-pinpad.so
 * DIR holds:
 *   config    read when pcscd opens the reader, two lines:
 *               vpcd PATH     the vpcd driver to load: a private copy of
 *                             libifdvpcd.so, because vpcd keeps one slot
 *                             table for all its readers and would mix ours
 *                             up with the plain vpcd readers of the same
 *                             pcscd (a copy is a second, separate instance)
 *               device NAME   vpcd's DEVICENAME, /dev/null:PORT
 *   features  read at every control call: the words verify, modify,
 *             properties (FEATURE_VERIFY_PIN_DIRECT, _MODIFY_PIN_DIRECT,
 *             FEATURE_IFD_PIN_PROPERTIES) and display (the properties tell
 *             a 2x16 display, else none); an empty file: no keypad.  No
 *             file: verify modify properties.
 *   keypad    what the person types, one entry per line, each PIN entry
 *             taking the first line: digits (then OK), "cancel" (answer
 *             6401, the card sees nothing), "timeout" (6400; also when the
 *             file is missing or empty).  A modify takes the current PIN
 *             (if asked), the new one, and its confirmation (if asked).
 *             Digits outside min..max, or not digits: 6403; confirmation
 *             differing: 6402; a structure it cannot follow: 6B80.
 *   log       one line per keypad use, never a digit typed:
 *               features verify modify properties
 *               verify-direct len=4 sw=9000
 *               verify-direct cancel sw=6401
 * The reader has one slot (vpcd's port is the one in "device").  One
 * reader per loaded copy of this driver.
 */
#include "config.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <ifdhandler.h>
#include <reader.h>

#include "keypad.h"
#include "spe.h"

/* Control codes of our features, numbered as the CCID driver does. */
#define IOCTL(feature) SCARD_CTL_CODE(0x330000 + (feature))

static struct {
	void *lib;
	RESPONSECODE (*create)(DWORD, LPSTR);
	RESPONSECODE (*control)(DWORD, DWORD, PUCHAR, DWORD, PUCHAR, DWORD, LPDWORD);
	RESPONSECODE (*transmit)(DWORD, SCARD_IO_HEADER, PUCHAR, DWORD, PUCHAR, PDWORD, PSCARD_IO_HEADER);
	RESPONSECODE (*power)(DWORD, DWORD, PUCHAR, PDWORD);
	RESPONSECODE (*presence)(DWORD);
	RESPONSECODE (*get_cap)(DWORD, DWORD, PDWORD, PUCHAR);
	RESPONSECODE (*set_cap)(DWORD, DWORD, DWORD, PUCHAR);
	RESPONSECODE (*set_proto)(DWORD, DWORD, UCHAR, UCHAR, UCHAR, UCHAR);
	RESPONSECODE (*close)(DWORD);
} vpcd;
static char dir[PATH_MAX];

static int load_vpcd(const char *path)
{
	vpcd.lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (vpcd.lib == NULL) {
		kp_log(dir, "error: %s", dlerror());
		return -1;
	}
#define SYM(field, name) \
	if ((*(void **)&vpcd.field = dlsym(vpcd.lib, name)) == NULL) \
		goto missing
	SYM(create, "IFDHCreateChannelByName");
	SYM(control, "IFDHControl");
	SYM(transmit, "IFDHTransmitToICC");
	SYM(power, "IFDHPowerICC");
	SYM(presence, "IFDHICCPresence");
	SYM(get_cap, "IFDHGetCapabilities");
	SYM(set_cap, "IFDHSetCapabilities");
	SYM(set_proto, "IFDHSetProtocolParameters");
	SYM(close, "IFDHCloseChannel");
#undef SYM
	return 0;
missing:
	kp_log(dir, "error: %s lacks an IFD handler function", path);
	dlclose(vpcd.lib);
	vpcd.lib = NULL;
	return -1;
}

RESPONSECODE IFDHCreateChannelByName(DWORD Lun, LPSTR DeviceName)
{
	char lib[PATH_MAX], device[256];

	if (vpcd.lib != NULL)
		return IFD_COMMUNICATION_ERROR;         /* one reader only */
	snprintf(dir, sizeof(dir), "%s", DeviceName);
	if (kp_config(dir, lib, sizeof(lib), device, sizeof(device)) != 0) {
		kp_log(dir, "error: no usable %s/config", dir);
		return IFD_COMMUNICATION_ERROR;
	}
	if (load_vpcd(lib) != 0)
		return IFD_COMMUNICATION_ERROR;
	kp_log(dir, "open %s", device);
	return vpcd.create(Lun, device);
}

RESPONSECODE IFDHCreateChannel(DWORD Lun, DWORD Channel)
{
	return IFD_COMMUNICATION_ERROR;         /* DEVICENAME is required */
}

RESPONSECODE IFDHCloseChannel(DWORD Lun)
{
	RESPONSECODE rv;

	if (vpcd.lib == NULL)
		return IFD_COMMUNICATION_ERROR;
	rv = vpcd.close(Lun);
	dlclose(vpcd.lib);
	vpcd.lib = NULL;
	return rv;
}

RESPONSECODE IFDHGetCapabilities(DWORD Lun, DWORD Tag, PDWORD Length, PUCHAR Value)
{
	if (Tag == TAG_IFD_SLOTS_NUMBER) {      /* vpcd says 2: we use one */
		if (*Length < 1)
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		*Value = 1;
		*Length = 1;
		return IFD_SUCCESS;
	}
	return vpcd.get_cap(Lun, Tag, Length, Value);
}

RESPONSECODE IFDHSetCapabilities(DWORD Lun, DWORD Tag, DWORD Length, PUCHAR Value)
{
	return vpcd.set_cap(Lun, Tag, Length, Value);
}

RESPONSECODE IFDHSetProtocolParameters(DWORD Lun, DWORD Protocol, UCHAR Flags,
				       UCHAR PTS1, UCHAR PTS2, UCHAR PTS3)
{
	return vpcd.set_proto(Lun, Protocol, Flags, PTS1, PTS2, PTS3);
}

RESPONSECODE IFDHPowerICC(DWORD Lun, DWORD Action, PUCHAR Atr, PDWORD AtrLength)
{
	return vpcd.power(Lun, Action, Atr, AtrLength);
}

RESPONSECODE IFDHTransmitToICC(DWORD Lun, SCARD_IO_HEADER SendPci,
			       PUCHAR TxBuffer, DWORD TxLength, PUCHAR RxBuffer,
			       PDWORD RxLength, PSCARD_IO_HEADER RecvPci)
{
	return vpcd.transmit(Lun, SendPci, TxBuffer, TxLength, RxBuffer,
			     RxLength, RecvPci);
}

RESPONSECODE IFDHICCPresence(DWORD Lun)
{
	return vpcd.presence(Lun);
}

/* spe_run's way to the card. */
static int send_apdu(void *ctx, const uint8_t *apdu, size_t len, uint8_t *resp, size_t *rlen)
{
	SCARD_IO_HEADER pci = { SCARD_PROTOCOL_T1, 0 }, recv = pci;
	DWORD n = (DWORD)*rlen;

	if (vpcd.transmit(*(DWORD *)ctx, pci, (PUCHAR)apdu, (DWORD)len, resp,
			  &n, &recv) != IFD_SUCCESS)
		return -1;
	*rlen = n;
	return 0;
}

/* CM_IOCTL_GET_FEATURE_REQUEST: vpcd's own TLVs, then ours. */
static RESPONSECODE features(DWORD Lun, unsigned set, PUCHAR out, DWORD cap, LPDWORD n)
{
	static const struct { unsigned bit; uint8_t tag; const char *word; } f[] = {
		{ KP_VERIFY, FEATURE_VERIFY_PIN_DIRECT, "verify" },
		{ KP_MODIFY, FEATURE_MODIFY_PIN_DIRECT, "modify" },
		{ KP_PROPERTIES, FEATURE_IFD_PIN_PROPERTIES, "properties" },
	};
	char words[64] = "";
	size_t i;

	if (vpcd.control(Lun, CM_IOCTL_GET_FEATURE_REQUEST, NULL, 0, out, cap,
			 n) != IFD_SUCCESS)
		*n = 0;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		uint32_t code = IOCTL(f[i].tag);

		if (!(set & f[i].bit))
			continue;
		if (*n + 6 > cap)
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		out[*n] = f[i].tag;
		out[*n + 1] = 4;
		out[*n + 2] = (uint8_t)(code >> 24);
		out[*n + 3] = (uint8_t)(code >> 16);
		out[*n + 4] = (uint8_t)(code >> 8);
		out[*n + 5] = (uint8_t)code;
		*n += 6;
		strcat(words, " ");
		strcat(words, f[i].word);
	}
	kp_log(dir, "features%s", words[0] ? words : " none");
	return IFD_SUCCESS;
}

RESPONSECODE IFDHControl(DWORD Lun, DWORD dwControlCode, PUCHAR TxBuffer,
			 DWORD TxLength, PUCHAR RxBuffer, DWORD RxLength,
			 LPDWORD pdwBytesReturned)
{
	unsigned set = kp_features(dir);

	if (pdwBytesReturned == NULL)
		return IFD_COMMUNICATION_ERROR;
	*pdwBytesReturned = 0;
	if (dwControlCode == CM_IOCTL_GET_FEATURE_REQUEST)
		return features(Lun, set, RxBuffer, RxLength, pdwBytesReturned);
	if ((dwControlCode == IOCTL(FEATURE_VERIFY_PIN_DIRECT) && (set & KP_VERIFY)) ||
	    (dwControlCode == IOCTL(FEATURE_MODIFY_PIN_DIRECT) && (set & KP_MODIFY))) {
		int modify = dwControlCode == IOCTL(FEATURE_MODIFY_PIN_DIRECT);
		size_t n = spe_run(modify, TxBuffer, TxLength, dir, send_apdu,
				   &Lun, RxBuffer, RxLength);

		if (n == 0)
			return IFD_COMMUNICATION_ERROR;
		*pdwBytesReturned = (DWORD)n;
		return IFD_SUCCESS;
	}
	if (dwControlCode == IOCTL(FEATURE_IFD_PIN_PROPERTIES) && (set & KP_PROPERTIES)) {
		/* wLcdLayout (lines << 8 | characters), little-endian;
		 * bEntryValidationCondition: OK key; bTimeOut2: 0. */
		if (RxLength < 4)
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		RxBuffer[0] = set & KP_DISPLAY ? 0x10 : 0x00;
		RxBuffer[1] = set & KP_DISPLAY ? 0x02 : 0x00;
		RxBuffer[2] = 0x02;
		RxBuffer[3] = 0x00;
		*pdwBytesReturned = 4;
		return IFD_SUCCESS;
	}
	return vpcd.control(Lun, dwControlCode, TxBuffer, TxLength, RxBuffer,
			    RxLength, pdwBytesReturned);
}
