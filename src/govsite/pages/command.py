"""``govsite page FILE_OR_URL``: print what analyse_page reads from one page, as JSON.

Kept Django-free and importable on its own so the CLI can wire it as a sub-command and an
operator can check a single page by hand.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from govsite.pages.analyse import analyse_page

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_UNAVAILABLE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govsite page",
        description="Analyse one saved or fetched government web page and print JSON.",
    )
    parser.add_argument("target", metavar="FILE_OR_URL", help="a saved HTML file or an http(s) URL")
    parser.add_argument(
        "--url",
        help="the page's address, for resolving its links (default: file://<absolute path>)",
    )
    parser.add_argument("--timeout", type=float, default=15.0, help="fetch timeout in seconds")
    return parser


def _fetch(target: str, timeout: float) -> tuple[bytes, str, dict] | str:
    """Fetch a URL with the crawler's client; an error message string when that fails."""
    try:
        from govsite.crawler.http import fetch_sync
    except ImportError:
        return (
            "fetching URLs is not available (govsite.crawler.http.fetch_sync cannot be "
            "imported); save the page to a file and pass the file instead"
        )
    result = fetch_sync(target, timeout=timeout)
    if getattr(result, "error", None):
        return f"could not fetch {target}: {result.error}"
    status = getattr(result, "status", None)
    if status and status >= 400:
        print(f"govsite page: note: {target} answered HTTP {status}", file=sys.stderr)
    return result.body, result.final_url or target, dict(result.headers or {})


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the process exit code (2 when the page cannot be read)."""
    args = build_parser().parse_args(argv)
    target: str = args.target
    if target.startswith(("http://", "https://")):
        fetched = _fetch(target, args.timeout)
        if isinstance(fetched, str):
            print(f"govsite page: {fetched}", file=sys.stderr)
            return EXIT_UNAVAILABLE
        body, page_url, headers = fetched
        page_url = args.url or page_url
    else:
        path = Path(target)
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            print(f"govsite page: no such file: {target}", file=sys.stderr)
            return EXIT_UNAVAILABLE
        except (IsADirectoryError, PermissionError, OSError) as exc:
            print(f"govsite page: cannot read {target}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_UNAVAILABLE
        page_url = args.url or path.resolve().as_uri()
        headers = {}
    result = analyse_page(body, page_url, headers)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
