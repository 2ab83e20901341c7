#!/bin/bash
# Builds tern and runs every test: the unit tests (meson test --suite unit), then the interop
# tests against strongSwan in network namespaces (tests/interop/run.sh). Meant for a fresh
# Debian 12 as root: installs what is missing first. Runnable from any directory.
#
# Environment: BUILD (build dir, default <repo>/build), JOBS (ninja -j, default 2),
# TERN_SKIP_APT=1 (install nothing), TERN_SKIP_INTEROP=1 (unit tests only).
#
# Last line: "N passed, N failed" over unit and interop tests together (a failed build counts
# as one failure). Exit status 0 only when nothing failed.
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
JOBS=${JOBS:-2}

# shellcheck source=scripts/packages.sh
. "$ROOT/scripts/packages.sh"

say() { printf '== %s\n' "$*"; }

# count_meson_results FILE: "passed failed" from meson's testlog.json.
count_meson_results() {
	local ok bad
	[ -f "$1" ] || {
		echo "0 0"
		return
	}
	ok=$(grep -oE '"result": *"(OK|EXPECTEDFAIL)"' "$1" | wc -l)
	bad=$(grep -oE '"result": *"(FAIL|UNEXPECTEDPASS|TIMEOUT|ERROR)"' "$1" | wc -l)
	echo "$ok $bad"
}

unit_pass=0 unit_fail=0 int_pass=0 int_fail=0 int_skip=0 status=0

if [ "${TERN_SKIP_APT:-0}" != 1 ]; then
	install_missing || {
		echo "cannot install the packages tern needs" >&2
		echo "0 passed, 1 failed"
		exit 1
	}
fi

say "configuring $BUILD"
built=1
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" "$ROOT" || built=0
fi
if [ "$built" = 1 ]; then
	say "building"
	ninja -C "$BUILD" -j "$JOBS" || built=0
fi

if [ "$built" = 1 ]; then
	say "unit tests"
	rm -f "$BUILD/meson-logs/testlog.json"
	meson test -C "$BUILD" --suite unit --print-errorlogs --num-processes "$JOBS" || status=1
	read -r unit_pass unit_fail < <(count_meson_results "$BUILD/meson-logs/testlog.json")
	[ "$status" = 1 ] && [ "$unit_fail" = 0 ] && unit_fail=1
else
	echo "the build failed" >&2
	unit_fail=1
	status=1
fi
say "unit: $unit_pass passed, $unit_fail failed"

if [ "${TERN_SKIP_INTEROP:-0}" = 1 ]; then
	say "interop tests skipped (TERN_SKIP_INTEROP=1)"
elif [ "$built" = 0 ]; then
	say "interop tests not run: no build"
else
	say "interop tests"
	out=$(mktemp)
	bash "$ROOT/tests/interop/run.sh" "$BUILD" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	rm -f "$out"
	if [ -n "$line" ]; then
		int_pass=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
		int_fail=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
		case $line in *skipped*) int_skip=$(sed -E 's/.* ([0-9]+) skipped.*/\1/' <<<"$line") ;; esac
	fi
	if [ "$rc" != 0 ]; then
		status=1
		[ "$int_fail" = 0 ] && int_fail=1
	fi
	say "interop: $int_pass passed, $int_fail failed, $int_skip skipped"
fi

passed=$((unit_pass + int_pass))
failed=$((unit_fail + int_fail))
[ "$failed" -gt 0 ] && status=1
if [ "$int_skip" -gt 0 ]; then
	echo "$passed passed, $failed failed, $int_skip skipped"
else
	echo "$passed passed, $failed failed"
fi
exit "$status"
