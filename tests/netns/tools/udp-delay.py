#!/usr/bin/env python3
"""A UDP relay that adds a delay each way, for tests (there is no netem here).

    udp-delay.py LISTEN_ADDR LISTEN_PORT TO_ADDR TO_PORT DELAY_MS

Datagrams from a client to LISTEN go on to TO after DELAY_MS from a socket of the relay's own;
what TO sends back goes to the client that last sent, DELAY_MS later. One client at a time is
all a WireGuard pair needs. Prints "ready" once listening, and at the end the counts."""
import asyncio
import signal
import socket
import sys


class Relay:
    def __init__(self, to, delay):
        self.to, self.delay = to, delay
        self.client = None
        self.counts = [0, 0]

    def start(self, loop, listen):
        self.loop = loop
        self.front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.front.bind(listen)
        self.front.setblocking(False)
        self.back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.back.bind(("0.0.0.0", 0))
        self.back.setblocking(False)
        loop.add_reader(self.front, self.from_client)
        loop.add_reader(self.back, self.from_server)

    def from_client(self):
        while True:
            try:
                data, addr = self.front.recvfrom(65536)
            except BlockingIOError:
                return
            self.client = addr
            self.counts[0] += 1
            self.loop.call_later(self.delay, self.back.sendto, data, self.to)

    def from_server(self):
        while True:
            try:
                data, _ = self.back.recvfrom(65536)
            except BlockingIOError:
                return
            if self.client:
                self.counts[1] += 1
                self.loop.call_later(self.delay, self.front.sendto, data, self.client)


def main():
    listen = (sys.argv[1], int(sys.argv[2]))
    to = (sys.argv[3], int(sys.argv[4]))
    relay = Relay(to, int(sys.argv[5]) / 1000)
    loop = asyncio.new_event_loop()
    relay.start(loop, listen)
    stop = loop.create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set_result, None)
    print("ready", flush=True)
    loop.run_until_complete(stop)
    print("relayed %d to the server, %d back" % tuple(relay.counts), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
