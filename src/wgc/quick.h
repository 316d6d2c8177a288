/*
 * The configuration that `wgc up` and `wgc down` act on, found the way wg-quick finds it:
 * CONFIG is a path whose file name is the interface name and ".conf", or a bare interface
 * name standing for /etc/wireguard/IFNAME.conf.
 */
#ifndef WGC_QUICK_H
#define WGC_QUICK_H

#include <limits.h>
#include <stdbool.h>

#include "core/config.h"
#include "wgc/conffile.h"
#include "wgc/errmsg.h"

#define WGC_CONFIG_DIR "/etc/wireguard"

struct wgc_quick {
	char ifname[16];
	char path[PATH_MAX];        /* the file, symlinks resolved: SaveConfig replaces it */
	char shown_path[PATH_MAX];  /* the file as messages name it */
	bool world_accessible;      /* others can read it, or its directory lets them in */
	struct wg_config_device device;
	struct wgc_extras extras;
};

/* wg-quick's rule for interface names: ^[a-zA-Z0-9_=+.-]{1,15}$ */
bool wgc_quick_name_valid(const char *name);
/* Finds and parses the file. On error err says why; free q in every case. */
int wgc_quick_load(struct wgc_quick *q, const char *arg, struct wgc_err *err);
void wgc_quick_free(struct wgc_quick *q);

#endif
