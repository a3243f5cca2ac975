"""A TCP relay that holds every chunk it passes on for a while: a database across a network, on one machine.

    python bench/latency_proxy.py --delay-ms 0.25 --listen 15432 --to 127.0.0.1:5432 &
    python bench/api_bench.py --database-url postgresql://postgres@127.0.0.1:15432/postgres --clients 1

On the loopback a round trip to PostgreSQL costs tens of microseconds, so what a request spends in round trips
hardly shows; a team's server talks to its database across a network, where each costs a fraction of a
millisecond or more. Each direction waits `--delay-ms` (a sleep per chunk, on a thread per direction and
connection, so a round trip costs about twice that and the threads' wake-ups): with one client the time of a
request then grows with the number of round trips it makes. The relay's own CPU shares the machine with the
rest, so compare runs through it with each other, not with runs without it.
"""

from __future__ import annotations

import argparse
import socket
import threading
import time

CHUNK = 65536


def _pass_on(source: socket.socket, target: socket.socket, delay: float) -> None:
    try:
        while chunk := source.recv(CHUNK):
            time.sleep(delay)
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        try:
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=float, default=0.25, help="held in each direction")
    parser.add_argument("--listen", type=int, default=15432, help="the port to listen on (127.0.0.1)")
    parser.add_argument("--to", default="127.0.0.1:5432", help="host:port to relay to")
    args = parser.parse_args()
    host, port = args.to.rsplit(":", 1)
    delay = args.delay_ms / 1000
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", args.listen))
    server.listen(128)
    print(f"relaying 127.0.0.1:{args.listen} to {args.to}, {args.delay_ms} ms each way", flush=True)
    while True:
        client, _ = server.accept()
        upstream = socket.create_connection((host, int(port)))
        for end in (client, upstream):
            end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=_pass_on, args=(client, upstream, delay), daemon=True).start()
        threading.Thread(target=_pass_on, args=(upstream, client, delay), daemon=True).start()


if __name__ == "__main__":
    main()
