#!/bin/bash
# Refreshes the IKE seed corpora from real exchanges with strongSwan: runs interop tests
# (tests/interop/, default t_connect_basic t_fragmentation t_cookie t_invalid_ke t_eap_md5
# t_ike_proposals) with tcpdump capturing UDP 500/4500 inside the client namespace, then
# pcap2corpus.py writes the datagrams into tests/fuzz/corpus/<target>/ (cap-* files).
#
#   tests/fuzz/capture.sh BUILD_DIR [TEST...]      (root; needs tcpdump, python3, strongSwan)
#
# No test is changed: $TERN is a wrapper that starts tcpdump in the namespace it runs in
# before it execs the real tern; the lab's cleanup ends tcpdump with the namespace.
set -u -o pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
if [ $# -lt 1 ]; then
	echo "usage: $0 BUILD_DIR [TEST...]" >&2
	exit 2
fi
real=$(cd "$1" && pwd)/client/tern
shift
[ -x "$real" ] || { echo "capture.sh: no tern at $real" >&2; exit 2; }
for tool in tcpdump python3; do
	command -v $tool >/dev/null || { echo "capture.sh: needs $tool" >&2; exit 2; }
done
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(t_connect_basic t_fragmentation t_cookie t_invalid_ke t_eap_md5
	t_ike_proposals)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cat >"$tmp/tern" <<WRAP
#!/bin/sh
if [ "\$1" = connect ]; then
	tcpdump -i any -U -n -s 0 -w "$tmp/cap-\$\$.pcap" 'udp port 500 or udp port 4500' \
		>/dev/null 2>&1 &
	sleep 1
fi
exec "$real" "\$@"
WRAP
chmod +x "$tmp/tern"
for t in "${tests[@]}"; do
	t=${t%.sh}
	if TERN=$tmp/tern timeout -k 5 180 bash "$ROOT/tests/interop/$t.sh" >"$tmp/$t.log" 2>&1; then
		echo "capture.sh: $t passed"
	else
		echo "capture.sh: $t failed (its capture is used anyway); last lines:"
		tail -5 "$tmp/$t.log" | sed 's/^/    /'
	fi
done
sleep 1
python3 "$HERE/pcap2corpus.py" "$HERE/corpus" "$tmp"/cap-*.pcap
