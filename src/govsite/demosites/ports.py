"""Finding a free block of local ports for the demo sites (tests and the demo run in
parallel with other servers; a fixed port range would collide)."""

from __future__ import annotations

import random
import socket

from govsite.demosites.generate import DEAD_PORT_OFFSET
from govsite.demosites.sites import SITE_SPECS


def free_base_port(low: int = 20_000, high: int = 32_000) -> int:
    """A base port such that every site port and the dead-link port are currently free.

    The range stays below Linux's ephemeral ports (32768-60999) so outgoing connections
    cannot take a port between the check and the bind.
    """
    rnd = random.Random()
    for _ in range(100):
        base = rnd.randrange(low, high)
        ports = [base + i for i in range(len(SITE_SPECS))] + [base + DEAD_PORT_OFFSET]
        socks: list[socket.socket] = []
        try:
            for port in ports:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(sock)
                sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
        return base
    raise RuntimeError("no free port range found")
