/*
 * `wgc metrics [IFNAME] [--listen ADDR:PORT]`: Prometheus text exposition of the interfaces
 * (promtext.h), printed once, or served at /metrics over HTTP by this process (the daemon
 * itself opens no port) until SIGINT or SIGTERM. The server is libmicrohttpd's, on its own
 * thread, bounded in connections and time; every scrape reads the daemons afresh.
 */
#include <errno.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/endpoint.h"
#include "wgc/commands.h"
#include "wgc/promtext.h"
#include "wgc/show.h"
#include "wgc/uapi.h"

enum { HTTP_CONNECTIONS = 16, HTTP_TIMEOUT_SECONDS = 10 };

struct scrape {
	size_t count;
	struct wgc_prom_interface *ifs;
	struct wg_config_device *devices;
	struct wg_monitor_report *monitors;
	char **names;
};

static void scrape_free(struct scrape *s)
{
	for (size_t i = 0; i < s->count; ++i) {
		wg_config_free(&s->devices[i]);
		wg_monitor_report_free(&s->monitors[i]);
		free(s->names[i]);
	}
	free(s->ifs);
	free(s->devices);
	free(s->monitors);
	free(s->names);
	memset(s, 0, sizeof(*s));
}

/* Reads each interface (one, or all that answer); those that vanished meanwhile are left out. */
static int scrape(struct scrape *s, const char *only)
{
	char **names = NULL;
	size_t count = 0, kept = 0;
	int ret = only ? 0 : wgl_control_list(&names, &count, false);

	memset(s, 0, sizeof(*s));
	if (ret)
		return ret;
	if (only) {
		names = calloc(1, sizeof(*names));
		if (!names || !(names[0] = strdup(only))) {
			free(names);
			return -ENOMEM;
		}
		count = 1;
	}
	s->names = names;
	s->ifs = calloc(count ? count : 1, sizeof(*s->ifs));
	s->devices = calloc(count ? count : 1, sizeof(*s->devices));
	s->monitors = calloc(count ? count : 1, sizeof(*s->monitors));
	if (!s->ifs || !s->devices || !s->monitors) {
		s->count = count;
		scrape_free(s);
		return -ENOMEM;
	}
	for (size_t i = 0; i < count; ++i) {
		struct wgc_err err;

		names[kept] = names[i];
		ret = wgc_uapi_get(names[i], &s->devices[kept], &err);
		if (ret) {
			wg_config_free(&s->devices[kept]);
			free(names[i]);
			if (only) {
				fprintf(stderr, "wgc metrics: %s\n", err.text);
				s->count = kept;
				scrape_free(s);
				return ret;
			}
			continue;
		}
		s->ifs[kept] = (struct wgc_prom_interface){ .ifname = names[kept], .device = &s->devices[kept] };
		if (!wgl_control_monitor(names[kept], &s->monitors[kept], false, NULL)) {
			wgc_show_monitor_sort(&s->monitors[kept]);
			s->ifs[kept].monitor = &s->monitors[kept];
		}
		++kept;
	}
	s->count = kept;
	return 0;
}

/* The exposition into a new buffer (free it), or NULL. */
static char *render(const char *only, size_t *len)
{
	struct scrape s;
	char *buf = NULL;
	FILE *f;

	if (scrape(&s, only))
		return NULL;
	f = open_memstream(&buf, len);
	if (f) {
		wgc_prom_write(f, s.ifs, s.count);
		if (fclose(f)) {
			free(buf);
			buf = NULL;
		}
	}
	scrape_free(&s);
	return buf;
}

static enum MHD_Result respond(struct MHD_Connection *connection, unsigned status, char *body, size_t len,
			       const char *type)
{
	struct MHD_Response *response = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!response) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(connection, status, response);
	MHD_destroy_response(response);
	return ret;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_data_size, void **state)
{
	const char *only = cls;
	char *body;
	size_t len = 0;

	(void)version;
	(void)upload_data;
	(void)state;
	if (*upload_data_size)
		return MHD_NO; /* a body where none belongs */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return respond(connection, MHD_HTTP_METHOD_NOT_ALLOWED, strdup("GET only\n"), 9, "text/plain");
	if (strcmp(url, "/metrics"))
		return respond(connection, MHD_HTTP_NOT_FOUND, strdup("see /metrics\n"), 13, "text/plain");
	body = render(only, &len);
	if (!body)
		return respond(connection, MHD_HTTP_SERVICE_UNAVAILABLE, strdup("cannot read the interfaces\n"), 27,
			       "text/plain");
	return respond(connection, MHD_HTTP_OK, body, len, "text/plain; version=0.0.4; charset=utf-8");
}

static int serve(const char *listen, const char *only)
{
	struct wg_endpoint at;
	struct MHD_Daemon *daemon;
	sigset_t signals;
	int sig;

	if (wg_endpoint_parse(&at, listen) || !at.addr.sa.sa_family) {
		fprintf(stderr, "wgc metrics: --listen %s: not a numeric ADDRESS:PORT\n", listen);
		return 1;
	}
	/* The server's threads inherit the mask: the signals come to sigwait alone. */
	sigemptyset(&signals);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
					  (at.addr.sa.sa_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				  0, NULL, NULL, answer, (void *)only, MHD_OPTION_SOCK_ADDR, &at.addr.sa,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned)HTTP_TIMEOUT_SECONDS, MHD_OPTION_END);
	if (!daemon) {
		fprintf(stderr, "wgc metrics: cannot listen on %s: %s\n", listen, strerror(errno));
		return 1;
	}
	fprintf(stderr, "wgc metrics: serving http://%s/metrics\n", listen);
	sigwait(&signals, &sig);
	MHD_stop_daemon(daemon);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "Usage: wgc metrics [IFNAME] [--listen ADDRESS:PORT]\n");
	return 1;
}

int wgc_metrics_main(int argc, char **argv)
{
	const char *only = NULL, *listen = NULL;
	char *text;
	size_t len = 0;

	for (int i = 1; i < argc; ++i) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc)
			listen = argv[++i];
		else if (argv[i][0] == '-' || only)
			return usage();
		else
			only = argv[i];
	}
	if (only && !wgc_ifname_argument("metrics", only))
		return 1;
	if (listen)
		return serve(listen, only);
	text = render(only, &len);
	if (!text) {
		if (!only)
			fprintf(stderr, "wgc metrics: cannot read %s\n", WGL_CONTROL_DIR);
		return 1;
	}
	fwrite(text, 1, len, stdout);
	free(text);
	return fflush(stdout) ? 1 : 0;
}
