"""Namespaced counters that say why (scrapy stats keys): ``crawl/retry/reason/timeout``."""

from __future__ import annotations

from collections import Counter


class Stats(Counter):
    """A ``Counter`` of ``str`` keys; ``inc`` is the only verb the crawler needs."""

    def inc(self, key: str, n: int = 1) -> None:
        self[key] += n

    def merge(self, other: dict[str, int]) -> None:
        for key, value in other.items():
            self[key] += value

    def under(self, prefix: str) -> dict[str, int]:
        """Counters below ``prefix`` with the prefix stripped: ``under("crawl/bounds/")``."""
        n = len(prefix)
        return {k[n:]: v for k, v in sorted(self.items()) if k.startswith(prefix)}
