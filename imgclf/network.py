"""Network access that fails fast and says why: for data downloads and pretrained weights."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

#: How long a download waits for any one network operation before it gives up.
TIMEOUT_S = 20


@contextlib.contextmanager
def keras_download_timeout(seconds: float = TIMEOUT_S) -> Iterator[None]:
    """Bound Keras's downloads (`keras.utils.get_file`, used for pretrained weights), so a
    machine without network fails fast instead of hanging.

    Keras downloads with `urllib.request.urlretrieve`, which takes no timeout, so this sets
    Python's default socket timeout: for every thread of the process, and only while the
    context lasts (the previous default is restored). imgclf's own downloads
    (`imgclf.data.fetch`) pass their timeout to each request instead.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
        raise ValueError(f"seconds must be a positive number, got {seconds!r}")
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def reason(error: BaseException) -> str:
    """The innermost cause of a failed download, in a few words."""
    if not isinstance(error, BaseException):
        raise TypeError(f"error must be an exception, got {type(error).__name__}")
    while error.__cause__ or error.__context__:
        error = error.__cause__ or error.__context__
    return str(error) or type(error).__name__
