"""A GET against a local credential endpoint (``exec``'s and ``serve``'s), as an SDK makes it.

No proxy (a proxy from the environment would otherwise be asked for 127.0.0.1), the token in
``Authorization`` when given, and the JSON body of the answer, whatever its status.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request


def get(url: str, token: str | None) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": token} if token is not None else {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())
