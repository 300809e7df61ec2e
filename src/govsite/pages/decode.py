"""Turn the raw bytes of a fetched page into text.

Government sites often lie about their charset: many templates still say ``gb2312`` in
``<meta>`` while the CMS writes UTF-8. We therefore treat every declaration as a hint and
check it against the bytes, and we never raise on bad bytes: a page we cannot decode
perfectly must still be scored.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

__all__ = ["decode_html", "normalise_encoding"]

#: How far into the body we look for a ``<meta>`` charset declaration.
META_SCAN_BYTES = 4096

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # must precede UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_EAST_ASIAN = frozenset(
    {
        "gb18030",
        "big5hkscs",
        "cp949",
        "euc_kr",
        "shift_jis",
        "cp932",
        "euc_jp",
        "iso2022_jp",
        "johab",
        "hz",
        "cp950",
        "big5",
        "euc_jis_2004",
        "shift_jis_2004",
        "iso2022_kr",
    }
)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:\-]+)""", re.I)

# GB2312 and GBK are subsets of GB18030: decoding with the superset loses nothing and
# rescues the characters that pages labelled "gb2312" routinely contain.
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "cp936": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "hz",
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    # WHATWG: these labels mean windows-1252 in browsers.
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
}


def _squash(label: str) -> str:
    return label.strip().strip("\"'").lower().replace("-", "").replace("_", "")


_SQUASHED_ALIASES = {_squash(label): codec for label, codec in _ALIASES.items()}


def normalise_encoding(label: str | None) -> str | None:
    """Map a declared charset label to the Python codec we decode with (None if unknown)."""
    if not label or not label.strip():
        return None
    codec = _SQUASHED_ALIASES.get(_squash(label))
    if codec:
        return codec
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return None
    return _SQUASHED_ALIASES.get(_squash(name), name)


def _utf8_or_none(body: bytes) -> str | None:
    """Decode strictly as UTF-8; tolerate a multi-byte character cut off at the very end."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(body) - 3:
            return body.decode("utf-8", errors="replace")
        return None


def _declared_charsets(body: bytes, content_type_header: str | None) -> list[str]:
    """Charsets the HTTP header and then the first ``<meta>`` declare, known codecs only."""
    found = []
    if content_type_header:
        match = _HEADER_CHARSET.search(content_type_header)
        if match:
            found.append(normalise_encoding(match.group(1)))
    for match in _META_CHARSET.finditer(body[:META_SCAN_BYTES]):
        enc = normalise_encoding(match.group(1).decode("ascii", "replace"))
        if enc:
            found.append(enc)
            break
    return list(dict.fromkeys(enc for enc in found if enc))


def _damage(text: str) -> float:
    return text.count("\ufffd") / max(len(text), 1)


def decode_html(body: bytes, content_type_header: str | None = None) -> tuple[str, str]:
    """Decode ``body`` and return ``(text, encoding_used)``; never raises on bad bytes.

    Order: byte-order mark; charset in the HTTP ``Content-Type``; ``<meta>`` charset in the
    first 4 KB; charset-normalizer detection. A declared non-UTF-8 charset loses to UTF-8 when
    the bytes are valid UTF-8 with non-ASCII content (the "meta says gb2312" trap), and a
    declaration the bytes do not fit loses to the next one (a server's default "UTF-8"
    header on a GBK page). Bytes that fit nothing are replaced with U+FFFD.
    """
    if not body:
        return "", "utf-8"
    for bom, enc in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(enc, errors="replace"), enc
    if body.isascii():
        return body.decode("ascii"), "utf-8"

    utf8 = _utf8_or_none(body)
    if utf8 is not None:
        # Valid UTF-8 with multi-byte sequences is practically never valid-looking GBK text
        # by accident: when the bytes are UTF-8, a gb2312 declaration is what is wrong (so
        # the declarations are not even read).
        return utf8, "utf-8"
    declared = _declared_charsets(body, content_type_header)

    for enc in declared:
        if enc == "cp1252":
            # "iso-8859-1" on a Chinese site is a template default, not a fact.
            try:
                return body.decode("gb18030"), "gb18030"
            except UnicodeDecodeError:
                pass
        try:
            return body.decode(enc), enc
        except UnicodeDecodeError:
            continue

    if declared:
        # Nothing fits exactly: a page with a few broken bytes keeps its declared charset.
        attempts = [(body.decode(enc, errors="replace"), enc) for enc in declared]
        text, enc = min(attempts, key=lambda attempt: _damage(attempt[0]))
        if _damage(text) < 0.01:
            return text, enc
        try:
            return body.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            # Declared and badly damaged: keep the declaration rather than a detector's
            # guess from garbage.
            return text, enc

    guess = charset_normalizer.from_bytes(body[:65536]).best()
    enc = normalise_encoding(guess.encoding) if guess is not None else None
    if enc is None or enc == "utf-8" or enc in _EAST_ASIAN:
        # Detectors confuse short GBK text with Korean or Japanese; on Chinese government
        # sites, bytes that are valid GB18030 are GBK text.
        try:
            return body.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            enc = enc if enc and enc != "utf-8" else "gb18030"
    return body.decode(enc, errors="replace"), enc
