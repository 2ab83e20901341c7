/* Resolver configuration while the tunnel is up: /etc/resolv.conf rewritten in place, the
 * original kept in /run/tern and put back on exit (or at the next start after a crash). */
#ifndef TERN_PLATFORM_DNS_H
#define TERN_PLATFORM_DNS_H

#include <stddef.h>

#define DNS_RESOLV_CONF "/etc/resolv.conf"
#define DNS_BACKUP_DIR	"/run/tern"
#define DNS_BACKUP_FILE DNS_BACKUP_DIR "/resolv.conf.orig"

/* Writes the name servers (IPv4/IPv6 literals, at least one) and an optional search domain
 * (NULL or "" for none) to /etc/resolv.conf, after saving the original to DNS_BACKUP_FILE
 * (directory created with mode 0700). A backup left by a crashed run is restored first, so the
 * saved copy is always the system's own file. Returns 0 or a negative errno with a reason;
 * on failure /etc/resolv.conf is left as it was. */
int dns_apply(const char *const servers[], size_t n, const char *search_domain, char *reason,
	      size_t reason_len);

/* Writes the saved original back to /etc/resolv.conf and removes the backup. Without a
 * backup it does nothing and returns 0, so it is safe to call at every start and exit. */
int dns_restore(char *reason, size_t reason_len);

#endif
