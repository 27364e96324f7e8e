"""Put this folder on PYTHONPATH to run Python as on a machine without network.

Every name lookup and connection fails at once, as they do when no network is configured.
"""

import socket


def _no_network(*args, **kwargs):
    raise OSError(101, "Network is unreachable (blocked by tests/offline)")


socket.getaddrinfo = _no_network
socket.socket.connect = _no_network
socket.create_connection = _no_network
