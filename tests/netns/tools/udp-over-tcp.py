#!/usr/bin/env python3
"""Relays in the framing of Mullvad's udp-over-tcp, written from its description: on the TCP
side each datagram is a 2-byte big-endian length followed by the datagram, nothing else.

  udp-over-tcp.py tcp2udp LISTEN_ADDR LISTEN_PORT UDP_ADDR UDP_PORT
      accepts TCP connections; each gets its own UDP socket towards UDP_ADDR:UDP_PORT
  udp-over-tcp.py udp2tcp LISTEN_ADDR LISTEN_PORT TCP_ADDR TCP_PORT
      receives UDP; each sender gets its own TCP connection towards TCP_ADDR:TCP_PORT

Prints "ready" once listening; on SIGTERM it writes "frames N datagrams M" (what it carried
each way) to stderr and ends.
"""
import selectors
import signal
import socket
import struct
import sys

sel = selectors.DefaultSelector()
stats = {"frames": 0, "datagrams": 0}


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


class Stream:
    """One TCP connection and the UDP socket (or UDP peer) paired with it."""

    def __init__(self, tcp, udp, udp_peer=None):
        self.tcp, self.udp, self.udp_peer = tcp, udp, udp_peer
        self.rx = b""
        self.tx = b""
        tcp.setblocking(False)
        tcp.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sel.register(tcp, selectors.EVENT_READ, self.on_tcp)

    def close(self):
        for s in (self.tcp, self.udp):
            if s is not None:
                try:
                    sel.unregister(s)
                except (KeyError, ValueError):
                    pass
                s.close()
        self.tcp = None

    def on_tcp(self, mask):
        if mask & selectors.EVENT_WRITE:
            self.flush()
        if not mask & selectors.EVENT_READ or self.tcp is None:
            return
        try:
            data = self.tcp.recv(1 << 16)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.close()
            return
        self.rx += data
        while len(self.rx) >= 2:
            n = struct.unpack("!H", self.rx[:2])[0]
            if n == 0:
                self.close()
                return
            if len(self.rx) < 2 + n:
                break
            msg, self.rx = self.rx[2:2 + n], self.rx[2 + n:]
            stats["frames"] += 1
            try:
                if self.udp_peer is None:
                    self.udp.send(msg)
                else:
                    self.udp.sendto(msg, self.udp_peer)
            except OSError:
                pass

    def to_tcp(self, datagram):
        stats["datagrams"] += 1
        # Bounded like a real relay: drop rather than queue without end.
        if len(self.tx) > 1 << 20:
            return
        self.tx += struct.pack("!H", len(datagram)) + datagram
        self.flush()

    def flush(self):
        if self.tcp is None:
            return
        try:
            n = self.tcp.send(self.tx)
            self.tx = self.tx[n:]
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            self.close()
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if self.tx else 0)
        sel.modify(self.tcp, events, self.on_tcp)


def tcp2udp(listen_addr, listen_port, udp_addr, udp_port):
    lsock = socket.socket(family(listen_addr), socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((listen_addr, listen_port))
    lsock.listen(16)
    lsock.setblocking(False)

    def on_accept(mask):
        conn, _ = lsock.accept()
        udp = socket.socket(family(udp_addr), socket.SOCK_DGRAM)
        udp.connect((udp_addr, udp_port))
        udp.setblocking(False)
        stream = Stream(conn, udp)

        def on_udp(mask, stream=stream, udp=udp):
            try:
                while True:
                    stream.to_tcp(udp.recv(1 << 16))
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                pass

        sel.register(udp, selectors.EVENT_READ, on_udp)

    sel.register(lsock, selectors.EVENT_READ, on_accept)


def udp2tcp(listen_addr, listen_port, tcp_addr, tcp_port):
    usock = socket.socket(family(listen_addr), socket.SOCK_DGRAM)
    usock.bind((listen_addr, listen_port))
    usock.setblocking(False)
    streams = {}

    def on_udp(mask):
        try:
            while True:
                data, peer = usock.recvfrom(1 << 16)
                stream = streams.get(peer)
                if stream is None or stream.tcp is None:
                    tcp = socket.create_connection((tcp_addr, tcp_port), timeout=5)
                    # Frames from TCP go back to the UDP sender through the listening socket.
                    stream = streams[peer] = Stream(tcp, usock_proxy, peer)
                stream.to_tcp(data)
        except (BlockingIOError, InterruptedError):
            pass

    class UsockProxy:
        def sendto(self, msg, peer):
            usock.sendto(msg, peer)

        def close(self):
            pass

    usock_proxy = UsockProxy()
    sel.register(usock, selectors.EVENT_READ, on_udp)


def main():
    mode, la, lp, ta, tp = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    {"tcp2udp": tcp2udp, "udp2tcp": udp2tcp}[mode](la, lp, ta, tp)
    running = [True]

    def stop(*_):
        running[0] = False

    signal.signal(signal.SIGTERM, stop)
    print("ready", flush=True)
    while running[0]:
        for key, mask in sel.select(timeout=0.5):
            key.data(mask)
    print("frames %d datagrams %d" % (stats["frames"], stats["datagrams"]), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
