/* /etc/resolv.conf handling (resolv.conf(5)).
 *
 * The file is rewritten in place (open with O_TRUNC, write) instead of replaced by rename:
 * inside "ip netns exec" it is a bind mount, and renaming over a mount point fails with EBUSY.
 * When /etc/resolv.conf is a symlink to systemd-resolved's stub file, the same write goes to
 * the link's target; resolved may rewrite that file on its next change, which only undoes our
 * servers, and dns_restore() puts its content back. The backup lives in /run (tmpfs), so a
 * reboot forgets it together with the tunnel. */
#include "platform/dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netinet/in.h>

enum {
	RESOLV_MAX_BYTES = 64 * 1024, /* larger files are refused rather than cut */
	DOMAIN_MAX_CHARS = 253,
	CONTENT_MAX_BYTES = 4096,
};

static const char BACKUP_TMP[] = DNS_BACKUP_FILE ".tmp";

static void say(char *reason, size_t reason_len, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void say(char *reason, size_t reason_len, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!reason || reason_len == 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(reason, reason_len, fmt, ap);
	va_end(ap);
	if (err && n >= 0 && (size_t)n < reason_len)
		snprintf(reason + n, reason_len - (size_t)n, ": %s", strerror(-err));
}

/* Reads a whole file into a malloc'd buffer (NUL-terminated). */
static int read_all(const char *path, char **out, size_t *out_len)
{
	char *buf = malloc(RESOLV_MAX_BYTES + 1);
	size_t len = 0;
	int fd, err = 0;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	for (;;) {
		ssize_t got = read(fd, buf + len, RESOLV_MAX_BYTES + 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = -errno;
			break;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len > RESOLV_MAX_BYTES) {
			err = -EFBIG;
			break;
		}
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t put = write(fd, data, len);
		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0)
			return -errno;
		data += put;
		len -= (size_t)put;
	}
	return 0;
}

/* Truncates and rewrites path, keeping its inode (and any bind mount on it). */
static int rewrite_in_place(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int err;

	if (fd < 0)
		return -errno;
	err = write_all(fd, data, len);
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

/* Writes the backup under a temporary name, then renames it: a crash never leaves a half
 * backup that a later start would "restore". */
static int save_backup(const char *data, size_t len)
{
	struct stat st;
	int fd, err;

	if (mkdir(DNS_BACKUP_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(DNS_BACKUP_DIR, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if ((st.st_mode & 07777) != 0700 && chmod(DNS_BACKUP_DIR, 0700) < 0)
		return -errno;
	fd = open(BACKUP_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	err = write_all(fd, data, len);
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(BACKUP_TMP, DNS_BACKUP_FILE) < 0)
		err = -errno;
	if (err)
		unlink(BACKUP_TMP);
	return err;
}

static int valid_server(const char *s)
{
	unsigned char buf[16];
	return s && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}

/* A DNS name as resolv.conf can carry it: letters, digits, '-', '_', '.'; no spaces. */
static int valid_domain(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > DOMAIN_MAX_CHARS)
		return 0;
	for (const char *c = s; *c; c++) {
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.'))
			return 0;
	}
	return 1;
}

static int compose(char *out, size_t cap, const char *const servers[], size_t n, const char *domain)
{
	size_t used;
	int k;

	k = snprintf(out, cap, "# Written by tern while the VPN is up; the original is in %s\n",
		     DNS_BACKUP_FILE);
	if (k < 0 || (size_t)k >= cap)
		return -ENOSPC;
	used = (size_t)k;
	for (size_t i = 0; i < n; i++) {
		k = snprintf(out + used, cap - used, "nameserver %s\n", servers[i]);
		if (k < 0 || (size_t)k >= cap - used)
			return -ENOSPC;
		used += (size_t)k;
	}
	if (domain && domain[0]) {
		k = snprintf(out + used, cap - used, "search %s\n", domain);
		if (k < 0 || (size_t)k >= cap - used)
			return -ENOSPC;
		used += (size_t)k;
	}
	return (int)used;
}

int dns_restore(char *reason, size_t reason_len)
{
	char *orig;
	size_t len;
	int err;

	err = read_all(DNS_BACKUP_FILE, &orig, &len);
	if (err == -ENOENT)
		return 0;
	if (err) {
		say(reason, reason_len, err, "cannot read the saved resolver configuration %s",
		    DNS_BACKUP_FILE);
		return err;
	}
	err = rewrite_in_place(DNS_RESOLV_CONF, orig, len);
	free(orig);
	if (err) {
		say(reason, reason_len, err, "cannot restore %s (the original is still in %s)",
		    DNS_RESOLV_CONF, DNS_BACKUP_FILE);
		return err;
	}
	if (unlink(DNS_BACKUP_FILE) < 0 && errno != ENOENT) {
		err = -errno;
		say(reason, reason_len, err, "restored %s but cannot remove %s", DNS_RESOLV_CONF,
		    DNS_BACKUP_FILE);
		return err;
	}
	return 0;
}

int dns_apply(const char *const servers[], size_t n, const char *search_domain, char *reason,
	      size_t reason_len)
{
	char content[CONTENT_MAX_BYTES];
	char *orig = NULL;
	size_t orig_len = 0;
	int len, err;

	if (n == 0) {
		say(reason, reason_len, -EINVAL, "no DNS server to configure");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!valid_server(servers[i])) {
			say(reason, reason_len, -EINVAL,
			    "DNS server \"%.64s\" is not an IP address",
			    servers[i] ? servers[i] : "(null)");
			return -EINVAL;
		}
	}
	if (search_domain && search_domain[0] && !valid_domain(search_domain)) {
		say(reason, reason_len, -EINVAL, "search domain \"%.64s\" is not a DNS name",
		    search_domain);
		return -EINVAL;
	}
	len = compose(content, sizeof(content), servers, n, search_domain);
	if (len < 0) {
		say(reason, reason_len, len, "too many DNS servers");
		return len;
	}

	/* A backup still present means an earlier run did not restore: the live file is ours. */
	err = dns_restore(reason, reason_len);
	if (err)
		return err;
	err = read_all(DNS_RESOLV_CONF, &orig, &orig_len);
	if (err && err != -ENOENT) {
		say(reason, reason_len, err, "cannot read %s", DNS_RESOLV_CONF);
		return err;
	}
	/* A missing file is saved as an empty one: restoring it gives the resolver's defaults. */
	err = save_backup(orig ? orig : "", orig_len);
	if (err) {
		say(reason, reason_len, err, "cannot save %s to %s", DNS_RESOLV_CONF,
		    DNS_BACKUP_FILE);
		free(orig);
		return err;
	}
	err = rewrite_in_place(DNS_RESOLV_CONF, content, (size_t)len);
	if (err) {
		say(reason, reason_len, err, "cannot write %s", DNS_RESOLV_CONF);
		/* Best effort: put the original back and drop the backup. */
		if (rewrite_in_place(DNS_RESOLV_CONF, orig ? orig : "", orig_len) == 0)
			unlink(DNS_BACKUP_FILE);
	}
	free(orig);
	return err;
}
