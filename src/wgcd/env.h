/* The core's environment (clock, randomness, network, tunnel, log) for a daemon. */
#ifndef WGCD_ENV_H
#define WGCD_ENV_H

#include <stdint.h>

#include "core/env.h"

struct wgcd;

struct wg_env wgcd_env(struct wgcd *daemon);
/* The monotonic clock the core's deadlines are measured on, in nanoseconds. */
uint64_t wgcd_env_now(void);

#endif
