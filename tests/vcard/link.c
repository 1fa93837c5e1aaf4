/*
 * The link to vpcd (vsmartcard's reader driver inside pcscd): a TCP
 * connection where each message is a 2-byte big-endian length and a
 * payload. vpcd listens; the card connects.
 */
#include "vc.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Returns a connected socket, or -1 (vpcd not listening yet, say). */
int vc_link_connect(const char *host, unsigned port)
{
	struct addrinfo hints, *res = NULL, *ai;
	char service[16];
	int fd = -1, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof(service), "%u", port);
	if (getaddrinfo(host, service, &hints, &res) != 0)
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int read_all(int fd, unsigned char *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * vpcd writes the length and the payload separately without TCP_NODELAY,
 * so Nagle holds the payload until our ACK, which the kernel delays by
 * ~40 ms: every APDU would cost that. Asking for quick ACKs (the flag does
 * not stick, hence before every read) makes the card as fast as the link.
 */
static void quick_ack(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

/* Reads one message. Returns 0, or -1 when the link is gone or the
   message does not fit (the link is then out of step: drop it). */
int vc_link_recv(int fd, unsigned char *buf, size_t cap, size_t *len)
{
	unsigned char hdr[2];

	quick_ack(fd);
	if (read_all(fd, hdr, 2))
		return -1;
	quick_ack(fd);
	*len = (size_t)hdr[0] << 8 | hdr[1];
	if (*len > cap)
		return -1;
	return read_all(fd, buf, *len);
}

int vc_link_send(int fd, const unsigned char *buf, size_t len)
{
	unsigned char *msg;
	size_t n = len + 2, off = 0;
	int rv = 0;

	if (len > 0xFFFF)
		return -1;
	msg = malloc(n);
	if (!msg)
		return -1;
	msg[0] = (unsigned char)(len >> 8);
	msg[1] = (unsigned char)len;
	memcpy(msg + 2, buf, len);
	while (off < n) {
		ssize_t w = send(fd, msg + off, n - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rv = -1;
			break;
		}
		off += (size_t)w;
	}
	free(msg);
	return rv;
}

/*
 * Breaks the link in the middle of an answer: the length header, then a
 * TCP reset instead of the payload. vpcd's read of the payload fails, so
 * its driver reports a communication error and pcscd's SCardTransmit
 * returns SCARD_E_NOT_TRANSACTED. (A clean close would not do: vpcd reads
 * end-of-file as an empty answer and reports success with no bytes.)
 */
void vc_link_abort(int fd)
{
	static const unsigned char hdr[2] = { 0, 2 };
	struct linger l = { 1, 0 };

	(void)send(fd, hdr, sizeof(hdr), MSG_NOSIGNAL);
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

void vc_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
