#!/bin/bash
# Builds tern and runs every test. Meant for a fresh Debian 12 as root: installs what is
# missing first. Runnable from any directory. The stages:
#   1. build (build/), unit tests (meson test --suite unit)
#   2. interop tests against strongSwan in network namespaces (tests/interop/run.sh)
#   3. sanitizers: unit tests under AddressSanitizer + UndefinedBehaviorSanitizer, the datapath
#      thread tests under ThreadSanitizer (scripts/sanitize.sh), then the interop tests again
#      with the sanitized tern (its reports collected: any report fails the stage)
#   4. fuzzing: every libFuzzer target over its corpus, then 10 s each (scripts/fuzz.sh --ci)
#   5. static analysis: clang-tidy and cppcheck over the tree (scripts/lint.sh)
#
# Environment: BUILD (build dir, default <repo>/build), JOBS (ninja -j, default 2),
# TERN_SKIP_APT=1 (install nothing), TERN_QUICK=1 (stages 1 and 2 only),
# TERN_SKIP_LINT=1 (no stage 5),
# TERN_SKIP_INTEROP=1 (no interop tests in stages 2 and 3).
#
# Last line: "N passed, N failed" over every unit test, interop test and stage result
# (a failed build counts as one failure). Exit status 0 only when nothing failed.
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
ASAN_BUILD=$ROOT/build-asan
JOBS=${JOBS:-2}
export JOBS

# shellcheck source=scripts/packages.sh
. "$ROOT/scripts/packages.sh"

say() { printf '== %s\n' "$*"; }

passed=0 failed=0 skipped=0

# count_meson FILE: adds the results in meson's testlog.json to the totals.
count_meson() {
	[ -f "$1" ] || return 1
	passed=$((passed + $(grep -cE '"result": *"(OK|EXPECTEDFAIL)"' "$1")))
	failed=$((failed + $(grep -cE '"result": *"(FAIL|UNEXPECTEDPASS|TIMEOUT|ERROR)"' "$1")))
	skipped=$((skipped + $(grep -cE '"result": *"SKIP"' "$1")))
	return 0 # (the assignment above returns grep's status: 1 when nothing was skipped)
}

# stage NAME CMD...: runs a command that is one test of its own.
stage() {
	local name=$1
	shift
	say "$name"
	if "$@"; then
		passed=$((passed + 1))
		say "$name: passed"
	else
		failed=$((failed + 1))
		say "$name: FAILED"
	fi
}

# interop BUILD_DIR: the interop suite with that build's tern; adds its tally to the totals.
interop() {
	local out rc line
	out=$(mktemp)
	bash "$ROOT/tests/interop/run.sh" "$1" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	rm -f "$out"
	if [ -z "$line" ]; then
		failed=$((failed + 1))
		return
	fi
	local p f s=0
	p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
	case $line in *skipped*) s=$(sed -E 's/.* ([0-9]+) skipped.*/\1/' <<<"$line") ;; esac
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

# Interop tests with the AddressSanitizer build: each tern process writes its reports
# (errors, and leaks at exit) to files; none may appear.
asan_interop() {
	local reports
	reports=$(mktemp -d)
	export TERN_SANITIZED=1 ASAN_OPTIONS="detect_leaks=1:log_path=$reports/asan"
	export UBSAN_OPTIONS="print_stacktrace=1:log_path=$reports/ubsan"
	interop "$ASAN_BUILD"
	unset TERN_SANITIZED ASAN_OPTIONS UBSAN_OPTIONS
	if compgen -G "$reports/*" >/dev/null; then
		say "sanitizer reports from tern during the interop tests:"
		head -n 40 "$reports"/* >&2
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
		say "no sanitizer report from tern during the interop tests"
	fi
	rm -rf "$reports"
}

if [ "${TERN_SKIP_APT:-0}" != 1 ]; then
	install_missing || {
		echo "cannot install the packages tern needs" >&2
		echo "0 passed, 1 failed"
		exit 1
	}
fi

say "building in $BUILD"
built=1
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" "$ROOT" || built=0
fi
[ "$built" = 1 ] && { ninja -C "$BUILD" -j "$JOBS" || built=0; }
if [ "$built" = 1 ]; then
	say "unit tests"
	rm -f "$BUILD/meson-logs/testlog.json"
	meson test -C "$BUILD" --suite unit --print-errorlogs --num-processes "$JOBS"
	count_meson "$BUILD/meson-logs/testlog.json" || failed=$((failed + 1))
	if [ "${TERN_SKIP_INTEROP:-0}" != 1 ]; then
		say "interop tests"
		interop "$BUILD"
	fi
else
	echo "the build failed" >&2
	failed=$((failed + 1))
fi

if [ "${TERN_QUICK:-0}" != 1 ] && [ "$built" = 1 ]; then
	stage "sanitizers: unit tests (ASan+UBSan), datapath threads (TSan)" \
		bash "$ROOT/scripts/sanitize.sh"
	if [ "${TERN_SKIP_INTEROP:-0}" != 1 ] && [ -x "$ASAN_BUILD/client/tern" ]; then
		say "interop tests with tern built with ASan+UBSan"
		asan_interop
	fi
	stage "fuzzing: every target over its corpus, then 10 s each" \
		bash "$ROOT/scripts/fuzz.sh" --ci
	[ "${TERN_SKIP_LINT:-0}" = 1 ] ||
		stage "static analysis: clang-tidy and cppcheck" bash "$ROOT/scripts/lint.sh"
fi

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
