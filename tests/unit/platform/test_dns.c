/* Resolver configuration: apply, restore, and the restore of a crashed run's backup. The test
 * runs in private mount and network namespaces with tmpfs over /etc and /run and a file
 * bind-mounted over /etc/resolv.conf (as `ip netns exec` does), so the machine's own files are
 * never touched. The written file is read back with glibc's resolver parser (res_ninit), an
 * independent reader of resolv.conf(5). */
#include <errno.h>
#include <fcntl.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "platform/dns.h"
#include "tests/unit/check.h"
#include "tests/unit/platform/netns_util.h"

static const char ORIGINAL[] = "# the system's own file\n"
			       "nameserver 192.0.2.53\n"
			       "search lan.example\n"
			       "options edns0\n";
static const char BIND_SOURCE[] = "/run/test-etc/resolv.conf";
static char reason[256];

static void slurp(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	out[0] = '\0';
	if (!f)
		return;
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	fclose(f);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static int is_original(const char *path)
{
	char buf[4096];
	slurp(path, buf, sizeof(buf));
	return strcmp(buf, ORIGINAL) == 0;
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static void setup_mounts(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0 ||
	    mount("tmpfs", "/etc", "tmpfs", 0, "mode=0755") < 0) {
		perror("mount");
		exit(1);
	}
	mkdir("/run/test-etc", 0755);
	put(BIND_SOURCE, ORIGINAL);
	put(DNS_RESOLV_CONF, "");
	if (mount(BIND_SOURCE, DNS_RESOLV_CONF, NULL, MS_BIND, NULL) < 0) {
		perror("bind mount");
		exit(1);
	}
	/* Like inside `ip netns exec`: replacing the file by rename is refused. */
	put("/etc/resolv.conf.new", "x\n");
	CHECK(rename("/etc/resolv.conf.new", DNS_RESOLV_CONF) < 0 && errno == EBUSY);
	unlink("/etc/resolv.conf.new");
}

static void test_apply_restore(void)
{
	static const char *const servers[] = {"203.0.113.53", "2001:db8::53"};
	struct __res_state res;
	struct stat st;
	char live[4096], via_bind[4096];

	CHECK_EQ(dns_restore(reason, sizeof(reason)), 0); /* no backup: nothing to do */
	CHECK(is_original(DNS_RESOLV_CONF));

	CHECK_EQ(dns_apply(servers, 2, "example.test", reason, sizeof(reason)), 0);
	slurp(DNS_RESOLV_CONF, live, sizeof(live));
	slurp(BIND_SOURCE, via_bind, sizeof(via_bind));
	CHECK(strcmp(live, via_bind) == 0); /* written in place, through the bind mount */
	CHECK(strstr(live, "nameserver 203.0.113.53\n") != NULL);
	CHECK(strstr(live, "nameserver 2001:db8::53\n") != NULL);
	CHECK(strstr(live, "search example.test\n") != NULL);
	CHECK(strstr(live, "192.0.2.53") == NULL);
	CHECK(is_original(DNS_BACKUP_FILE));
	CHECK(stat(DNS_BACKUP_DIR, &st) == 0 && (st.st_mode & 07777) == 0700);

	/* glibc reads what we wrote. */
	memset(&res, 0, sizeof(res));
	CHECK_EQ(res_ninit(&res), 0);
	CHECK_EQ(res.nscount, 2);
	CHECK(res.nsaddr_list[0].sin_family == AF_INET &&
	      res.nsaddr_list[0].sin_addr.s_addr == inet_addr("203.0.113.53"));
	CHECK(res.dnsrch[0] && strcmp(res.dnsrch[0], "example.test") == 0);
	res_nclose(&res);

	CHECK_EQ(dns_restore(reason, sizeof(reason)), 0);
	CHECK(is_original(DNS_RESOLV_CONF));
	CHECK(is_original(BIND_SOURCE));
	CHECK(!exists(DNS_BACKUP_FILE));
	CHECK_EQ(dns_restore(reason, sizeof(reason)), 0);
	CHECK(is_original(DNS_RESOLV_CONF));
}

static void test_crashed_runs(void)
{
	static const char *const first[] = {"203.0.113.53"};
	static const char *const second[] = {"198.51.100.53"};
	char live[4096];

	/* A run that never restored, then a new run applies: the backup stays the system's. */
	CHECK_EQ(dns_apply(first, 1, NULL, reason, sizeof(reason)), 0);
	CHECK_EQ(dns_apply(second, 1, "", reason, sizeof(reason)), 0);
	CHECK(is_original(DNS_BACKUP_FILE));
	slurp(DNS_RESOLV_CONF, live, sizeof(live));
	CHECK(strstr(live, "nameserver 198.51.100.53\n") != NULL);
	CHECK(strstr(live, "203.0.113.53") == NULL);
	CHECK(strstr(live, "search") == NULL);
	CHECK_EQ(dns_restore(reason, sizeof(reason)), 0);
	CHECK(is_original(DNS_RESOLV_CONF));

	/* Start-up after a crash: the live file is tern's, the backup holds the original. */
	put(DNS_RESOLV_CONF, "nameserver 203.0.113.53\n");
	put(DNS_BACKUP_FILE, ORIGINAL);
	CHECK_EQ(dns_restore(reason, sizeof(reason)), 0);
	CHECK(is_original(DNS_RESOLV_CONF));
	CHECK(!exists(DNS_BACKUP_FILE));
}

static void test_bad_input(void)
{
	static const char *const injected[] = {"192.0.2.1\nnameserver 198.51.100.66"};
	static const char *const words[] = {"dns.example"};
	static const char *const good[] = {"203.0.113.53"};

	CHECK_EQ(dns_apply(injected, 1, NULL, reason, sizeof(reason)), -EINVAL);
	CHECK(strstr(reason, "not an IP address") != NULL);
	CHECK_EQ(dns_apply(words, 1, NULL, reason, sizeof(reason)), -EINVAL);
	CHECK_EQ(dns_apply(good, 1, "evil.test\nnameserver 198.51.100.66", reason, sizeof(reason)),
		 -EINVAL);
	CHECK_EQ(dns_apply(good, 1, "two words", reason, sizeof(reason)), -EINVAL);
	CHECK_EQ(dns_apply(good, 0, NULL, reason, sizeof(reason)), -EINVAL);
	CHECK(is_original(DNS_RESOLV_CONF));
	CHECK(!exists(DNS_BACKUP_FILE));
}

int main(void)
{
	enter_netns(CLONE_NEWNS);
	setup_mounts();
	test_apply_restore();
	test_crashed_runs();
	test_bad_input();
	return check_done("platform_dns");
}
