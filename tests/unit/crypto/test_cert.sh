#!/bin/sh
# Runs test_cert against certificates and signatures generated for this run by certs/gen.sh.
# Usage: test_cert.sh PATH/TO/test_cert
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
"$here/certs/gen.sh" "$tmp"
"$1" "$tmp"
