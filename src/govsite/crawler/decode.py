"""Body bytes -> text: BOM, then the Content-Type charset, then ``<meta>``, then a guess.

GB2312 and GBK are decoded as GB18030 (a superset: pages labelled GB2312 routinely contain
GBK-only characters, and browsers do the same). Invalid bytes never raise: they become U+FFFD.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{2,40})""", re.I
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{2,40})""", re.I)
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312_80": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "euc_cn": "gb18030",
    "ascii": "utf-8",  # pages labelled ASCII are nearly always UTF-8 in practice
    "latin_1": "cp1252",  # WHATWG: ISO-8859-1 labels mean windows-1252
    "iso8859_1": "cp1252",
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
META_SCAN_BYTES = 4096  # HTML5 requires the meta charset within the first 1024 bytes
GUESS_BYTES = 64 * 1024  # charset-normalizer is slow: guess from the head of the page only


_LABELS = {  # WHATWG labels Python does not know
    "x-gbk": "gbk",
    "gb_2312-80": "gb2312",
    "csgb2312": "gb2312",
    "x-euc-cn": "gb2312",
    "chinese": "gb2312",
    "iso-ir-58": "gb2312",
    "x-gb18030": "gb18030",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
}


def normalise_encoding(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(_LABELS.get(label, label)).name
    except LookupError:
        return None
    return _SUPERSETS.get(name.replace("-", "_"), name)


def header_charset(content_type: str | None) -> str | None:
    if not content_type or "charset" not in content_type.lower():
        return None
    m = _HEADER_CHARSET.search(content_type)
    return normalise_encoding(m.group(1)) if m else None


def meta_charset(body: bytes) -> str | None:
    m = _META_CHARSET.search(body, 0, META_SCAN_BYTES)
    return normalise_encoding(m.group(1).decode("ascii", "replace")) if m else None


def detect_encoding(body: bytes, content_type: str | None = None) -> str:
    """The codec to decode ``body`` with (never raises)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    enc = header_charset(content_type) or meta_charset(body)
    if enc:
        return enc
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Undeclared and not clean UTF-8: on Chinese government sites that is GBK (or UTF-8 with
    # a few broken bytes) far more often than anything charset-normalizer may guess from a
    # short sample, so take whichever of the two decodes with < 1 % (or <= 2) replacement
    # characters. GB18030 accepts most byte pairs, so legacy non-Chinese single-byte pages are
    # misread here: a deliberate trade-off for the sites this project supervises.
    head = body[:GUESS_BYTES]
    for enc in ("utf-8", "gb18030"):
        text = head.decode(enc, errors="replace")
        bad = text.count("\ufffd")
        if bad <= 2 or bad * 100 < len(text):
            return enc
    best = from_bytes(head).best()
    guessed = normalise_encoding(best.encoding) if best is not None else None
    return guessed or "gb18030"  # undeclared non-UTF-8 Chinese pages are GBK in practice


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, encoding used). Invalid sequences are replaced, never raised."""
    enc = detect_encoding(body, content_type)
    try:
        return body.decode(enc, errors="replace"), enc
    except LookupError:  # a codec that exists for lookup but cannot decode (rare)
        return body.decode("utf-8", errors="replace"), "utf-8"
