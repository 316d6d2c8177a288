/* fork/exec with an optional stdin text and captured stdout. */
#include "wgc/run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libwgc/text.h"

void wgc_run_describe(char *buf, size_t size, const char *const argv[])
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; argv[i] && len < size; ++i) {
		int n = snprintf(buf + len, size - len, "%s%s", i ? " " : "", argv[i]);

		if (n < 0)
			break;
		len += (size_t)n;
	}
}

/* In the child: wire up the pipes and exec; on failure the errno goes back through status_fd. */
static void child(const char *const argv[], int in_fd, int out_fd, int status_fd)
{
	int error;

	if (in_fd >= 0 && dup2(in_fd, STDIN_FILENO) < 0)
		goto fail;
	if (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0)
		goto fail;
	/* A query's complaints ("FIB table does not exist") are answers here, not news for the user. */
	if (out_fd >= 0) {
		int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (null_fd < 0 || dup2(null_fd, STDERR_FILENO) < 0)
			goto fail;
	}
	/* wgc ignores SIGPIPE for its own writes; the programs it runs expect the default. */
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], (char *const *)argv);
fail:
	error = errno;
	if (write(status_fd, &error, sizeof(error)) < 0)
		_exit(127);
	_exit(127);
}

static int write_input(int fd, const char *input)
{
	size_t len = strlen(input);

	while (len) {
		ssize_t n = write(fd, input, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		input += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_output(int fd, char **output)
{
	struct wgl_text text;
	char buf[4096];
	ssize_t n;

	wgl_text_init(&text);
	wgl_text_append(&text, "%s", "");
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		wgl_text_append_bytes(&text, buf, (size_t)n);
	}
	if (n < 0 || wgl_text_status(&text)) {
		wgl_text_free(&text);
		return n < 0 ? -EIO : -ENOMEM;
	}
	*output = text.buf;
	return 0;
}

static void close_pair(int fds[2])
{
	for (int i = 0; i < 2; ++i)
		if (fds[i] >= 0)
			close(fds[i]);
	fds[0] = fds[1] = -1;
}

/* Waits for the child and turns its fate into 0, -EIO or the exec errno. */
static int reap(pid_t pid, int status_fd, const char *const argv[], struct wgc_err *err)
{
	char line[256];
	int status, exec_errno = 0;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return wgc_err_set(err, -errno, "waitpid: %s", strerror(errno));
	if (read(status_fd, &exec_errno, sizeof(exec_errno)) == sizeof(exec_errno))
		return wgc_err_set(err, -exec_errno, "cannot run %s: %s", argv[0], strerror(exec_errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	wgc_run_describe(line, sizeof(line), argv);
	if (WIFSIGNALED(status))
		return wgc_err_set(err, -EIO, "`%s' was killed by signal %d", line, WTERMSIG(status));
	return wgc_err_set(err, -EIO, "`%s' failed with exit status %d", line, WEXITSTATUS(status));
}

/* Forks the child with the pipes it needs; the parent keeps only its own ends. */
static int spawn(const char *const argv[], int in[2], int out[2], int status[2], pid_t *pid, struct wgc_err *err)
{
	fflush(NULL);
	*pid = fork();
	if (*pid < 0)
		return wgc_err_set(err, -errno, "fork: %s", strerror(errno));
	if (*pid == 0)
		child(argv, in[0], out[1], status[1]);
	close(status[1]);
	if (in[0] >= 0)
		close(in[0]);
	if (out[1] >= 0)
		close(out[1]);
	status[1] = in[0] = out[1] = -1;
	return 0;
}

int wgc_run(const char *const argv[], const char *input, char **output, bool trace, struct wgc_err *err)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, status[2] = { -1, -1 }, ret;
	char line[1024];
	pid_t pid = -1;

	if (trace) {
		wgc_run_describe(line, sizeof(line), argv);
		fprintf(stderr, "[#] %s\n", line);
	}
	if (pipe2(status, O_CLOEXEC) || (input && pipe2(in, O_CLOEXEC)) || (output && pipe2(out, O_CLOEXEC)))
		ret = wgc_err_set(err, -errno, "pipe: %s", strerror(errno));
	else
		ret = spawn(argv, in, out, status, &pid, err);
	if (ret)
		goto out;
	if (input)
		write_input(in[1], input); /* a child that does not read its input fails on its own */
	close_pair(in);
	if (output && read_output(out[0], output))
		*output = NULL;
	ret = reap(pid, status[0], argv, err);
	if (ret && output) {
		free(*output);
		*output = NULL;
	}
	if (!ret && output && !*output)
		ret = wgc_err_set(err, -ENOMEM, "cannot read the output of %s", argv[0]);
out:
	close_pair(in);
	close_pair(out);
	close_pair(status);
	return ret;
}
