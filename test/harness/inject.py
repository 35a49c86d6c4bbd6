#!/usr/bin/env python3
# Test-only packet injector (Node has no raw sockets). Reads one hex IPv6 packet per line on
# stdin and sends each, unchanged, from the network namespace it runs in:
#   inject.py raw6 [PPS]        IPPROTO_RAW socket (header included), routed by the destination;
#                               with PPS, paced to about that many packets a second
#   inject.py packet IF DSTMAC  AF_PACKET on IF, inside an Ethernet frame to DSTMAC
# Prints the number of packets sent.
import socket
import sys
import time


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else "raw6"
    pps = float(sys.argv[2]) if mode == "raw6" and len(sys.argv) > 2 else 0
    if mode == "raw6":
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
        send = lambda pkt: s.sendto(pkt, (socket.inet_ntop(socket.AF_INET6, pkt[24:40]), 0))
    elif mode == "packet":
        ifname, dst = sys.argv[2], bytes.fromhex(sys.argv[3].replace(":", ""))
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((ifname, 0))
        src = s.getsockname()[4]
        send = lambda pkt: s.send(dst + src + b"\x86\xdd" + pkt)
    else:
        print(f"inject.py: unknown mode {mode}", file=sys.stderr)
        return 2
    n = 0
    start = time.monotonic()
    for line in sys.stdin:
        line = line.strip()
        if line:
            send(bytes.fromhex(line))
            n += 1
            if pps and n % 20 == 0:
                ahead = start + n / pps - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
    print(n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
