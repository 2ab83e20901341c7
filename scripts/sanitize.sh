#!/bin/bash
# Runs the unit tests under sanitizers:
#   build-asan/  -Db_sanitize=address,undefined: every unit test (meson test --suite unit)
#   build-tsan/  -Db_sanitize=thread: the datapath's threaded tests
# A sanitizer report fails the test it occurs in (halt_on_error); leaks are reported too.
#
#   scripts/sanitize.sh [asan|tsan]...     (default: both)
#
# Environment: CC (default: the system's cc; clang works too), JOBS (ninja -j, default 2),
# ASAN_BUILD / TSAN_BUILD (build directories). Exits 1 if any build or test failed.
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JOBS=${JOBS:-2}
ASAN_BUILD=${ASAN_BUILD:-$ROOT/build-asan}
TSAN_BUILD=${TSAN_BUILD:-$ROOT/build-tsan}
# The tests that run the datapath's worker threads.
TSAN_TESTS=(test_dp_threaded)

say() { printf '== %s\n' "$*"; }

# setup DIR SANITIZERS: configures DIR once (reconfigures if the sanitizer option differs).
setup() {
	local dir=$1 san=$2
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" -Db_sanitize="$san" >/dev/null || return 1
	else
		meson setup "$dir" "$ROOT" -Db_sanitize="$san" -Db_lundef=false \
			-Dbuildtype=debugoptimized >"$dir.setup.log" 2>&1 || {
			cat "$dir.setup.log" >&2
			return 1
		}
		rm -f "$dir.setup.log"
	fi
}

build() {
	ninja -C "$1" -j "$JOBS" >"$1/sanitize-build.log" 2>&1 || {
		tail -40 "$1/sanitize-build.log" >&2
		return 1
	}
}

status=0
run_asan() {
	say "AddressSanitizer + UndefinedBehaviorSanitizer: $ASAN_BUILD"
	if ! setup "$ASAN_BUILD" address,undefined || ! build "$ASAN_BUILD"; then
		echo "sanitize.sh: asan build failed" >&2
		status=1
		return
	fi
	ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1:print_summary=1 \
		UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1 \
		meson test -C "$ASAN_BUILD" --suite unit --print-errorlogs --num-processes "$JOBS" ||
		status=1
}

run_tsan() {
	say "ThreadSanitizer: $TSAN_BUILD (${TSAN_TESTS[*]})"
	if ! setup "$TSAN_BUILD" thread || ! build "$TSAN_BUILD"; then
		echo "sanitize.sh: tsan build failed" >&2
		status=1
		return
	fi
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:print_summary=1 \
		meson test -C "$TSAN_BUILD" --suite unit --print-errorlogs "${TSAN_TESTS[@]}" ||
		status=1
}

[ $# -gt 0 ] || set -- asan tsan
for what in "$@"; do
	case $what in
	asan) run_asan ;;
	tsan) run_tsan ;;
	*)
		echo "usage: $0 [asan|tsan]..." >&2
		exit 2
		;;
	esac
done
if [ "$status" = 0 ]; then
	say "sanitizers: clean"
else
	say "sanitizers: FAILED"
fi
exit $status
