# shellcheck shell=bash
# The Debian packages tern's build, tests and demo need, and a function that installs the
# missing ones (as root, without starting their services). Sourced by scripts/test.sh and
# scripts/demo.sh.

PACKAGES=(
	meson ninja-build pkg-config gcc libssl-dev libuv1-dev libnl-3-dev libnl-route-3-dev
	strongswan-charon strongswan-swanctl strongswan-pki libstrongswan-standard-plugins
	libcharon-extra-plugins libcharon-extauth-plugins
	iproute2 iputils-ping iperf3 tcpdump socat python3 valgrind openssl
	clang libclang-rt-14-dev clang-tidy cppcheck
)
[ "$(uname -m)" = x86_64 ] && PACKAGES+=(libipsec-mb-dev)

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -c 'install ok installed' >/dev/null
}

install_missing() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "missing packages (install them as root): ${missing[*]}" >&2
		return 1
	fi
	say "installing: ${missing[*]}"
	# Keep the packages' services (strongSwan's charon) from starting: the tests run their own
	# daemons in network namespaces.
	local policy=/usr/sbin/policy-rc.d own_policy=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
	fi
	local rc=0
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q || rc=1
	[ "$rc" = 0 ] && { apt-get install -y -q --no-install-recommends "${missing[@]}" || rc=1; }
	[ "$own_policy" = 1 ] && rm -f "$policy"
	return "$rc"
}

