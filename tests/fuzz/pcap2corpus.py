#!/usr/bin/env python3
"""Writes the IKE and ESP datagrams of pcap files (tcpdump -i any: Linux cooked capture v1 or
v2, IPv4/UDP) into the fuzz seed corpora:
  fuzz_ike_msg/  every IKE message (the non-ESP marker of port 4500 stripped)
  fuzz_ike_sk/   every encrypted IKE message, with options 0 and 2 (see fuzz_ike_sk.c)
  fuzz_ike_sa/   the gateway's IKE_SA_INIT responses as RAW records with the SPIs fixed up
  fuzz_esp/      a few ESP packets as raw records
Usage: pcap2corpus.py CORPUS_DIR FILE.pcap...   Files are named cap-<sha1>; old cap-* files
of these targets are replaced. At most MAX_PER_TARGET per target, smallest first."""
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
                # AES-GCM unless the message is a multiple of the CBC block after the header.
                suite = b'\0'
                seeds['fuzz_ike_sk'][suite + p] = True
                seeds['fuzz_ike_sk'][bytes([suite[0] | 2]) + p] = True
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
        for blob in sorted(items, key=len)[:MAX_PER_TARGET]:
            if total + len(blob) > MAX_BYTES:
                break
            name = 'cap-' + hashlib.sha1(blob).hexdigest()[:16]
            with open(os.path.join(d, name), 'wb') as f:
                f.write(blob)
            total += len(blob)
            kept += 1
        print(f'pcap2corpus: {target}: {kept} seeds, {total} bytes')


if __name__ == '__main__':
    main()
