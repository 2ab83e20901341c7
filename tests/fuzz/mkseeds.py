#!/usr/bin/env python3
"""Writes the hand-made seeds of the fuzz targets into tests/fuzz/corpus/<target>/ (files
named hm-*; capture.sh adds cap-* files from real exchanges and certs/gen.sh the fuzz_cert
seeds). Each seed follows the input format in the comment at the top of its target.
Usage: mkseeds.py [CORPUS_DIR]"""
import os, struct, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'corpus')
u16 = lambda v: struct.pack('>H', v)
u32 = lambda v: struct.pack('>I', v)

# IKEv2 numbers (RFC 7296 section 3, IANA registry)
SA, KE, IDR, CERT, AUTH, NONCE, NOTIFY, DELETE, TSI, TSR, SK, CP, EAP, SKF = \
    33, 34, 36, 37, 39, 40, 41, 42, 44, 45, 46, 47, 48, 53


def chain(*items):
    """[type of the first payload] + generic payload chain of (type, body)."""
    if not items:
        return b''
    out = bytes([items[0][0]])
    for i, (t, body) in enumerate(items):
        nxt = items[i + 1][0] if i + 1 < len(items) else 0
        out += bytes([nxt, 0]) + u16(4 + len(body)) + body
    return out


def message(exch, flags, msg_id, items):
    c = chain(*items)
    first, rest = (c[0], c[1:]) if c else (0, b'')
    return bytes(range(1, 9)) + bytes(range(0x11, 0x19)) + bytes([first, 0x20, exch, flags]) + \
        u32(msg_id) + u32(28 + len(rest)) + rest


def notify(ntype, data=b'', proto=0, spi=b''):
    return (NOTIFY, bytes([proto, len(spi)]) + u16(ntype) + spi + data)


def transform(last, ttype, tid, keylen=None):
    attrs = (u16(0x800e) + u16(keylen)) if keylen else b''
    return bytes([0 if last else 3, 0]) + u16(8 + len(attrs)) + bytes([ttype, 0]) + u16(tid) + attrs


def proposal(num, proto, spi, transforms):
    body = bytes([num, proto, len(spi), len(transforms)]) + spi + b''.join(transforms)
    return bytes([0, 0]) + u16(4 + len(body)) + body


ts4 = bytes([1, 0, 0, 0, 7, 0]) + u16(16) + u16(0) + u16(65535) + bytes(4) + bytes([255] * 4)
ts_both = bytes([2, 0, 0, 0, 7, 0]) + u16(16) + u16(0) + u16(65535) + bytes(4) + bytes([255] * 4) + \
    bytes([8, 6]) + u16(40) + u16(443) + u16(443) + bytes(16) + bytes([255] * 16)
cp_reply = bytes([2, 0, 0, 0]) + u16(1) + u16(4) + bytes([203, 0, 113, 2]) + u16(3) + u16(4) + \
    bytes([203, 0, 113, 53]) + u16(8) + u16(17) + bytes(16) + bytes([64]) + u16(10) + u16(16) + \
    bytes(15) + b'\1' + u16(13) + u16(8) + bytes([192, 0, 2, 0, 255, 255, 255, 0])
ike_sa = proposal(1, 1, b'', [transform(0, 1, 20, 256), transform(0, 2, 5), transform(1, 4, 31)])
esp_sa = proposal(1, 3, b'\xc0\x01\xd0\x0d', [transform(0, 1, 20, 256), transform(1, 5, 0)])
md5_req = bytes([1, 1]) + u16(22) + bytes([4, 16]) + bytes(range(16))
ident_req = bytes([1, 0]) + u16(5) + bytes([1])
ms_chal = bytes([1, 2]) + u16(5 + 4 + 16 + 7) + bytes([26, 1, 2]) + u16(4 + 16 + 7) + bytes([16]) + \
    bytes(range(16)) + b'gateway'
ms_success = bytes([1, 3]) + u16(5 + 4 + 42 + 7) + bytes([26, 3, 2]) + u16(4 + 42 + 7) + \
    b'S=' + b'0' * 40 + b' M=Welcome'[:7]
success, failure = bytes([3, 1, 0, 4]), bytes([4, 1, 0, 4])
notif_req = bytes([1, 4]) + u16(5 + 5) + bytes([2]) + b'hello'

seeds = {}
# fuzz_ike_msg: whole messages
seeds['fuzz_ike_msg'] = {
    'init-resp': message(34, 0x20, 0, [(SA, ike_sa), (KE, u16(31) + u16(0) + bytes(32)),
                                       (NONCE, bytes(32)), notify(16388, bytes(20)),
                                       notify(16389, bytes(20)), notify(16430)]),
    'auth-final-plain': message(35, 0x20, 3, [(AUTH, bytes([2, 0, 0, 0]) + bytes(32)), (CP, cp_reply),
                                              (SA, esp_sa), (TSI, ts4), (TSR, ts_both),
                                              notify(16396)]),
    'delete': message(37, 0, 0, [(DELETE, bytes([3, 4]) + u16(2) + b'\xc0\x01\xd0\x0d\0\0\1\0'),
                                 (DELETE, bytes([1, 0, 0, 0]))]),
    'sk-cp-inside': message(35, 0x20, 1, [(SK, bytes(8) + chain((CP, cp_reply))[1:] + bytes(16))])[:16] +
    bytes([SK]) + message(35, 0x20, 1, [(SK, bytes(8) + bytes(16))])[17:],
    'skf': message(35, 0x20, 2, [(SKF, u16(1) + u16(2) + bytes(8) + bytes(20))]),
    'critical-unknown': message(37, 0x20, 4, [notify(1, b'\x99')])[:28] + bytes([0, 0x80]) + u16(4),
}
# fuzz_ike_sk: [options][datagram]; option 2 makes the harness seal the plaintext in place.
def sk_msg(suite, items, pad=0):
    inner = chain(*items)
    first, body = (inner[0], inner[1:]) if inner else (0, b'')
    iv = bytes(16 if suite & 1 else 8)
    icv = bytes(16)
    if suite & 1:
        padlen = (16 - (len(body) + 1) % 16) % 16
        pt = body + bytes(padlen) + bytes([padlen])
    else:
        pt = body + bytes(pad) + bytes([pad])
    sk = bytes([first, 0]) + u16(4 + len(iv) + len(pt) + len(icv)) + iv + pt + icv
    hdr = bytes(range(1, 9)) + bytes(range(0x11, 0x19)) + bytes([SK, 0x20, 35, 0x20]) + u32(1) + \
        u32(28 + len(sk))
    return bytes([suite | 2]) + hdr + sk

seeds['fuzz_ike_sk'] = {
    'hm-gcm-eap': sk_msg(0, [(EAP, md5_req)]),
    'hm-gcm-pad': sk_msg(0, [(EAP, success), notify(16396)], pad=3),
    'hm-cbc-final': sk_msg(1, [(AUTH, bytes([2, 0, 0, 0]) + bytes(32)), (SA, esp_sa), (TSI, ts4),
                               (TSR, ts4)]),
    'hm-gcm-empty': sk_msg(0, []),
}
# fuzz_cp: a CP payload body
seeds['fuzz_cp'] = {'hm-reply': cp_reply, 'hm-request': bytes([1, 0, 0, 0]) + u16(1) + u16(0) +
                    u16(3) + u16(0) + u16(8) + u16(0) + u16(10) + u16(0)}
# fuzz_eap: [methods][records of an EAP packet each]
rec = lambda p: u16(len(p)) + p
seeds['fuzz_eap'] = {
    'hm-md5': b'\3' + rec(ident_req) + rec(md5_req) + rec(success),
    'hm-mschapv2': b'\1' + rec(ms_chal) + rec(ms_success) + rec(success),
    'hm-nak': b'\1' + rec(md5_req) + rec(notif_req) + rec(failure),
}
# fuzz_esp: [options][kind][len][bytes]; kind 1: [seq hi][seq lo][plaintext] sealed by the harness
def ipv4_udp(src, dst, payload=b'hi'):
    total = 20 + 8 + len(payload)
    return bytes([0x45, 0]) + u16(total) + bytes(4) + bytes([64, 17, 0, 0]) + bytes(src) + bytes(dst) + \
        u16(5000) + u16(53) + u16(8 + len(payload)) + u16(0) + payload
def ipv6_tcp(payload=b''):
    return bytes([0x60, 0, 0, 0]) + u16(20 + len(payload)) + bytes([6, 64]) + bytes(15) + b'\1' + \
        bytes(15) + b'\2' + u16(443) + u16(1000) + bytes(8) + bytes([0x50, 0x10]) + bytes(6) + payload
def esp_pt(inner, nh, pad=None):
    padlen = (4 - (len(inner) + 2) % 4) % 4 if pad is None else pad
    return inner + bytes(range(1, padlen + 1)) + bytes([padlen, nh])
def esp_rec(kind, seq, pt):
    body = u32(0) + u32(seq) + pt
    return bytes([kind]) + u16(len(body)) + body
gw, me = [192, 0, 2, 10], [203, 0, 113, 2]
seeds['fuzz_esp'] = {
    'hm-valid': b'\0' + esp_rec(1, 1, esp_pt(ipv4_udp(gw, me), 4)) + esp_rec(1, 2, esp_pt(ipv6_tcp(), 41)),
    'hm-narrow-ts': b'\x08' + esp_rec(1, 1, esp_pt(ipv4_udp(gw, me), 4)) +
    esp_rec(1, 2, esp_pt(ipv4_udp([198, 51, 100, 1], me), 4)),
    'hm-replay-esn-prev': b'\x06' + esp_rec(1, 5, esp_pt(ipv4_udp(gw, me), 4)) +
    esp_rec(1, 5, esp_pt(ipv4_udp(gw, me), 4)) + esp_rec(3, 1, esp_pt(ipv4_udp(gw, me), 4)) +
    esp_rec(1, 3, esp_pt(b'', 59)),
    'hm-chacha-tfc': b'\x01' + esp_rec(1, 9, esp_pt(ipv4_udp(gw, me) + bytes(13), 4)),
}
# fuzz_cli: NUL-separated argv
argv = lambda *a: b'\0'.join(x.encode() for x in a)
seeds['fuzz_cli'] = {
    'hm-connect': argv('connect', '--server', '192.0.2.1', '--user', 'carol', '--password-file',
                       'pw', '--ca', '/etc/ca.pem', '--ike', 'aes256gcm16-prfsha256-x25519',
                       '--esp', 'aes256gcm16,chacha20poly1305', '--eap', 'md5,mschapv2',
                       '--timeout', '10', '--mtu', '1400', '--ifname', 'tern1', '-f', '-vv'),
    'hm-status': argv('status', '--json', '--socket', '/run/t.sock'),
    'hm-help': argv('help', 'connect'),
    'hm-short': argv('connect', '-s', 'vpn.example.test', '-u', 'carol', '--password-stdin',
                     '--server-id', 'vpn.example.test', '--port', '4500', '--log-file', 'x.log'),
    'hm-version': argv('--version'),
}
# fuzz_proposal: [0 IKE / 1 ESP][string]
seeds['fuzz_proposal'] = {
    'hm-ike': b'\0aes256gcm16-prfsha256-x25519, aes256-sha256-prfsha384-modp2048-ecp256',
    'hm-esp': b'\1aes128gcm16-aes256gcm16-esn-noesn, chacha20poly1305-x25519',
    'hm-cbc': b'\0aes128-aes256-sha384-sha512-prfsha512-modp4096-curve25519',
}
seeds['fuzz_control'] = {'hm-status': b'status\n', 'hm-json': b'status-json\r\n',
                         'hm-two': b'disconnect\nstatus\n', 'hm-bad': b'reboot\n'}

# fuzz_ike_sa: [options] then records [kind][len][bytes] (see fuzz_ike_sa.c)
def r(kind, data=b''):
    return bytes([kind]) + u16(len(data)) + data
def sk(exch, flags, off, frags, c):
    return r(3, bytes([exch, flags, off, frags]) + c)
del_ike = chain((DELETE, bytes([1, 0, 0, 0])))
del_esp = chain((DELETE, bytes([3, 4, 0, 1, 0xc0, 0x01, 0xd0, 0x0d])))
def init_raw(items):
    return message(34, 0x20, 0, items)
md5_flow = r(4, chain((EAP, md5_req))) + sk(0, 1, 0, 0, chain((EAP, success)))
seeds['fuzz_ike_sa'] = {
    'hm-md5-full': b'\0' + r(2 | 8) + md5_flow + r(5 | 8) + sk(1, 0, 0, 0, del_ike),
    'hm-md5-full-cbc': b'\1' + r(2) + md5_flow + r(5 | 8) + sk(1, 0, 0, 0, del_esp),
    'hm-final-extra': b'\0' + r(2) + md5_flow +
    r(5, chain((CP, cp_reply), notify(16396), notify(16394))) + sk(1, 0, 0, 0, b'') +
    sk(1, 0, 0, 0, b'') + sk(2, 0, 0, 0, chain((SA, esp_sa))) + r(6) + sk(1, 1, 0, 0, b''),
    'hm-frag-eap': b'\0' + r(2 | 8) + r(4, chain((EAP, ident_req))) +
    sk(0, 1, 0, 3, chain((EAP, md5_req), notify(16384))) + sk(0, 1, 0, 2, chain((EAP, failure))),
    'hm-frag-reverse': b'\0' + r(2 | 8) + r(4 | 8) + sk(0, 3, 0, 4, chain((EAP, md5_req))),
    'hm-eap-only-mschapv2': b'\0' + r(2) + r(4 | 8, chain((EAP, ms_chal))) +
    sk(0, 1, 0, 0, chain((EAP, failure))),
    'hm-auth-errors': b'\0' + r(2) + sk(0, 1, 0, 0, chain(notify(24))),
    'hm-timeout': b'\0' + r(1) + r(1) + r(1) + r(1) + r(1, b'\x0b\xb8') + r(1, b'\xff\xff'),
    'hm-disconnect-up': b'\0' + r(2 | 8) + md5_flow + r(5) + r(6) + r(1) + sk(1, 1, 0, 0, b''),
    'hm-cookie': b'\0' + r(8, init_raw([notify(16390, b'cookie-cookie-cookie')])) + r(2 | 8) +
    r(4, chain((EAP, md5_req))),
    'hm-invalid-ke': b'\0' + r(8, init_raw([notify(17, u16(19))])) + r(2) + md5_flow + r(5 | 8),
    'hm-no-proposal': b'\0' + r(8, init_raw([notify(14)])),
}

for target, items in seeds.items():
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    for name, blob in items.items():
        if not name.startswith('hm-'):
            name = 'hm-' + name
        with open(os.path.join(d, name), 'wb') as f:
            f.write(blob)
    print(f'mkseeds: {target}: {len(items)} seeds')
