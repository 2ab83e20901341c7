#!/bin/bash
# Builds the libFuzzer targets (tests/fuzz/) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in build-fuzz/, and runs each one over its seed corpus.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   fuzz each target SECONDS (default 60), one at a time
#   scripts/fuzz.sh --ci                    regression over every seed, then 10 s of fuzzing each
#   scripts/fuzz.sh --build                 only build
#
# Prints a table: target, execs, exec/s, result. New inputs go to build-fuzz/corpus/<target>/
# (tests/fuzz/corpus/ holds the seeds and is never written); a crashing input is saved as
# build-fuzz/artifacts/<target>-crash-*, and its report kept in build-fuzz/logs/<target>.log.
# Reproduce one with: build-fuzz/tests/fuzz/<target> FILE. Exits 1 if any target failed.
# Environment: BUILD_DIR (default build-fuzz), FUZZ_JOBS for ninja (default 2).
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-fuzz}
TARGETS=(fuzz_ike_msg fuzz_ike_sk fuzz_ike_sa fuzz_eap fuzz_cp fuzz_esp fuzz_cli
	fuzz_proposal fuzz_control fuzz_cert)

ci=0
build_only=0
seconds=60
chosen=()
for a in "$@"; do
	case $a in
	--ci) ci=1 seconds=10 ;;
	--build) build_only=1 ;;
	-h | --help)
		sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	[0-9]*) seconds=$a ;;
	fuzz_*) chosen+=("$a") ;;
	*)
		echo "fuzz.sh: unknown argument '$a' (see --help)" >&2
		exit 2
		;;
	esac
done
[ ${#chosen[@]} -gt 0 ] && TARGETS=("${chosen[@]}")

if ! command -v clang >/dev/null; then
	echo "fuzz.sh: needs clang (Debian package clang)" >&2
	exit 2
fi

# The libraries get coverage instrumentation (fuzzer-no-link); the targets link libFuzzer.
if [ ! -f "$BUILD/build.ninja" ]; then
	CC=clang meson setup "$BUILD" "$ROOT" -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link -Dbuildtype=debugoptimized \
		>"$BUILD.setup.log" 2>&1 || {
		cat "$BUILD.setup.log" >&2
		echo "fuzz.sh: meson setup failed" >&2
		exit 1
	}
	rm -f "$BUILD.setup.log"
fi
ninja_targets=()
for t in "${TARGETS[@]}"; do
	ninja_targets+=("tests/fuzz/$t")
done
if ! ninja -C "$BUILD" -j "${FUZZ_JOBS:-2}" "${ninja_targets[@]}" >"$BUILD/fuzz-build.log" 2>&1; then
	tail -40 "$BUILD/fuzz-build.log" >&2
	echo "fuzz.sh: build failed" >&2
	exit 1
fi
[ "$build_only" = 1 ] && exit 0

mkdir -p "$BUILD/corpus" "$BUILD/artifacts" "$BUILD/logs"
# Leaks are bugs too; UBSan findings stop the run like a crash. ubsan.supp lists findings
# already reported to the code's owner, so that fuzzing can go past them meanwhile.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:suppressions=$ROOT/tests/fuzz/ubsan.supp}

# One line of the table from a libFuzzer log: execs, exec/s.
stats() {
	local log=$1 execs rate
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	echo "${execs:-?} ${rate:-?}"
}

failed=0
printf '%-15s %12s %9s  %s\n' target execs exec/s result
for t in "${TARGETS[@]}"; do
	bin=$BUILD/tests/fuzz/$t
	seeds=$ROOT/tests/fuzz/corpus/$t
	work=$BUILD/corpus/$t
	log=$BUILD/logs/$t.log
	mkdir -p "$work" "$seeds"
	common=(-artifact_prefix="$BUILD/artifacts/$t-" -print_final_stats=1 -timeout=10
		-rss_limit_mb=2048)
	result=ok
	: >"$log"
	if [ "$ci" = 1 ]; then
		# Regression: every seed once, before any mutation.
		if ! "$bin" "${common[@]}" -runs=0 "$seeds" >>"$log" 2>&1; then
			result="FAIL on a seed (see $log)"
		fi
	fi
	if [ "$result" = ok ] &&
		! "$bin" "${common[@]}" -max_total_time="$seconds" "$work" "$seeds" >>"$log" 2>&1; then
		art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
		result="FAIL: ${art:-see $log}"
	fi
	read -r execs rate < <(stats "$log")
	printf '%-15s %12s %9s  %s\n' "$t" "$execs" "$rate" "$result"
	if [ "$result" != ok ]; then
		failed=1
		grep -m1 -E 'ERROR: |runtime error|SUMMARY' "$log" | sed 's/^/    /'
	fi
done
exit $failed
