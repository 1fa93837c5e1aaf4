/* jpki-pkcs11: PINs kept in locked memory (see secret.h).
 *
 * Secrets live in slots of whole pages that are mapped privately, locked
 * and excluded from core dumps; a page is never unmapped (a process keeps
 * a handful of PINs at most, so one page nearly always suffices).
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "log.h"
#include "secret.h"

#define SLOTS_PER_PAGE 64

typedef struct page {
	struct page *next;
	uint64_t used;                  /* bit per slot */
	jp_secret slot[SLOTS_PER_PAGE];
} page;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static page *pages;

static page *page_new(void)
{
	size_t size = sizeof(page);
	page *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (madvise(p, size, MADV_DONTDUMP) != 0)
		JP_LOG("secret memory: MADV_DONTDUMP refused");
	/* RLIMIT_MEMLOCK may forbid it (64 KB by default, enough here);
	 * without it the PIN can reach swap, which is logged. */
	if (mlock(p, size) != 0)
		JP_LOG("secret memory: mlock refused; PINs may reach swap");
	memset(p, 0, size);
	return p;
}

jp_secret *jp_secret_new(void)
{
	jp_secret *s = NULL;
	page *p;
	int i;

	pthread_mutex_lock(&mu);
	for (p = pages; p && p->used == UINT64_MAX; p = p->next)
		;
	if (!p && (p = page_new()) != NULL) {
		p->next = pages;
		pages = p;
	}
	if (p) {
		for (i = 0; i < SLOTS_PER_PAGE && (p->used & (UINT64_C(1) << i)); i++)
			;
		p->used |= UINT64_C(1) << i;
		s = &p->slot[i];
		memset(s, 0, sizeof(*s));
	}
	pthread_mutex_unlock(&mu);
	return s;
}

void jp_secret_free(jp_secret *s)
{
	page *p;

	if (!s)
		return;
	OPENSSL_cleanse(s, sizeof(*s));
	pthread_mutex_lock(&mu);
	for (p = pages; p; p = p->next) {
		if (s >= p->slot && s < p->slot + SLOTS_PER_PAGE) {
			p->used &= ~(UINT64_C(1) << (s - p->slot));
			break;
		}
	}
	pthread_mutex_unlock(&mu);
}

int jp_secret_set(jp_secret *s, const uint8_t *pin, size_t len)
{
	jp_secret_wipe(s);
	if (len > JP_SECRET_MAX)
		return -1;
	memcpy(s->pin, pin, len);
	s->len = (uint8_t)len;
	return 0;
}

void jp_secret_wipe(jp_secret *s)
{
	if (s)
		OPENSSL_cleanse(s, sizeof(*s));
}
