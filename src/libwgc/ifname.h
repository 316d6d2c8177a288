/* Interface names: what a TUN device and a UAPI socket file may be called. */
#ifndef WGL_IFNAME_H
#define WGL_IFNAME_H

#include <stdbool.h>

/* The names `ip link` accepts (1 to 15 bytes), minus those that would make a bad socket path
 * (".", "..", a '/') or a confusing one (':', blanks, controls). */
bool wgl_ifname_valid(const char *name);

#endif
