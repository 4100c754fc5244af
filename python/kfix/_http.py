"""The HTTP POST of ``kfix.propose(mode="openai")``: the standard library's urllib.

kfix's C++ loop owns the client policy (URL, JSON body, retries with back-off,
concurrency limit, budget, redaction); this module only moves bytes, so the
package needs nothing beyond the standard library. Redirects are not followed
(a POST is never replayed elsewhere); proxies come from the environment as
urllib reads them. The headers carry the API key: they are never logged.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import List, Optional, Tuple

_MAX_REPLY = 16 << 20


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _retry_after(headers: object) -> Optional[float]:
    value = getattr(headers, "get", lambda _k: None)("Retry-After")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: use kfix's own back-off
    return seconds if seconds is not None and seconds >= 0 else None


def urllib_post(url: str, headers: List[Tuple[str, str]], body: bytes,
                timeout: float) -> Tuple[int, bytes, Optional[float]]:
    """POSTs ``body`` to ``url``; returns (status, reply body, Retry-After seconds or None).

    Transport failures (refused, reset, timed out) raise; kfix retries them as it retries 429 and 5xx.
    """
    request = urllib.request.Request(url, data=body, method="POST")
    for name, value in headers:
        request.add_header(name, value)
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.read(_MAX_REPLY), _retry_after(response.headers)
    except urllib.error.HTTPError as e:  # a status is an answer, not a transport failure
        return e.code, e.read(_MAX_REPLY), _retry_after(e.headers)
