#!/usr/bin/env python3
"""Writes the IKE and ESP datagrams of pcap files (tcpdump -i any: Linux cooked capture v1 or
v2, IPv4/UDP) into the fuzz seed corpora:
  fuzz_ike_msg/  every IKE message (the non-ESP marker of port 4500 stripped)
  fuzz_ike_sk/   every encrypted IKE message, with options 0 and 2 (see fuzz_ike_sk.c)
  fuzz_ike_sa/   the gateway's IKE_SA_INIT responses as RAW records with the SPIs fixed up
  fuzz_esp/      a few ESP packets as raw records
Usage: pcap2corpus.py CORPUS_DIR FILE.pcap...   Files are named cap-<sha1>; old cap-* files
of these targets are replaced. At most MAX_PER_TARGET per target, two of each kind first."""
import hashlib, os, struct, sys

MAX_PER_TARGET = 40
MAX_BYTES = 90 * 1024
SK, SKF, IKE_SA_INIT, RESPONSE = 46, 53, 34, 0x20


def packets(path):
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = struct.unpack('<I', data[:4])[0]
    end = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    linktype = struct.unpack(end + 'I', data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + 'IIII', data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if linktype == 113:  # LINUX_SLL
            proto, ip = struct.unpack('>H', frame[14:16])[0], frame[16:]
        elif linktype == 276:  # LINUX_SLL2
            proto, ip = struct.unpack('>H', frame[0:2])[0], frame[20:]
        else:
            continue
        if proto != 0x0800 or len(ip) < 28 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        sport, dport, ulen = struct.unpack('>HHH', ip[ihl:ihl + 6])
        yield sport, dport, ip[ihl + 8:ihl + ulen]


def main():
    out, files = sys.argv[1], sys.argv[2:]
    seeds = {t: {} for t in ('fuzz_ike_msg', 'fuzz_ike_sk', 'fuzz_ike_sa', 'fuzz_esp')}
    for path in files:
        for sport, dport, p in packets(path):
            if 4500 in (sport, dport):
                if p == b'\xff' or len(p) < 8:
                    continue
                if p[:4] != b'\0\0\0\0':
                    rec = b'\0' + struct.pack('>H', len(p)) + p
                    seeds['fuzz_esp'][b'\0' + rec] = True
                    continue
                p = p[4:]
            elif 500 not in (sport, dport):
                continue
            if len(p) < 28:
                continue
            seeds['fuzz_ike_msg'][p] = True
            if p[16] in (SK, SKF):
                # The CBC suite (option bit 0) when the body fits its layout: IV (16),
                # whole blocks, ICV (16); else AES-GCM.
                body = len(p) - 28 - 4 - (4 if p[16] == SKF else 0)
                suite = 1 if body >= 48 and (body - 32) % 16 == 0 else 0
                seeds['fuzz_ike_sk'][bytes([suite]) + p] = True
                seeds['fuzz_ike_sk'][bytes([suite | 2]) + p] = True
            if p[18] == IKE_SA_INIT and p[19] & RESPONSE:
                seeds['fuzz_ike_sa'][b'\0\x08' + struct.pack('>H', len(p)) + p] = True
    for target, items in seeds.items():
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        for name in os.listdir(d):
            if name.startswith('cap-'):
                os.unlink(os.path.join(d, name))
        total = 0
        kept = 0
        # Two of each kind first (exchange, flags, first payload, size class), then the rest.
        def kind(b):
            if target == 'fuzz_ike_msg':
                return (b[16], b[18], b[19] & 0x28, len(b) // 256)
            if target == 'fuzz_ike_sk':
                return (b[0], b[17], b[19], b[20] & 0x28, len(b) // 256)
            return len(b) // 256
        first, rest, kinds = [], [], {}
        for b in sorted(items, key=len):
            k = kind(b)
            (rest if kinds.get(k, 0) >= 2 else first).append(b)
            kinds[k] = kinds.get(k, 0) + 1
        chosen = (first + rest)[:MAX_PER_TARGET]
        for blob in chosen:
            if total + len(blob) > MAX_BYTES:
                continue
            name = 'cap-' + hashlib.sha1(blob).hexdigest()[:16]
            with open(os.path.join(d, name), 'wb') as f:
                f.write(blob)
            total += len(blob)
            kept += 1
        print(f'pcap2corpus: {target}: {kept} seeds, {total} bytes')


if __name__ == '__main__':
    main()
