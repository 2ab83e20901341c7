# shellcheck shell=bash
# The interop lab: a strongSwan gateway and a client in two network namespaces.
#
# Sourced by every tests/interop/t_*.sh (and bench/interop.sh). A test calls lab_init, then
# builds the gateway with gw_config + gw_start, runs tern in the client namespace with
# tern_connect, and ends with lab_pass, lab_fail REASON or lab_skip REASON. Everything the lab
# made (processes in its namespaces, the namespaces, /etc/netns/<ns>) is removed on any exit.
#
#   client ns (tern-cl-ID)                 gateway ns (tern-gw-ID)
#   cl0 192.0.2.2/24      <--- veth --->   gw0 192.0.2.1/24        lo: 203.0.113.254/32
#   cl1 198.51.100.2/24   <--- veth --->   gw1 198.51.100.1/24     (second path: lab_add_path2)
#
# Environment: TERN (path of the tern binary), TERN_LAB_ID (names; default: the shell's pid),
# TERN_LAB_PKI (a PKI directory shared by a whole run; made here when unset),
# TERN_LAB_LOGDIR (where logs go; default: the lab's temp dir).
#
# Exit codes of a test: 0 pass, 77 skip, anything else fail. The last "FAIL: ..." or
# "SKIP: ..." line of its output is the reason.

set -u -o pipefail

LAB_ID=${TERN_LAB_ID:-$$}
NS_GW=tern-gw-$LAB_ID
NS_CL=tern-cl-$LAB_ID
LAB_DIR=
LAB_LOGS=
LAB_PKI=${TERN_LAB_PKI:-}
LAB_KEEP=0
TERN=${TERN:-}

GW_ADDR=192.0.2.1
CL_ADDR=192.0.2.2
GW_ADDR2=198.51.100.1
CL_ADDR2=198.51.100.2
INNER_PROBE=203.0.113.254
POOL_DNS=203.0.113.53
SERVER_ID=vpn.example.test
EAP_USER=carol
EAP_PASSWORD=carol-password

CHARON=${CHARON:-/usr/lib/ipsec/charon}

# Plugins present in Debian 12's strongswan packages (openssl provides X25519 and
# ChaCha20-Poly1305 there: there is no curve25519 or chapoly plugin).
LAB_PLUGINS="random nonce openssl pem pkcs1 pkcs8 x509 revocation constraints pubkey gcm aes \
sha1 sha2 md5 hmac kdf kernel-libipsec kernel-netlink socket-default vici eap-identity \
eap-mschapv2 eap-md5 attr updown"

# ---------------------------------------------------------------------------------------------
# Reporting

lab_log() { printf '%s\n' "$*" >&2; }

lab_fail() {
	LAB_KEEP=1
	echo "FAIL: $*"
	exit 1
}

lab_skip() {
	echo "SKIP: $*"
	exit 77
}

lab_pass() {
	echo "PASS"
	exit 0
}

# lab_need_tern: skips the test when TERN is not set; fails it when TERN names no program.
lab_need_tern() {
	[ -n "$TERN" ] || lab_skip "TERN is not set (path of the tern binary)"
	[ -x "$TERN" ] || lab_fail "no tern binary at $TERN"
}

# ---------------------------------------------------------------------------------------------
# Namespaces

lab_nsexec_gw() { ip netns exec "$NS_GW" "$@"; }
lab_nsexec_cl() { ip netns exec "$NS_CL" "$@"; }

# lab_init: checks the tools, makes the temp dir, the two namespaces and the first path.
lab_init() {
	[ "$(id -u)" = 0 ] || lab_skip "the lab needs root (network namespaces)"
	local t
	for t in ip "$CHARON" swanctl pki timeout unshare; do
		command -v "$t" >/dev/null 2>&1 || lab_skip "missing tool: $t"
	done
	LAB_DIR=$(mktemp -d "/tmp/tern-lab-$LAB_ID.XXXXXX") || lab_fail "mktemp failed"
	LAB_LOGS=${TERN_LAB_LOGDIR:-$LAB_DIR/logs}
	mkdir -p "$LAB_LOGS" || lab_fail "cannot make log dir $LAB_LOGS"
	trap lab_cleanup EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	trap 'exit 129' HUP

	ip netns add "$NS_GW" || lab_fail "cannot create namespace $NS_GW"
	ip netns add "$NS_CL" || lab_fail "cannot create namespace $NS_CL"
	# ip netns exec bind-mounts /etc/netns/<ns>/* over /etc: tern's DNS changes land here.
	mkdir -p "/etc/netns/$NS_CL" "/etc/netns/$NS_GW"
	printf 'nameserver 192.0.2.1\n' >"/etc/netns/$NS_CL/resolv.conf"
	printf '127.0.0.1 localhost\n%s %s\n' "$GW_ADDR" "$SERVER_ID" >"/etc/netns/$NS_CL/hosts"
	printf 'nameserver 127.0.0.1\n' >"/etc/netns/$NS_GW/resolv.conf"

	ip -n "$NS_GW" link set lo up
	ip -n "$NS_CL" link set lo up
	ip -n "$NS_GW" addr add "$INNER_PROBE/32" dev lo
	lab_add_path gw0 cl0 "$GW_ADDR" "$CL_ADDR"
}

# lab_add_path GWIF CLIF GWADDR CLADDR: a veth pair between the namespaces, /24 on each end.
lab_add_path() {
	ip -n "$NS_GW" link add "$1" type veth peer name "$2" netns "$NS_CL" ||
		lab_fail "cannot create veth $1/$2"
	ip -n "$NS_GW" addr add "$3/24" dev "$1"
	ip -n "$NS_CL" addr add "$4/24" dev "$2"
	ip -n "$NS_GW" link set "$1" up
	ip -n "$NS_CL" link set "$2" up
	lab_wait 5 lab_nsexec_cl ping -c 1 -W 1 "$3" >/dev/null 2>&1 ||
		lab_fail "path $4 -> $3 does not answer ping"
}

# lab_add_path2: the second path, 198.51.100.0/24, for roaming tests.
lab_add_path2() { lab_add_path gw1 cl1 "$GW_ADDR2" "$CL_ADDR2"; }

# lab_set_mtu MTU [1|2]: sets the MTU of both ends of path 1 (default) or 2.
lab_set_mtu() {
	local n=${2:-1}
	ip -n "$NS_GW" link set "gw$((n - 1))" mtu "$1" || lab_fail "cannot set MTU $1"
	ip -n "$NS_CL" link set "cl$((n - 1))" mtu "$1" || lab_fail "cannot set MTU $1"
}

# lab_link_down|lab_link_up [1|2]: takes the client's end of a path down or up.
lab_link_down() { ip -n "$NS_CL" link set "cl$((${1:-1} - 1))" down; }
lab_link_up() { ip -n "$NS_CL" link set "cl$((${1:-1} - 1))" up; }

# lab_wait SECONDS CMD...: runs CMD every 0.1 s until it succeeds; fails after SECONDS.
lab_wait() {
	local end=$((SECONDS + $1))
	shift
	while :; do
		"$@" && return 0
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# lab_ns_kill NS: ends every process in a namespace (TERM, then KILL after 3 s).
lab_ns_kill() {
	local pids
	pids=$(ip netns pids "$1" 2>/dev/null) || return 0
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086
	kill $pids 2>/dev/null
	for _ in $(seq 30); do
		pids=$(ip netns pids "$1" 2>/dev/null)
		[ -n "$pids" ] || return 0
		sleep 0.1
	done
	# shellcheck disable=SC2086
	kill -9 $pids 2>/dev/null
	sleep 0.2
}

# lab_reap ID: removes what a lab with this ID left behind (used by run.sh after a test).
lab_reap() {
	local ns
	for ns in "tern-gw-$1" "tern-cl-$1"; do
		if [ -e "/run/netns/$ns" ]; then
			lab_ns_kill "$ns"
			ip netns del "$ns" 2>/dev/null
		fi
		rm -rf "/etc/netns/$ns"
	done
}

# lab_reap_stale: removes labs whose run is gone (names carry the pid of the shell that made
# them: tern-gw-PID or tern-gw-PID-N). Labs of runs still alive are left alone.
lab_reap_stale() {
	local ns id pid
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $ns in tern-gw-* | tern-cl-*) ;; *) continue ;; esac
		id=${ns#tern-??-}
		pid=${id%%-*}
		case $pid in '' | *[!0-9]*) continue ;; esac
		kill -0 "$pid" 2>/dev/null && continue
		lab_log "removing the stale lab $ns"
		lab_reap "$id"
	done
}

lab_cleanup() {
	local rc=$?
	trap - EXIT TERM INT HUP
	[ "$rc" = 0 ] || [ "$rc" = 77 ] || LAB_KEEP=1
	lab_ns_kill "$NS_CL"
	lab_ns_kill "$NS_GW"
	ip netns del "$NS_CL" 2>/dev/null
	ip netns del "$NS_GW" 2>/dev/null
	rm -rf "/etc/netns/$NS_CL" "/etc/netns/$NS_GW"
	if [ -n "$LAB_DIR" ]; then
		if [ "$LAB_KEEP" = 1 ] && [ -z "${TERN_LAB_LOGDIR:-}" ]; then
			find "$LAB_DIR" -type s -delete 2>/dev/null
			lab_log "logs kept in $LAB_LOGS"
		else
			rm -rf "$LAB_DIR"
		fi
	fi
	exit "$rc"
}

# ---------------------------------------------------------------------------------------------
# PKI (strongSwan's pki). All sets: ecdsa (P-256 CA and server), rsa (RSA-2048), chain (RSA-4096
# root -> intermediate -> server), expired (server cert of the ecdsa CA, validity in 2020),
# other (a second ECDSA CA and its server cert). Every server cert: CN and SAN
# vpn.example.test, SAN 192.0.2.1, serverAuth and ikeIntermediate.

lab_pki_run() { pki "$@" 2>>"$LAB_PKI/pki.log"; }

lab_pki_key() { # TYPE BITS OUT
	lab_pki_run --gen --type "$1" --size "$2" --outform pem >"$3"
}

lab_pki_ca() { # TYPE KEY CN OUT
	lab_pki_run --self --ca --lifetime 3650 --in "$2" --type "$1" \
		--dn "C=XX, O=tern lab, CN=$3" --outform pem >"$4"
}

lab_pki_issue() { # TYPE KEY CACRT CAKEY OUT [extra pki args]
	local type=$1 key=$2 cacrt=$3 cakey=$4 out=$5
	shift 5
	lab_pki_run --pub --in "$key" --type "$type" >"$out.pub" &&
		lab_pki_run --issue --in "$out.pub" --type pub --cacert "$cacrt" --cakey "$cakey" \
			--outform pem "$@" >"$out"
}

lab_pki_server() { # TYPE KEY CACRT CAKEY OUT [extra]
	local type=$1 key=$2 cacrt=$3 cakey=$4 out=$5
	shift 5
	lab_pki_issue "$type" "$key" "$cacrt" "$cakey" "$out" \
		--dn "C=XX, O=tern lab, CN=$SERVER_ID" --san "$SERVER_ID" --san "$GW_ADDR" \
		--flag serverAuth --flag ikeIntermediate "$@"
}

# lab_pki_make DIR: makes every set in DIR (skips sets already there).
lab_pki_make() {
	LAB_PKI=$1
	mkdir -p "$LAB_PKI" || return 1
	local d=$LAB_PKI
	if [ ! -s "$d/ecdsa/srv.crt" ]; then
		mkdir -p "$d/ecdsa" && (
			cd "$d/ecdsa" &&
				lab_pki_key ecdsa 256 ca.key && lab_pki_ca ecdsa ca.key "tern lab ECDSA CA" ca.crt &&
				lab_pki_key ecdsa 256 srv.key &&
				lab_pki_server ecdsa srv.key ca.crt ca.key srv.crt --lifetime 730
		) || return 1
	fi
	if [ ! -s "$d/rsa/srv.crt" ]; then
		mkdir -p "$d/rsa" && (
			cd "$d/rsa" &&
				lab_pki_key rsa 2048 ca.key && lab_pki_ca rsa ca.key "tern lab RSA CA" ca.crt &&
				lab_pki_key rsa 2048 srv.key &&
				lab_pki_server rsa srv.key ca.crt ca.key srv.crt --lifetime 730
		) || return 1
	fi
	if [ ! -s "$d/chain/srv.crt" ]; then
		mkdir -p "$d/chain" && (
			cd "$d/chain" &&
				lab_pki_key rsa 4096 ca.key && lab_pki_ca rsa ca.key "tern lab RSA-4096 root" ca.crt &&
				lab_pki_key rsa 4096 int.key &&
				lab_pki_issue rsa int.key ca.crt ca.key int.crt --ca --lifetime 1825 \
					--dn "C=XX, O=tern lab, CN=tern lab RSA-4096 intermediate" &&
				lab_pki_key rsa 4096 srv.key &&
				lab_pki_server rsa srv.key int.crt int.key srv.crt --lifetime 730
		) || return 1
	fi
	if [ ! -s "$d/expired/srv.crt" ]; then
		mkdir -p "$d/expired" && (
			cd "$d/expired" && cp ../ecdsa/ca.crt ca.crt &&
				lab_pki_key ecdsa 256 srv.key &&
				lab_pki_server ecdsa srv.key ../ecdsa/ca.crt ../ecdsa/ca.key srv.crt \
					--dateform '%Y-%m-%d %H:%M:%S' \
					--not-before '2020-01-01 00:00:00' --not-after '2020-12-31 00:00:00'
		) || return 1
	fi
	if [ ! -s "$d/other/srv.crt" ]; then
		mkdir -p "$d/other" && (
			cd "$d/other" &&
				lab_pki_key ecdsa 256 ca.key && lab_pki_ca ecdsa ca.key "another CA" ca.crt &&
				lab_pki_key ecdsa 256 srv.key &&
				lab_pki_server ecdsa srv.key ca.crt ca.key srv.crt --lifetime 730
		) || return 1
	fi
	return 0
}

# lab_pki: makes sure $LAB_PKI holds the PKI (in the lab's temp dir when no run shares one).
lab_pki() {
	[ -n "$LAB_PKI" ] || LAB_PKI=$LAB_DIR/pki
	lab_pki_make "$LAB_PKI" || lab_fail "cannot make the PKI (see $LAB_PKI/pki.log)"
}

# lab_ca SET: the CA file a client should trust for a gateway using cert set SET
# (the lab's main ECDSA CA for the expired and other sets).
lab_ca() {
	case $1 in
	rsa | chain) echo "$LAB_PKI/$1/ca.crt" ;;
	*) echo "$LAB_PKI/ecdsa/ca.crt" ;;
	esac
}

# ---------------------------------------------------------------------------------------------
# The gateway: charon with its own strongswan.conf, swanctl.conf and a private /run.

GW_DIR=
GW_PID=
GW_LOG=

GW_IKE_DEFAULT="aes256gcm16-prfsha256-x25519, chacha20poly1305-prfsha256-x25519, aes256-sha256-modp2048"
GW_ESP_DEFAULT="aes256gcm16, chacha20poly1305"

# gw_config [--ike P] [--esp P] [--eap mschapv2|md5] [--cert SET] [--fragmentation yes|no|accept]
#           [--opt 'charon-level strongswan.conf line']... [--conn 'swanctl connection line']...
#           [--child 'swanctl child (net) line']... [--local-ts TS (default 0.0.0.0/0)]
gw_config() {
	local ike=$GW_IKE_DEFAULT esp=$GW_ESP_DEFAULT eap=mschapv2 cert=ecdsa frag=yes
	local opts="" conns="" childs="" local_ts=0.0.0.0/0
	while [ $# -gt 0 ]; do
		case $1 in
		--ike) ike=$2 ;;
		--esp) esp=$2 ;;
		--eap) eap=$2 ;;
		--cert) cert=$2 ;;
		--fragmentation) frag=$2 ;;
		--opt) opts="$opts  $2"$'\n' ;;
		--conn) conns="$conns    $2"$'\n' ;;
		--child) childs="$childs        $2"$'\n' ;;
		--local-ts) local_ts=$2 ;;
		*) lab_fail "gw_config: unknown option $1" ;;
		esac
		shift 2
	done
	lab_pki
	[ -s "$LAB_PKI/$cert/srv.crt" ] || lab_fail "gw_config: no cert set '$cert'"
	GW_DIR=$LAB_DIR/gw
	GW_LOG=$LAB_LOGS/charon-gw.log
	local sw=$GW_DIR/swanctl keydir=ecdsa
	grep -q 'BEGIN RSA PRIVATE KEY' "$LAB_PKI/$cert/srv.key" && keydir=rsa
	rm -rf "$GW_DIR"
	mkdir -p "$sw/x509" "$sw/x509ca" "$sw/$keydir" || lab_fail "cannot make $sw"
	cp "$LAB_PKI/$cert/srv.crt" "$sw/x509/srv.crt"
	cp "$LAB_PKI/$cert/srv.key" "$sw/$keydir/srv.key"
	cp "$LAB_PKI/$cert/ca.crt" "$sw/x509ca/ca.crt"
	[ -f "$LAB_PKI/$cert/int.crt" ] && cp "$LAB_PKI/$cert/int.crt" "$sw/x509ca/int.crt"

	cat >"$GW_DIR/strongswan.conf" <<EOF
charon {
  load = $LAB_PLUGINS
  install_virtual_ip = no
  filelog {
    lab {
      path = $GW_LOG
      time_format = %H:%M:%S
      append = no
      flush_line = yes
      default = 1
      ike = 2
      net = 2
      cfg = 2
    }
  }
  plugins {
    vici { socket = unix://$GW_DIR/charon.vici }
    openssl { load_legacy = yes }
  }
$opts}
swanctl {
  load = random openssl pem pkcs1 pkcs8 x509 pubkey
}
EOF
	cat >"$sw/swanctl.conf" <<EOF
connections {
  rw {
    pools = pool4
    send_certreq = no
    mobike = yes
    encap = yes
    fragmentation = $frag
    proposals = $ike
$conns    local {
      auth = pubkey
      certs = srv.crt
      id = $SERVER_ID
    }
    remote {
      auth = eap-$eap
      eap_id = %any
    }
    children {
      net {
        local_ts = $local_ts
        esp_proposals = $esp
$childs      }
    }
  }
}
secrets {
  eap-carol {
    id = $EAP_USER
    secret = "$EAP_PASSWORD"
  }
}
pools {
  pool4 {
    addrs = 203.0.113.1-203.0.113.50
    dns = $POOL_DNS
  }
}
EOF
}

gw_swanctl() {
	STRONGSWAN_CONF=$GW_DIR/strongswan.conf SWANCTL_DIR=$GW_DIR/swanctl lab_nsexec_gw swanctl "$@" --uri "unix://$GW_DIR/charon.vici"
}

# lab_charon_start NS DIR PIDVAR: starts charon in NS with DIR/strongswan.conf, a private
# /run, and waits until its vici socket answers.
lab_charon_start() {
	local ns=$1 dir=$2
	# shellcheck disable=SC2016 # expanded by the inner shell
	ip netns exec "$ns" unshare -m sh -c \
		'mount -t tmpfs none /run && exec env STRONGSWAN_CONF="$1/strongswan.conf" "$2"' \
		sh "$dir" "$CHARON" >"$dir/charon.out" 2>&1 &
	printf -v "$3" '%s' "$!"
}

# gw_start: starts the gateway's charon and loads its configuration.
gw_start() {
	[ -n "$GW_DIR" ] || gw_config --cert ecdsa
	lab_charon_start "$NS_GW" "$GW_DIR" GW_PID
	lab_wait 10 gw_swanctl --stats >/dev/null 2>&1 ||
		lab_fail "gateway charon did not start (see $GW_LOG, $GW_DIR/charon.out)"
	gw_swanctl --load-all --noprompt --file "$GW_DIR/swanctl/swanctl.conf" \
		>"$LAB_LOGS/swanctl-gw-load.log" 2>&1 ||
		lab_fail "swanctl could not load the gateway config: $(tail -n 1 "$LAB_LOGS/swanctl-gw-load.log")"
}

# gw_stop: stops the gateway's charon.
gw_stop() {
	[ -n "$GW_PID" ] || return 0
	kill "$GW_PID" 2>/dev/null
	lab_wait 5 lab_pid_gone "$GW_PID" || kill -9 "$GW_PID" 2>/dev/null
	GW_PID=
}

lab_pid_gone() { ! kill -0 "$1" 2>/dev/null; }

gw_list_sas() { gw_swanctl --list-sas 2>&1; }
gw_list_sas_raw() { gw_swanctl --list-sas --raw 2>/dev/null; }

# gw_sa_count: the number of established IKE_SAs on the gateway.
gw_sa_count() { gw_list_sas_raw | grep -c '^list-sa event.*state=ESTABLISHED'; }

gw_has_no_sa() { [ "$(gw_sa_count)" = 0 ]; }
gw_has_sa() { [ "$(gw_sa_count)" -ge 1 ]; }

# gw_sa_field KEY: the value of KEY=VALUE in the gateway's raw list-sas output (first match).
gw_sa_field() {
	gw_list_sas_raw | tr -s ' {}' '\n' | sed -n "s/^$1=//p" | head -n 1
}

# gw_log_has REGEX: the gateway's log matches REGEX (extended).
gw_log_has() { grep -Eq -- "$1" "$GW_LOG"; }

# ---------------------------------------------------------------------------------------------
# A strongSwan client in the client namespace (for the lab's self-check and the benchmark).

CL_DIR=
CL_PID=

# cl_config [--ike P] [--esp P] [--cert SET]
cl_config() {
	local ike="aes256gcm16-prfsha256-x25519" esp="aes256gcm16" cert=ecdsa
	while [ $# -gt 0 ]; do
		case $1 in
		--ike) ike=$2 ;;
		--esp) esp=$2 ;;
		--cert) cert=$2 ;;
		*) lab_fail "cl_config: unknown option $1" ;;
		esac
		shift 2
	done
	lab_pki
	CL_DIR=$LAB_DIR/cl
	local sw=$CL_DIR/swanctl
	rm -rf "$CL_DIR"
	mkdir -p "$sw/x509ca" || lab_fail "cannot make $sw"
	cp "$(lab_ca "$cert")" "$sw/x509ca/ca.crt"
	cat >"$CL_DIR/strongswan.conf" <<EOF
charon {
  load = $LAB_PLUGINS
  filelog {
    lab {
      path = $LAB_LOGS/charon-cl.log
      time_format = %H:%M:%S
      append = no
      flush_line = yes
      default = 1
      ike = 2
      cfg = 2
    }
  }
  plugins {
    vici { socket = unix://$CL_DIR/charon.vici }
    openssl { load_legacy = yes }
  }
}
swanctl {
  load = random openssl pem pkcs1 pkcs8 x509 pubkey
}
EOF
	cat >"$sw/swanctl.conf" <<EOF
connections {
  home {
    remote_addrs = $GW_ADDR
    vips = 0.0.0.0
    encap = yes
    proposals = $ike
    local {
      auth = eap-mschapv2
      eap_id = $EAP_USER
    }
    remote {
      auth = pubkey
      id = $SERVER_ID
    }
    children {
      home {
        remote_ts = 203.0.113.0/24
        esp_proposals = $esp
      }
    }
  }
}
secrets {
  eap-carol {
    id = $EAP_USER
    secret = "$EAP_PASSWORD"
  }
}
EOF
}

cl_swanctl() {
	STRONGSWAN_CONF=$CL_DIR/strongswan.conf SWANCTL_DIR=$CL_DIR/swanctl lab_nsexec_cl swanctl "$@" --uri "unix://$CL_DIR/charon.vici"
}

# cl_start: starts the client's charon and loads its configuration (does not connect).
cl_start() {
	[ -n "$CL_DIR" ] || cl_config --cert ecdsa
	lab_charon_start "$NS_CL" "$CL_DIR" CL_PID
	lab_wait 10 cl_swanctl --stats >/dev/null 2>&1 ||
		lab_fail "client charon did not start (see $LAB_LOGS/charon-cl.log)"
	cl_swanctl --load-all --noprompt --file "$CL_DIR/swanctl/swanctl.conf" \
		>"$LAB_LOGS/swanctl-cl-load.log" 2>&1 ||
		lab_fail "swanctl could not load the client config"
}

# cl_initiate: connects the strongSwan client (returns swanctl's status).
cl_initiate() {
	cl_swanctl --initiate --child home --timeout 30 >"$LAB_LOGS/swanctl-cl-initiate.log" 2>&1
}

cl_stop() {
	[ -n "$CL_PID" ] || return 0
	kill "$CL_PID" 2>/dev/null
	lab_wait 5 lab_pid_gone "$CL_PID" || kill -9 "$CL_PID" 2>/dev/null
	CL_PID=
}

# ---------------------------------------------------------------------------------------------
# tern in the client namespace

TERN_RC=
TERN_OUT=
TERN_ERR=
TERN_SOCK=
TERN_PWFILE=
TERN_N=0

tern_prepare() {
	[ -n "$TERN_SOCK" ] && return 0
	mkdir -m 0700 "$LAB_DIR/run" || lab_fail "cannot make $LAB_DIR/run"
	TERN_SOCK=$LAB_DIR/run/tern.sock
	TERN_PWFILE=$LAB_DIR/password
	(umask 077 && printf '%s\n' "$EAP_PASSWORD" >"$TERN_PWFILE")
}

# tern_run ARGS...: runs tern ARGS in the client namespace (TERN_RUN_TIMEOUT, 30 s, at most;
# standard input from the file TERN_STDIN or /dev/null). Sets TERN_RC and TERN_OUT / TERN_ERR
# (files with its stdout and stderr, kept in the log dir).
tern_run() {
	tern_prepare
	TERN_N=$((TERN_N + 1))
	TERN_OUT=$LAB_LOGS/tern-$TERN_N-$1.out
	TERN_ERR=$LAB_LOGS/tern-$TERN_N-$1.err
	printf '%s\n' "tern $*" >"$LAB_LOGS/tern-$TERN_N-$1.cmd"
	# A daemon keeps these files open: never read tern's output through a pipe here.
	timeout -k 5 "${TERN_RUN_TIMEOUT:-30}" ip netns exec "$NS_CL" "$TERN" "$@" \
		<"${TERN_STDIN:-/dev/null}" >"$TERN_OUT" 2>"$TERN_ERR"
	TERN_RC=$?
	return 0
}

# tern_connect ARGS...: tern connect as carol through the lab's control socket, plus ARGS.
# Defaults, each used unless ARGS has the option: --server 192.0.2.1, --password-file (carol's
# password), --ca (the lab's ECDSA CA).
tern_connect() {
	tern_prepare
	local -a def=()
	case " $* " in *" --server "*) ;; *) def+=(--server "$GW_ADDR") ;; esac
	case " $* " in *" --ca "*) ;; *) def+=(--ca "$(lab_ca ecdsa)") ;; esac
	case " $* " in
	*" --password-file "* | *" --password-stdin "*) ;;
	*) def+=(--password-file "$TERN_PWFILE") ;;
	esac
	case " $* " in *" --user "*) ;; *) def+=(--user "$EAP_USER") ;; esac
	tern_run connect "${def[@]}" --socket "$TERN_SOCK" "$@"
}

tern_disconnect() { tern_run disconnect --socket "$TERN_SOCK"; }
tern_status() { tern_run status --socket "$TERN_SOCK" "$@"; }

# tern_pids: pids of tern processes in the client namespace.
tern_pids() {
	local p
	for p in $(ip netns pids "$NS_CL" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = tern ] && echo "$p"
	done
}

tern_gone() { [ -z "$(tern_pids)" ]; }

# tern_expect_connected: fails the test unless the last tern run returned 0.
tern_expect_connected() {
	[ "$TERN_RC" = 0 ] ||
		lab_fail "${1:-tern connect} returned $TERN_RC: $(tail -n 1 "$TERN_ERR" | cut -c 1-300)"
}

# tern_expect_failure CODE WHAT: fails the test unless tern returned CODE with one line on
# stderr.
tern_expect_failure() {
	local want=$1 what=$2
	[ "$TERN_RC" = "$want" ] ||
		lab_fail "$what: tern returned $TERN_RC, expected $want ($(tail -n 1 "$TERN_ERR" | cut -c 1-300))"
	if [ "$(grep -c '' "$TERN_ERR")" != 1 ] || ! grep -q '[[:alnum:]]' "$TERN_ERR"; then
		lab_fail "$what: expected one line with the reason on stderr, got $(grep -c '' "$TERN_ERR") lines"
	fi
	lab_log "$what: exit $TERN_RC: $(cat "$TERN_ERR")"
}

# tern_expect_sa_up: the gateway shows carol's IKE_SA with a virtual IP from the pool.
tern_expect_sa_up() {
	lab_wait 5 gw_has_sa || lab_fail "the gateway shows no IKE_SA after tern connected"
	local raw
	raw=$(gw_list_sas_raw)
	printf '%s\n' "$raw" >>"$LAB_LOGS/gw-list-sas.log"
	grep -q 'state=ESTABLISHED' <<<"$raw" || lab_fail "the gateway's IKE_SA is not ESTABLISHED"
	# vici names the EAP identity as remote-eap-id only when it differs from the IKE identity
	# (remote-id); tern's IDi is the EAP identity, so either field may carry it.
	grep -Eq "remote-eap-id=$EAP_USER |remote-id=$EAP_USER " <<<"$raw" ||
		lab_fail "the gateway's IKE_SA has no EAP identity $EAP_USER"
	grep -q 'remote-eap-id=' <<<"$raw" && ! grep -q "remote-eap-id=$EAP_USER " <<<"$raw" &&
		lab_fail "the gateway's IKE_SA has another EAP identity than $EAP_USER"
	grep -Eq 'remote-vips=\[203\.0\.113\.[0-9]+' <<<"$raw" ||
		lab_fail "the gateway's IKE_SA has no virtual IP from 203.0.113.0/24"
	grep -q 'state=INSTALLED' <<<"$raw" || lab_fail "the gateway has no installed CHILD_SA"
}

# tern_disconnect_check: tern disconnect; then no SA on the gateway and no tern process.
tern_disconnect_check() {
	tern_disconnect
	[ "$TERN_RC" = 0 ] || lab_fail "tern disconnect returned $TERN_RC: $(tail -n 1 "$TERN_ERR")"
	lab_wait 5 gw_has_no_sa || lab_fail "the gateway still shows an IKE_SA after tern disconnect"
	lab_wait 5 tern_gone || lab_fail "a tern process still runs after tern disconnect"
}

# ---------------------------------------------------------------------------------------------
# Raw IKE messages

# lab_send_half_open: sends one IKE_SA_INIT request (RFC 7296 3.1-3.9) from the client
# namespace to the gateway and never continues it, which leaves a half-open IKE_SA there (it
# lives for charon's half_open_timeout, 30 s). Proposal: ENCR_AES_GCM_16 (20) with a 256-bit
# key, PRF_HMAC_SHA2_256 (5), DH group 31 (Curve25519) whose public value is Alice's from
# RFC 7748 section 6.1.
lab_send_half_open() {
	local hdr sa ke nonce
	# IKE header: SPIi "ternlab" 01, SPIr 0, next SA(33), version 2.0, IKE_SA_INIT(34),
	# flags Initiator, message ID 0, length 144.
	hdr='\x74\x65\x72\x6e\x6c\x61\x62\x01\x00\x00\x00\x00\x00\x00\x00\x00'
	hdr+='\x21\x20\x22\x08\x00\x00\x00\x00\x00\x00\x00\x90'
	# SA payload (next KE(34), length 40), one proposal (#1, IKE, 3 transforms, length 36).
	sa='\x22\x00\x00\x28'
	sa+='\x00\x00\x00\x24\x01\x01\x00\x03'
	sa+='\x03\x00\x00\x0c\x01\x00\x00\x14\x80\x0e\x01\x00' # ENCR 20, Key Length 256
	sa+='\x03\x00\x00\x08\x02\x00\x00\x05'                 # PRF 5
	sa+='\x00\x00\x00\x08\x04\x00\x00\x1f'                 # DH 31 (last transform)
	# KE payload (next Nonce(40), length 40, group 31, reserved, 32-byte public value).
	ke='\x28\x00\x00\x28\x00\x1f\x00\x00'
	ke+='\x85\x20\xf0\x09\x89\x30\xa7\x54\x74\x8b\x7d\xdc\xb4\x3e\xf7\x5a'
	ke+='\x0d\xbf\x3a\x0d\x26\x38\x1a\xf4\xeb\xa4\xa9\x8e\xaa\x9b\x4e\x6a'
	# Nonce payload (last, length 36, 32 bytes).
	nonce='\x00\x00\x00\x24'
	nonce+='\x6e\x6f\x6e\x63\x65\x2d\x74\x65\x72\x6e\x2d\x6c\x61\x62\x2d\x68'
	nonce+='\x61\x6c\x66\x2d\x6f\x70\x65\x6e\x2d\x30\x31\x32\x33\x34\x35\x36'
	# shellcheck disable=SC2016 # expanded by the inner shell
	lab_nsexec_cl bash -c 'printf "$1" >/dev/udp/"$2"/500' sh "$hdr$sa$ke$nonce" "$GW_ADDR"
}
