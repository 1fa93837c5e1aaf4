/*
 * Fault injection: rules read from a file that tests may rewrite while the
 * card runs. Before each command APDU the card looks at the file; when it
 * was written again (inode, size or modification time changed), the rules
 * are replaced and their counts start from zero, even if the text is the
 * same. A missing file means no rules.
 *
 * One rule a line ("#" starts a comment):
 *
 *   PREFIX NTH ACTION [after=PREFIX2]
 *
 * The NTH command (1-based) whose hex starts with PREFIX gets ACTION, once.
 * With after=PREFIX2, commands are counted only once a command starting
 * with PREFIX2 has been seen (that command itself not counted). ACTION is
 * sw=XXXX, lost, lost-before or remove (see README.md). One command gets at
 * most one fault: the first rule in file order that fires; rules below it
 * do not count that command.
 */
#include "vc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_RULES 32
#define MAX_PREFIX 64		/* hex digits */
#define MAX_FILE 8192

struct rule {
	char prefix[MAX_PREFIX + 1];
	char after[MAX_PREFIX + 1];	/* "" for none */
	unsigned long nth, seen;
	int after_seen, fired;
	enum vc_fault_action action;
	uint16_t sw;
};

static const char *path;
static struct stat last;		/* st_ino 0: no file seen */
static struct rule rules[MAX_RULES];
static size_t n_rules;

void vc_fault_init(const char *file)
{
	path = file;
	memset(&last, 0, sizeof(last));
	n_rules = 0;
}

static int hex_word(const char *s, size_t max, char *out)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > max)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		out[i] = (char)toupper((unsigned char)s[i]);
	}
	out[n] = '\0';
	return 0;
}

static int parse_rule(char *line, struct rule *r)
{
	char *prefix, *nth, *action, *opt, *end, sw[5];

	memset(r, 0, sizeof(*r));
	prefix = strtok(line, " \t");
	nth = strtok(NULL, " \t");
	action = strtok(NULL, " \t");
	opt = strtok(NULL, " \t");
	if (!prefix || !nth || !action || strtok(NULL, " \t"))
		return -1;
	if (hex_word(prefix, MAX_PREFIX, r->prefix))
		return -1;
	r->nth = strtoul(nth, &end, 10);
	if (*end || r->nth == 0)
		return -1;
	if (opt && (strncmp(opt, "after=", 6) != 0 ||
		    hex_word(opt + 6, MAX_PREFIX, r->after)))
		return -1;
	if (strncmp(action, "sw=", 3) == 0) {
		if (strlen(action + 3) != 4 || hex_word(action + 3, 4, sw))
			return -1;
		r->action = VC_FAULT_SW;
		r->sw = (uint16_t)strtoul(sw, NULL, 16);
	} else if (strcmp(action, "lost") == 0) {
		r->action = VC_FAULT_LOST;
	} else if (strcmp(action, "lost-before") == 0) {
		r->action = VC_FAULT_LOST_BEFORE;
	} else if (strcmp(action, "remove") == 0) {
		r->action = VC_FAULT_REMOVE;
	} else {
		return -1;
	}
	return 0;
}

/* Replaces the rules when the file was written since last time. */
static void reload(void)
{
	char buf[MAX_FILE + 1], *line, *save;
	struct stat st;
	FILE *f;
	size_t n = 0;
	int lineno = 0;

	if (stat(path, &st) != 0)
		memset(&st, 0, sizeof(st));
	if (st.st_ino == last.st_ino && st.st_dev == last.st_dev &&
	    st.st_size == last.st_size &&
	    st.st_mtim.tv_sec == last.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == last.st_mtim.tv_nsec)
		return;
	last = st;
	n_rules = 0;
	f = st.st_ino ? fopen(path, "r") : NULL;
	if (f) {
		n = fread(buf, 1, MAX_FILE, f);
		fclose(f);
	}
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		line[strcspn(line, "#\r")] = '\0';
		if (strspn(line, " \t") == strlen(line))
			continue;
		if (n_rules == MAX_RULES || parse_rule(line, &rules[n_rules])) {
			fprintf(stderr, "jpki-vcard: %s: line %d ignored\n",
				path, lineno);
			vc_trace_eventf("fault rule ignored: line %d", lineno);
			continue;
		}
		n_rules++;
	}
}

static int starts_with(const char *hex, const char *prefix)
{
	return strncmp(hex, prefix, strlen(prefix)) == 0;
}

enum vc_fault_action vc_fault_check(const unsigned char *cmd, size_t len,
				    uint16_t *sw)
{
	static char hex[2 * 65536 + 1];
	size_t i;

	if (!path)
		return VC_FAULT_NONE;
	reload();
	for (i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02X", cmd[i]);
	hex[2 * len] = '\0';
	for (i = 0; i < n_rules; i++) {
		struct rule *r = &rules[i];

		if (r->fired)
			continue;
		if (r->after[0] && !r->after_seen) {
			if (starts_with(hex, r->after))
				r->after_seen = 1;
			continue;
		}
		if (!starts_with(hex, r->prefix) || ++r->seen < r->nth)
			continue;
		r->fired = 1;
		*sw = r->sw;
		return r->action;
	}
	return VC_FAULT_NONE;
}

/* The action as a rule writes it: "sw=6F00", "lost", ... */
void vc_fault_name(enum vc_fault_action action, uint16_t sw, char *buf,
		   size_t cap)
{
	static const char *const names[] = {
		"none", "sw=", "lost", "lost-before", "remove" };

	if (action == VC_FAULT_SW)
		snprintf(buf, cap, "sw=%04X", sw);
	else
		snprintf(buf, cap, "%s", names[action]);
}
