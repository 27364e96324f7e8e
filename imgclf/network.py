"""Network access that fails fast and says why: for data downloads and pretrained weights."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

TIMEOUT_S = 20


@contextlib.contextmanager
def bounded(seconds: float = TIMEOUT_S) -> Iterator[None]:
    """Bound every socket operation, so a machine without network fails fast instead of hanging."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def reason(error: BaseException) -> str:
    """The innermost cause of a failed download, in a few words."""
    while error.__cause__ or error.__context__:
        error = error.__cause__ or error.__context__
    return str(error) or type(error).__name__
