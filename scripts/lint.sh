#!/bin/bash
# Static analysis of every C file the build compiles (compile_commands.json of build-lint/,
# configured with clang and -Dfuzz=true so the fuzz targets are included):
#   clang-tidy  checks from .clang-tidy (tests/.clang-tidy for test code); known false
#               positives listed in .clang-tidy-suppressions (path and check, with a reason)
#   cppcheck    --enable=warning,performance,portability, suppressions in .cppcheck
#
#   scripts/lint.sh [FILE...]     (default: the whole tree)
#
# Prints each finding as "path:line:col: message [check]" and a summary line; exits 1 if
# anything was found. Environment: BUILD_DIR (default build-lint), JOBS (default 2).
# Needs clang, clang-tidy, cppcheck (Debian packages clang, clang-tidy, cppcheck).
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-lint}
JOBS=${JOBS:-2}
SUPP=$ROOT/.clang-tidy-suppressions

for tool in clang clang-tidy cppcheck; do
	if ! command -v $tool >/dev/null; then
		echo "lint.sh: needs $tool (Debian package ${tool%%-*}${tool#clang}: apt-get install $tool)" >&2
		exit 2
	fi
done

if [ ! -f "$BUILD/compile_commands.json" ]; then
	CC=clang meson setup "$BUILD" "$ROOT" -Dfuzz=true >"$BUILD.setup.log" 2>&1 || {
		cat "$BUILD.setup.log" >&2
		echo "lint.sh: meson setup failed" >&2
		exit 1
	}
	rm -f "$BUILD.setup.log"
fi

# The repository's C files in the compilation database, each once.
files=()
if [ $# -gt 0 ]; then
	for f in "$@"; do files+=("$(realpath "$f")"); done
else
	while IFS= read -r f; do
		files+=("$f")
	done < <(sed -n 's/^ *"file": "\(.*\)",\{0,1\}$/\1/p' "$BUILD/compile_commands.json" |
		while IFS= read -r f; do
			case $f in /*) realpath -m "$f" ;; *) realpath -m "$BUILD/$f" ;; esac
		done | grep "^$ROOT/" | sort -u)
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT INT TERM

# clang-tidy, JOBS files at a time; each file's findings in its own log.
# shellcheck disable=SC2016 # $1..$3 are the inner shell's arguments
printf '%s\n' "${files[@]}" | xargs -P "$JOBS" -I{} sh -c \
	'clang-tidy -p "$1" --quiet "$2" >"$3/$(echo "$2" | tr / _).tidy" 2>/dev/null' _ \
	"$BUILD" {} "$out"

# suppressed PATH CHECKS: true when .clang-tidy-suppressions lists PATH (relative to the
# repository) with one of CHECKS (comma-separated, as clang-tidy prints them).
suppressed() {
	local path=$1 checks=$2 p c check
	[ -f "$SUPP" ] || return 1
	while read -r p c; do
		case $p in '#'* | '') continue ;; esac
		[ "$p" = "$path" ] || continue
		for check in ${checks//,/ }; do
			[ "$check" = "$c" ] && return 0
		done
	done <"$SUPP"
	return 1
}

tidy=0
sort -u "$out"/*.tidy 2>/dev/null | grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' |
	while IFS= read -r line; do
		# clang-tidy names files as the compile command does: relative to the build dir.
		file=${line%%:*}
		case $file in
		/*) file=$(realpath -m "$file") ;;
		*) file=$(realpath -m "$BUILD/$file") ;;
		esac
		rest=${line#*:}
		rel=${file#"$ROOT"/}
		checks=$(sed -n 's/.*\[\([^]]*\)\]$/\1/p' <<<"$line")
		suppressed "$rel" "$checks" && continue
		echo "$rel:$rest"
	done >"$out/tidy.txt"
tidy=$(wc -l <"$out/tidy.txt")
cat "$out/tidy.txt"

# cppcheck over the same compilation database (its include paths and defines).
filter=()
if [ $# -gt 0 ]; then
	for f in "${files[@]}"; do filter+=(--file-filter="$f"); done
fi
cppcheck "${filter[@]}" --enable=warning,performance,portability --std=c11 --quiet --inline-suppr \
	--suppressions-list="$ROOT/.cppcheck" --project="$BUILD/compile_commands.json" \
	-j "$JOBS" --template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
	2>"$out/cppcheck.txt" >/dev/null
sed "s|^$ROOT/||" "$out/cppcheck.txt" | grep -E '^[^ ]+:[0-9]+:' >"$out/cppcheck-findings.txt"
cpp=$(wc -l <"$out/cppcheck-findings.txt")
cat "$out/cppcheck-findings.txt"

echo "lint: ${#files[@]} files; clang-tidy: $tidy finding(s); cppcheck: $cpp finding(s)"
[ "$tidy" = 0 ] && [ "$cpp" = 0 ]
