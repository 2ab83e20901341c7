/* Writing a failure's reason, in words, into the caller's buffer (which may be absent). */
#ifndef TERN_CLIENT_REASON_H
#define TERN_CLIENT_REASON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

__attribute__((format(printf, 3, 4))) static inline void reason_set(char *reason, size_t rlen,
								    const char *fmt, ...)
{
	if (!reason || rlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, rlen, fmt, ap);
	va_end(ap);
}

#endif
