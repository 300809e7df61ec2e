"""Keyed hashes: stable pseudonyms for addresses, contacts and codes.

The same input always maps to the same key (so limits per address and "one response per
person" work), but a key cannot be turned back into the address or phone without the
server's secret, and the database never holds the original.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def keyed_hash(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
