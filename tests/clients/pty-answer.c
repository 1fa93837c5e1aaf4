/*
 * pty-answer: run a command on a pseudo-terminal and answer its PIN
 * prompts the way a person at the keyboard would.
 *
 *   pty-answer PROMPT [VAR...] -- COMMAND [ARG...]
 *
 * Every time the command's terminal output contains PROMPT, the value of
 * the next environment variable VAR is typed, followed by a newline. When
 * the variables are used up, a further prompt gets end-of-file (Ctrl-D), as
 * when a person gives up. Some clients (libp11's engine asking the PIN for
 * an always-authenticate key) read only from the terminal, so a test can
 * reach them in no other way.
 *
 * The terminal starts with echo off, so the answers never appear in the
 * output. The command's output is copied to stdout; at the end one line
 * "pty-answer: N prompts" goes to stderr. Exit status: the command's, or
 * 128 + signal, or 125 when pty-answer itself fails.
 */
#define _XOPEN_SOURCE 600
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "pty-answer: %s: %s\n", what, strerror(errno));
	exit(125);
}

/* Opens the pty pair with echo off; returns the master, sets *slave. */
static int open_pty(int *slave)
{
	struct termios t;
	int master;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		die("posix_openpt");
	*slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (*slave < 0)
		die("open pty");
	if (tcgetattr(*slave, &t) == 0) {
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		tcsetattr(*slave, TCSANOW, &t);
	}
	return master;
}

static pid_t child;

/* A test must never hang on a prompt nobody answers. */
static void on_alarm(int sig)
{
	(void)sig;
	if (child > 0)
		kill(child, SIGKILL);
}

/* Relay output until the command has been quiet for a moment: a prompt is
 * often followed by a terminal mode change that discards typed input
 * (TCSAFLUSH), so the answer waits until the command sits in its read. */
static void settle(int master)
{
	struct pollfd p = { master, POLLIN, 0 };
	char buf[4096];
	ssize_t n;

	while (poll(&p, 1, 300) > 0 && (p.revents & POLLIN)) {
		n = read(master, buf, sizeof(buf));
		if (n <= 0)
			return;
		fwrite(buf, 1, (size_t)n, stdout);
		fflush(stdout);
	}
}

static void run_child(int slave, char **argv)
{
	setsid();
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		_exit(125);
	dup2(slave, 0);
	dup2(slave, 1);
	dup2(slave, 2);
	if (slave > 2)
		close(slave);
	execvp(argv[0], argv);
	fprintf(stderr, "pty-answer: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int main(int argc, char **argv)
{
	const char *prompt;
	char **vars, **cmd, buf[4096], seen[8192];
	size_t nvars, used = 0, seen_len = 0, plen;
	int i, master, slave, status;
	unsigned prompts = 0;
	pid_t pid;
	ssize_t n;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		;
	if (i >= argc - 1 || i < 2) {
		fputs("usage: pty-answer PROMPT [VAR...] -- COMMAND [ARG...]\n",
		      stderr);
		return 125;
	}
	prompt = argv[1];
	plen = strlen(prompt);
	vars = argv + 2;
	nvars = (size_t)(i - 2);
	cmd = argv + i + 1;

	master = open_pty(&slave);
	signal(SIGALRM, on_alarm);
	alarm(getenv("PTY_ANSWER_TIMEOUT") ? (unsigned)atoi(getenv("PTY_ANSWER_TIMEOUT")) : 120);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(master);
		run_child(slave, cmd);
	}
	close(slave);
	child = pid;

	/* Relay output; look for the prompt in what came since the last one. */
	for (;;) {
		char *hit;

		n = read(master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* EIO: every slave descriptor is closed */
		fwrite(buf, 1, (size_t)n, stdout);
		fflush(stdout);
		if (seen_len + (size_t)n >= sizeof(seen)) {
			/* keep the tail, long enough to hold a split prompt */
			size_t keep = plen < seen_len ? plen : seen_len;

			memmove(seen, seen + seen_len - keep, keep);
			seen_len = keep;
		}
		memcpy(seen + seen_len, buf, (size_t)n);
		seen_len += (size_t)n;
		seen[seen_len] = '\0';
		while ((hit = strstr(seen, prompt)) != NULL) {
			const char *v = used < nvars ? getenv(vars[used]) : NULL;

			prompts++;
			settle(master);
			if (used < nvars) {
				used++;
				if (v && write(master, v, strlen(v)) < 0)
					die("write");
				if (write(master, "\n", 1) < 0)
					die("write");
			} else {
				char eof = 4;	/* VEOF, Ctrl-D */

				if (write(master, &eof, 1) < 0)
					die("write");
			}
			seen_len -= (size_t)(hit + plen - seen);
			memmove(seen, hit + plen, seen_len + 1);
		}
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	fprintf(stderr, "pty-answer: %u prompts\n", prompts);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
