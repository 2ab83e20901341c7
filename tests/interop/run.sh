#!/bin/bash
# Runs the interop tests against a strongSwan gateway in network namespaces.
#
#   tests/interop/run.sh [--sw-client] BUILD_DIR [TEST...]
#
# TEST is a name like t_cookie (or t_cookie.sh); default: every tests/interop/t_*.sh. Each test
# runs with a timeout (TERN_INTEROP_TIMEOUT, 120 s) and gets the tern binary as $TERN
# (BUILD_DIR/client/tern). One line per test: PASS, FAIL or SKIP and the reason; the logs of a
# failed test (charon's, tern's) are kept in tests/interop/run/<test>/ (TERN_INTEROP_LOGS) and
# their tails printed. Ends with "N passed, N failed" (", N skipped" when some were); exits 1
# if any failed.
#
# --sw-client runs the tests against tests/interop/sw-tern.sh (strongSwan's charon behind
# tern's command line) instead of tern: that checks the tests themselves.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

sw_client=0
if [ "${1:-}" = --sw-client ]; then
	sw_client=1
	shift
fi
if [ $# -lt 1 ]; then
	echo "usage: $0 [--sw-client] BUILD_DIR [TEST...]" >&2
	exit 2
fi
build=$1
shift

if [ "$sw_client" = 1 ]; then
	TERN=$HERE/sw-tern.sh
	export TERN_IS_SW=1
else
	TERN=$(cd "$build" 2>/dev/null && pwd) || TERN=$build
	TERN=$TERN/client/tern
fi
export TERN

tests=()
if [ $# -gt 0 ]; then
	for t in "$@"; do
		t=${t%.sh}
		t=${t##*/}
		[ -f "$HERE/$t.sh" ] || {
			echo "no such test: $t" >&2
			exit 2
		}
		tests+=("$t")
	done
else
	# The lab's self-check first: when it fails, the other results mean little.
	tests+=(t_lab_selfcheck)
	for f in "$HERE"/t_*.sh; do
		t=${f##*/}
		t=${t%.sh}
		[ "$t" = t_lab_selfcheck ] || tests+=("$t")
	done
fi

timeout_s=${TERN_INTEROP_TIMEOUT:-120}
logs=${TERN_INTEROP_LOGS:-$HERE/run}
work=$(mktemp -d /tmp/tern-interop.XXXXXX) || exit 1
# shellcheck source=tests/interop/lib.sh
. "$HERE/lib.sh"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

passed=0 failed=0 skipped=0
if [ "$(id -u)" != 0 ]; then
	for t in "${tests[@]}"; do
		printf 'SKIP %-22s the interop lab needs root\n' "$t"
	done
	echo "0 passed, 0 failed, ${#tests[@]} skipped"
	exit 0
fi

lab_reap_stale

# One PKI for the whole run (RSA-4096 keys take seconds to make).
printf '%s\n' "making the lab's PKI..." >&2
if ! lab_pki_make "$work/pki"; then
	echo "cannot make the lab's PKI with strongSwan's pki:" >&2
	tail -n 5 "$work/pki/pki.log" >&2
	echo "0 passed, ${#tests[@]} failed"
	exit 1
fi
export TERN_LAB_PKI=$work/pki

[ "$sw_client" = 1 ] && echo "(tests run against sw-tern.sh, strongSwan as the client)"
n=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	id="$$-$n"
	dir=$work/$t
	mkdir -p "$dir"
	t0=$SECONDS
	TERN_LAB_ID=$id TERN_LAB_LOGDIR=$dir \
		timeout -k 10 "$timeout_s" bash "$HERE/$t.sh" >"$dir/output" 2>&1 </dev/null
	rc=$?
	lab_reap "$id"
	dt=$((SECONDS - t0))
	reason=$(grep -E '^(FAIL|SKIP): ' "$dir/output" | tail -n 1 | sed -E 's/^(FAIL|SKIP): //')
	case $rc in
	0)
		passed=$((passed + 1))
		rm -rf "${logs:?}/$t"
		printf 'PASS %-22s (%ds)\n' "$t" "$dt"
		;;
	77)
		skipped=$((skipped + 1))
		printf 'SKIP %-22s %s\n' "$t" "$reason"
		;;
	*)
		failed=$((failed + 1))
		[ "$rc" = 124 ] || [ "$rc" = 137 ] && reason="timed out after ${timeout_s}s${reason:+ ($reason)}"
		printf 'FAIL %-22s %s (%ds)\n' "$t" "${reason:-exit code $rc}" "$dt"
		rm -rf "${logs:?}/$t"
		mkdir -p "$logs/$t" && cp -r "$dir"/. "$logs/$t"/ 2>/dev/null
		find "$logs/$t" -type s -delete 2>/dev/null
		last_err=$(find "$dir" -name 'tern-*.err' -size +0 | sort -V | tail -n 1)
		for f in "$dir/output" "$dir"/charon-*.log $last_err; do
			[ -s "$f" ] || continue
			echo "    --- ${f##*/} (last lines; all in $logs/$t/)"
			tail -n 12 "$f" | sed 's/^/    /'
		done
		;;
	esac
done

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
