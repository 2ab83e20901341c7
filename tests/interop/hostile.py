#!/usr/bin/env python3
"""Hostile traffic for the interop tests: sends forged or replayed UDP datagrams to a client's
IKE/ESP port as if they came from the gateway's port 4500 (a raw socket: run it in the
gateway's network namespace, as root).

  hostile.py flood DST PORT COUNT --ike-spis I R --esp-spi S
      COUNT datagrams of every malformed kind: random bytes, IKE headers with lengths that lie,
      the real IKE SPIs with wrong message IDs and garbage SK payloads, truncated ESP, ESP with
      the real SPI and a bad ICV, keepalive-like and empty datagrams.
  hostile.py replay PCAP DST PORT
      every ESP datagram from port 4500 in a tcpdump capture, sent again unchanged.
  hostile.py forge DST PORT --ike-spis I R --kind delete|update|fragments [--count N]
      INFORMATIONAL requests (Delete, UPDATE_SA_ADDRESSES) or IKE fragments that never
      complete, each with the real SPIs and an SK/SKF payload that cannot carry a valid ICV.
"""
import argparse
import os
import random
import socket
import struct
import sys

GW_PORT = 4500
MARKER = b"\0\0\0\0"


def udp(src_port, dst_port, payload):
    # Checksum 0: "no checksum" is valid for UDP over IPv4 (RFC 768).
    return struct.pack("!HHHH", src_port, dst_port, 8 + len(payload), 0) + payload


class Sender:
    def __init__(self, dst, port):
        self.dst, self.port = dst, port
        self.s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
        self.sent = 0

    def send(self, payload):
        try:
            self.s.sendto(udp(GW_PORT, self.port, payload), (self.dst, 0))
            self.sent += 1
        except OSError:
            pass


def ike_header(spi_i, spi_r, next_pl, exch, flags, msg_id, length):
    return struct.pack("!QQBBBBII", spi_i, spi_r, next_pl, 0x20, exch, flags, msg_id, length)


def ike_message(spi_i, spi_r, exch, msg_id, pl_type, body, flags=0x00):
    """A whole IKE message with one payload (SK 46 or SKF 53) carrying `body`."""
    payload = struct.pack("!BBH", 41 if pl_type in (46, 53) else 0, 0, 4 + len(body)) + body
    return ike_header(spi_i, spi_r, pl_type, exch, flags, msg_id, 28 + len(payload)) + payload


def garbage_sk(n=80):
    return os.urandom(n)


def flood(a):
    snd = Sender(a.dst, a.port)
    spi_i, spi_r = a.ike_spis
    for i in range(a.count):
        k = i % 9
        if k == 0:
            snd.send(os.urandom(random.randint(1, 1500)))
        elif k == 1:  # IKE header whose length field lies
            body = os.urandom(random.randint(0, 200))
            hdr = ike_header(random.getrandbits(64), 0, 33, 34, 0x08, 0, random.getrandbits(32))
            snd.send(MARKER + hdr + body)
        elif k == 2:  # our SPIs, a wrong message ID, a garbage SK payload
            msg = ike_message(spi_i, spi_r, 37, random.randint(2, 1 << 31), 46, garbage_sk())
            snd.send(MARKER + msg)
        elif k == 3:  # unknown IKE SPIs
            msg = ike_message(random.getrandbits(64), random.getrandbits(64), 37, 0, 46, garbage_sk())
            snd.send(MARKER + msg)
        elif k == 4:  # truncated ESP
            snd.send(struct.pack("!I", a.esp_spi)[: random.randint(1, 4)] + os.urandom(random.randint(0, 8)))
        elif k == 5:  # the real SPI, a plausible sequence number, a bad ICV
            seq = random.randint(1, 1 << 20)
            snd.send(struct.pack("!II", a.esp_spi, seq) + os.urandom(random.randint(24, 1400)))
        elif k == 6:  # unknown SPI
            snd.send(struct.pack("!II", random.randint(256, 1 << 32 - 1), 1) + os.urandom(100))
        elif k == 7:  # marker only, or marker + a few bytes
            snd.send(MARKER + os.urandom(random.randint(0, 27)))
        else:  # keepalive-looking and odd short datagrams
            snd.send(random.choice([b"\xff", b"\xff\xff", b"\0", b""]))
    print(f"sent {snd.sent} datagrams")


def pcap_udp_payloads(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        pkt = data[off + 16: off + 16 + incl]
        off += 16 + incl
        if linktype == 1:  # Ethernet
            if len(pkt) < 14 or pkt[12:14] != b"\x08\x00":
                continue
            pkt = pkt[14:]
        elif linktype == 113:  # Linux cooked capture
            pkt = pkt[16:]
        if len(pkt) < 28 or pkt[0] >> 4 != 4 or pkt[9] != 17:
            continue
        ihl = (pkt[0] & 15) * 4
        sport, dport, ulen = struct.unpack("!HHH", pkt[ihl: ihl + 6])
        yield sport, dport, pkt[ihl + 8: ihl + ulen]


def replay(a):
    snd = Sender(a.dst, a.port)
    n = 0
    for sport, dport, payload in pcap_udp_payloads(a.pcap):
        if sport != GW_PORT or dport != a.port or len(payload) < 8 or payload[:4] == MARKER:
            continue
        snd.send(payload)
        n += 1
    print(f"replayed {n} ESP datagrams")


def forge(a):
    snd = Sender(a.dst, a.port)
    spi_i, spi_r = a.ike_spis
    for i in range(a.count):
        if a.kind == "fragments":
            # Fragment 1..n of 64 of a message that never completes: the SKF payload's
            # Fragment Number / Total Fragments, then an IV, data and an ICV nobody can make.
            frag = struct.pack("!HH", 1 + i % 63, 64) + os.urandom(400)
            msg = ike_message(spi_i, spi_r, 37, 1000 + i // 63, 53, frag)
        else:
            # Delete or UPDATE_SA_ADDRESSES inside an SK payload with random content: the
            # message ID runs through the likely values (the gateway's next request).
            msg = ike_message(spi_i, spi_r, 37, i % 8, 46, garbage_sk(96 if a.kind == "delete" else 120))
        snd.send(MARKER + msg)
    print(f"sent {snd.sent} forged {a.kind} messages")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("flood")
    f.add_argument("dst")
    f.add_argument("port", type=int)
    f.add_argument("count", type=int)
    f.add_argument("--ike-spis", nargs=2, type=lambda x: int(x, 16), required=True)
    f.add_argument("--esp-spi", type=lambda x: int(x, 16), required=True)
    r = sub.add_parser("replay")
    r.add_argument("pcap")
    r.add_argument("dst")
    r.add_argument("port", type=int)
    g = sub.add_parser("forge")
    g.add_argument("dst")
    g.add_argument("port", type=int)
    g.add_argument("--ike-spis", nargs=2, type=lambda x: int(x, 16), required=True)
    g.add_argument("--kind", choices=["delete", "update", "fragments"], required=True)
    g.add_argument("--count", type=int, default=64)
    a = p.parse_args()
    random.seed(int.from_bytes(os.urandom(8), "big"))
    {"flood": flood, "replay": replay, "forge": forge}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
