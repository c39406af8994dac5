#!/usr/bin/env python3
"""send_pcap_udp.py PCAP HOST:PORT [--group-if ADDR] [--interval S]: sends each UDP payload
of a pcap as one datagram to HOST:PORT (a multicast group with --group-if: the interface
address given to IP_MULTICAST_IF) and prints {"datagrams": N, "bytes": B}."""
import argparse
import json
import socket
import time

from pcap_udp import udp_payloads

ap = argparse.ArgumentParser()
ap.add_argument("pcap")
ap.add_argument("dest")
ap.add_argument("--group-if")
ap.add_argument("--interval", type=float, default=0.002)
a = ap.parse_args()
host, port = a.dest.rsplit(":", 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if a.group_if:
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(a.group_if))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
n = b = 0
for p in udp_payloads(a.pcap):
    s.sendto(p, (host, int(port)))
    n += 1
    b += len(p)
    if a.interval:
        time.sleep(a.interval)
print(json.dumps({"datagrams": n, "bytes": b}), flush=True)
