/*
 * SaveConfig: on `down`, the running configuration is written back to its file (mode 0600,
 * replaced atomically), with the wg-quick keys kept: the interface's current addresses, the DNS
 * lines, the current MTU when the file set one, Table, SaveConfig itself, KeyLog and every hook.
 */
#ifndef WGC_SAVECONF_H
#define WGC_SAVECONF_H

#include "core/config.h"
#include "wgc/conffile.h"
#include "wgc/errmsg.h"
#include "wgc/quick.h"
#include "libwgc/text.h"

/* The addresses in `ip -o address show dev IF` output ("inet 10.0.0.1/24 ..."), in order. */
int wgc_saveconf_parse_addresses(const char *ip_output, struct wgc_strlist *addresses);
/* The whole file. mtu 0 leaves MTU out. It holds the private key: free the text. */
void wgc_saveconf_format(struct wgl_text *out, const struct wgc_extras *extras, const struct wgc_strlist *addresses,
			 unsigned mtu, const struct wg_config_device *running);
/* Reads the interface's state and replaces q->path. */
int wgc_saveconf_write(const struct wgc_quick *q, struct wgc_err *err);

#endif
