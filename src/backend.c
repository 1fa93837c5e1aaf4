/* jpki-pkcs11: which backend the transport uses: PC/SC (transport_pcsc*.c)
 * unless a test or fuzz target installed its own (transport.h). */
#include "config.h"

#include "transport.h"

static const jp_backend *backend = &jp_backend_pcsc;

void jp_backend_set(const jp_backend *b)
{
	backend = b ? b : &jp_backend_pcsc;
}

jp_rv jp_readers_open(jp_readers **out)
{
	return backend->open(out);
}

jp_rv jp_connect(const char *reader, jp_transport **out)
{
	return backend->connect(reader, out);
}
