"""Keep secrets out of messages: the one function that redacts URLs before they are shown.

Every error, log line and progress display that may show a database URL (``--db``,
``CANAL_DB``) or a text a driver wrote about it goes through :func:`redact`.
"""

from __future__ import annotations

import re

# scheme://userinfo@host...: the userinfo is everything up to the last "@" of the token
# (a password may hold "@", "/" or ":" when it was not percent-encoded)
_USERINFO = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.\-]*://)[^\s'\"<>@]*(?:@[^\s'\"<>@]*)*@")
_QUERY_SECRET = re.compile(r"(?i)\b(password|passwd|pwd|auth|token|secret)=([^&\s'\"<>]+)")


def redact(text: str) -> str:
    """``text`` with the user information of every URL and ``password=`` values hidden.

    >>> redact("cannot open bolt://neo4j:s3cret@db:7687 (refused)")
    'cannot open bolt://***@db:7687 (refused)'
    >>> redact("redis://:p@ss/w0rd@h:6379/0 and rediss://u:x@h")
    'redis://***@h:6379/0 and rediss://***@h'
    >>> redact("redis://h:6379/0?password=abc&db=1")
    'redis://h:6379/0?password=***&db=1'
    >>> redact("canal.db")
    'canal.db'
    """
    if "://" not in text and "=" not in text:
        return text
    return _QUERY_SECRET.sub(r"\1=***", _USERINFO.sub(r"\1***@", text))
