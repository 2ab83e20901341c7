/* Password reading from temporary files and pipes. The expected passwords are the bytes written
 * to the file before the first line end ("\n" or "\r\n"), as the interface specifies. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/password.h"
#include "tests/unit/check.h"

static char dir[] = "/tmp/tern-pw-XXXXXX";

static void write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, data, len), (long long)len);
	close(fd);
	chmod(path, mode);
}

struct file_case {
	const char *data;
	size_t len;
	int rc; /* expected length, or negative errno */
	const char *want;
};

#define S(x) x, sizeof(x) - 1

static const struct file_case files[] = {
    {S("carol-password\n"), 14, "carol-password"},
    {S("carol-password"), 14, "carol-password"},
    {S("carol-password\r\n"), 14, "carol-password"},
    {S("first\nsecond\n"), 5, "first"},
    {S("with space \t\n"), 12, "with space \t"},
    {S(""), -ENODATA, ""},
    {S("\n"), -ENODATA, ""},
    {S("\r\nsecond\n"), -ENODATA, ""},
    {S("a\0b\n"), -EINVAL, ""},
};

static void test_files(void)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/pw", dir);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const struct file_case *c = &files[i];
		char out[PASSWORD_MAX];
		char reason[256] = "";
		write_file(path, c->data, c->len, 0600);
		memset(out, 'x', sizeof(out));
		int rc = password_read_file(path, out, sizeof(out), reason, sizeof(reason));
		if (rc != c->rc)
			fprintf(stderr, "  case %zu: rc %d (%s)\n", i, rc, reason);
		CHECK_EQ(rc, c->rc);
		if (c->rc > 0) {
			CHECK(strcmp(out, c->want) == 0);
		} else {
			CHECK(reason[0] != '\0');
			CHECK(out[0] == '\0'); /* wiped */
		}
	}

	/* an empty file names the file in its reason */
	char reason[256] = "", out[PASSWORD_MAX];
	write_file(path, "", 0, 0600);
	CHECK_EQ(password_read_file(path, out, sizeof(out), reason, sizeof(reason)), -ENODATA);
	CHECK(strstr(reason, path) != NULL);

	/* too long for the buffer */
	write_file(path, S("0123456789abcdef\n"), 0600);
	CHECK_EQ(password_read_file(path, out, 16, reason, sizeof(reason)), -EMSGSIZE);
	CHECK_EQ(password_read_file(path, out, 17, reason, sizeof(reason)), 16);

	/* missing file */
	char missing[80];
	snprintf(missing, sizeof(missing), "%s/none", dir);
	CHECK_EQ(password_read_file(missing, out, sizeof(out), reason, sizeof(reason)), -ENOENT);
	CHECK(strstr(reason, missing) != NULL);

	/* a directory */
	CHECK_EQ(password_read_file(dir, out, sizeof(out), reason, sizeof(reason)), -EISDIR);

	/* a group-readable file is read (with a warning) */
	write_file(path, S("carol-password\n"), 0640);
	FILE *saved = stderr;
	char warn[512] = "";
	stderr = fmemopen(warn, sizeof(warn), "w");
	CHECK_EQ(password_read_file(path, out, sizeof(out), reason, sizeof(reason)), 14);
	fclose(stderr);
	stderr = saved;
	CHECK(strstr(warn, "warning") != NULL);
	unlink(path);
}

static void test_modes(void)
{
	CHECK(password_mode_is_private(S_IFREG | 0600));
	CHECK(password_mode_is_private(S_IFREG | 0400));
	CHECK(!password_mode_is_private(S_IFREG | 0640));
	CHECK(!password_mode_is_private(S_IFREG | 0604));
	CHECK(!password_mode_is_private(S_IFREG | 0660));
}

static void test_fd(void)
{
	int p[2];
	char out[PASSWORD_MAX], reason[256] = "";
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(write(p[1], S("carol-password\r\nrest\n")), 21);
	close(p[1]);
	CHECK_EQ(password_read_fd(p[0], out, sizeof(out), reason, sizeof(reason)), 14);
	CHECK(strcmp(out, "carol-password") == 0);
	close(p[0]);

	CHECK_EQ(pipe(p), 0);
	close(p[1]);
	CHECK_EQ(password_read_fd(p[0], out, sizeof(out), reason, sizeof(reason)), -ENODATA);
	CHECK(strstr(reason, "standard input") != NULL);
	close(p[0]);
}

/* Never prompt when stdin is not a terminal. */
static void test_no_tty(void)
{
	int p[2];
	char out[PASSWORD_MAX], reason[256] = "";
	CHECK_EQ(pipe(p), 0);
	int saved = dup(STDIN_FILENO);
	dup2(p[0], STDIN_FILENO);
	int rc = password_get(PASSWORD_PROMPT, NULL, "Password: ", out, sizeof(out), reason,
			      sizeof(reason));
	dup2(saved, STDIN_FILENO);
	close(saved);
	close(p[0]);
	close(p[1]);
	CHECK_EQ(rc, -ENOTTY);
	CHECK(strcmp(reason, "no password: use --password-file or --password-stdin") == 0);
}

static void test_wipe(void)
{
	char buf[8] = "secret!";
	password_wipe(buf, sizeof(buf));
	static const char zero[8];
	CHECK_MEM(buf, zero, sizeof(buf));
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_files();
	test_modes();
	test_fd();
	test_no_tty();
	test_wipe();
	rmdir(dir);
	return check_done("password");
}
