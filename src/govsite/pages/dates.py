"""Chinese date parsing and the publication date of a page.

Generic extractors (htmldate) miss ``2025年11月01日``, full-width digits and the
``发布时间：`` labels that Chinese government templates use, so we parse those ourselves
and only fall back to htmldate when the page gave us nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from govsite.pages.document import Document, as_document

__all__ = [
    "DateFinding",
    "find_dates",
    "find_publication_date",
    "parse_date",
    "publication_date",
]

MIN_YEAR = 1990

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９／－．：　（）［］",
    "0123456789/-.: ()[]",
)

_HAS_FULLWIDTH = re.compile("[０-９／－．]")
# Cheap pre-check: no year-like run, no date (most text nodes fail this quickly).
_YEAR_HINT = re.compile(
    r"(?:19|20)\d\d|[１２][９０][０-９]{2}|[〇○零Ｏ一二][〇○零Ｏ一二三四五六七八九]{3}年"
)

_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "o": 0, "ｏ": 0}
_CN_DIGIT.update({c: i for i, c in enumerate("一二三四五六七八九", start=1)})

_DATE = re.compile(
    r"(?<![\d.])(?P<y1>(?:19|20)\d{2})\s*(?P<sep>[-/.])\s*(?P<m1>\d{1,2})\s*(?P=sep)\s*"
    r"(?P<d1>\d{1,2})(?!\d)"
    r"|(?<!\d)(?P<y2>(?:19|20)\d{2})\s*年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})(?!\d)"
    r"|(?P<y3>[〇○零Ｏ一二][〇○零Ｏ一二三四五六七八九]{3})\s*年\s*"
    r"(?P<m3>[一二三四五六七八九十]{1,2})\s*月\s*(?P<d3>[一二三四五六七八九十]{1,3})\s*[日号]"
)
# Where a ``_DATE`` match can start: a year (19xx, 20xx, or four Chinese digits). Scanning a
# long text for this and trying ``_DATE`` only there is several times faster than
# ``_DATE.finditer``, whose look-behinds and three branches are tried at every character of
# an article. Written to begin with one character class so that the regex engine skips
# ahead in C to the next 1, 2, 〇, 一 … instead of trying each branch at each character.
_DATE_START = re.compile(
    r"[12〇○零Ｏ一二](?:(?<=1)9\d\d|(?<=2)0\d\d|(?<=[〇○零Ｏ一二])[〇○零Ｏ一二三四五六七八九]{3})"
)

# Labels that announce the page's own publication date, strongest first.
_STRONG_LABELS = (
    "发布时间",
    "发布日期",
    "公开日期",
    "发稿时间",
    "发表时间",
    "发表日期",
    "上网时间",
    "上网日期",
    "刊发时间",
    "发布于",
)
_MEDIUM_LABELS = ("更新时间", "更新日期", "录入时间", "信息时间", "时间", "日期")
_LABEL_TAIL = re.compile(r"[\s:：\[\]()（）【】|]+\Z")
_CJK = re.compile(r"[\u4e00-\u9fff]\Z")

# <meta> names whose content is the publication date.
PUBLICATION_META = (
    "pubdate",
    "publishdate",
    "publish_date",
    "publish-date",
    "publishtime",
    "firstpublishedtime",
    "article:published_time",
    "og:article:published_time",
    "dc.date.issued",
    "dcterms.issued",
)
# <meta> names that record when the CMS generated the file, not when it was published.
GENERATION_META = ("createdate", "maketime", "cachecleardate", "lastmodifiedtime", "others")

#: How far (in characters of visible text) after the title we look for the title's date.
TITLE_WINDOW = 240


@dataclass(frozen=True, slots=True)
class DateFinding:
    """A publication date and where it came from: meta, label, title, htmldate."""

    date: date
    source: str


def _cn_number(text: str) -> int:
    """Value of a Chinese numeral from 1 to 39 (一, 十, 十一, 二十, 三十一)."""
    if "十" not in text:
        return _CN_DIGIT.get(text, 0) if len(text) == 1 else 0
    tens, _, ones = text.partition("十")
    return (_CN_DIGIT.get(tens, 0) if tens else 1) * 10 + (_CN_DIGIT.get(ones, 0) if ones else 0)


def _latest(today: date | None) -> date:
    return (today or date.today()) + timedelta(days=1)


def _to_date(year: int, month: int, day: int, latest: date) -> date | None:
    if year < MIN_YEAR:
        return None
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    return value if value <= latest else None


def normalise_digits(text: str) -> str:
    """Full-width digits and punctuation to ASCII, so one regex reads both."""
    return text.translate(_FULLWIDTH) if _HAS_FULLWIDTH.search(text) else text


def has_year(text: str) -> bool:
    """Cheap test before ``iter_dates``: could this text hold a date at all?"""
    return _YEAR_HINT.search(text) is not None


def _date_matches(text: str):
    """The matches of ``_DATE.finditer(text)``, found faster.

    Every ``_DATE`` match starts where ``_DATE_START`` matches, so trying ``_DATE.match``
    only at those places (look-behinds still see the text before them) and resuming after
    each match, or one character later, yields the same non-overlapping matches in order.
    """
    find, match_at = _DATE_START.search, _DATE.match
    pos = 0
    while (start := find(text, pos)) is not None:
        found = match_at(text, start.start())
        if found is None:
            pos = start.start() + 1
        else:
            yield found
            pos = found.end()


def iter_dates(text: str, today: date | None = None):
    """Yield ``(start, end, date)`` for every plausible date in ``text``, in order."""
    if not text or not _YEAR_HINT.search(text):
        return
    latest = _latest(today)
    text = normalise_digits(text)
    for match in _date_matches(text):
        groups = match.groupdict()
        if groups["y1"]:
            value = _to_date(int(groups["y1"]), int(groups["m1"]), int(groups["d1"]), latest)
        elif groups["y2"]:
            value = _to_date(int(groups["y2"]), int(groups["m2"]), int(groups["d2"]), latest)
        else:
            year = 0
            for char in groups["y3"]:
                year = year * 10 + _CN_DIGIT.get(char, 0)
            value = _to_date(year, _cn_number(groups["m3"]), _cn_number(groups["d3"]), latest)
        if value is not None:
            yield match.start(), match.end(), value


def find_dates(text: str, today: date | None = None) -> list[date]:
    """Every plausible date in ``text`` (1990 to tomorrow, real calendar days), in order."""
    return [value for _, _, value in iter_dates(text, today)]


def parse_date(value: str | None, today: date | None = None) -> date | None:
    """The first plausible date in ``value`` (e.g. ``"发布时间：2025年1月1日 10:00"``)."""
    for _, _, found in iter_dates(value or "", today):
        return found
    return None


def _label_rank(before: str) -> int:
    """3 for a publication label right before a date, 1 for a bare 日期/时间, else 0."""
    before = _LABEL_TAIL.sub("", before[-16:])
    if before.endswith(_STRONG_LABELS):
        return 3
    for label in _MEDIUM_LABELS:
        if before.endswith(label):
            head = before[: -len(label)]
            if label in ("时间", "日期"):
                # A bare label only counts on its own: 成文日期, 截止日期, 留言时间 ... do not.
                return 0 if _CJK.search(head) else 1
            return 2
    return 0


def _from_labels(text: str, today: date | None) -> date | None:
    hits: dict[int, list[date]] = {}
    for start, _, value in iter_dates(text, today):
        rank = _label_rank(text[max(0, start - 20) : start])
        if rank:
            hits.setdefault(rank, []).append(value)
    for rank in (3, 2, 1):
        values = hits.get(rank)
        # Many labelled dates that differ are a listing's items, not this page's date.
        if values and len(set(values)) <= 2:
            return values[0]
    return None


def _title_keys(doc: Document) -> list[str]:
    candidates = list(doc.meta("articletitle"))
    h1 = doc.tree.tags("h1")  # the first <h1>, as css_first("h1") would find it
    if h1:
        candidates.append(h1[0].text())
    parts = re.split(r"\s*[_|｜]+\s*|\s+[-—–]+\s+|-{2,}|—+|-", doc.title or "")
    candidates.extend(sorted(parts, key=len, reverse=True))
    keys = []
    for candidate in candidates:
        key = re.sub(r"\s+", "", candidate or "")[:10]
        if len(key) >= 6 and key not in keys:
            keys.append(key)
    return keys[:3]


def _near_title(doc: Document, today: date | None) -> date | None:
    chunks = doc.chunks
    for key in _title_keys(doc):
        places = [
            index
            for index, chunk in enumerate(chunks)
            if key in chunk.text.replace(" ", "") and len(chunk.text) <= 3 * len(key) + 120
        ]
        if len(places) > 3:
            continue  # a site or column name repeated on every item, not a headline
        for index in places:
            window, used = [], 0
            for follower in chunks[index + 1 : index + 12]:
                window.append(follower.text)
                used += len(follower.text)
                if used > TITLE_WINDOW:
                    break
            text = "\n".join(window)
            for start, _, value in iter_dates(text, today):
                before = _LABEL_TAIL.sub("", text[max(0, start - 8) : start])
                if before.endswith(("成文日期", "截止日期", "印发日期", "施行日期", "生效日期")):
                    continue
                return value
    return None


def _generation_dates(doc: Document, today: date | None) -> set[date]:
    found = set()
    for content in doc.meta(*GENERATION_META):
        found.update(find_dates(content, today))
    return found


def _from_htmldate(doc: Document, today: date | None) -> date | None:
    try:
        from htmldate import find_date
    except ImportError:  # pragma: no cover - htmldate is a declared dependency
        return None
    latest = _latest(today)
    try:
        found = find_date(
            doc.html,
            extensive_search=False,
            original_date=True,
            outputformat="%Y-%m-%d",
            min_date=f"{MIN_YEAR}-01-01",
            max_date=latest.isoformat(),
        )
    except Exception:  # noqa: BLE001 - a fallback must never break page analysis
        return None
    value = parse_date(found, today) if found else None
    if value is None:
        return None
    if (value.month, value.day) == (1, 1) and value not in find_dates(doc.text, today):
        return None  # only a year was known: htmldate pads it to January 1st
    if value in _generation_dates(doc, today):
        return None  # the file's build time, not a publication date
    return value


def find_publication_date(
    page: Document | str | bytes, today: date | None = None, *, use_htmldate: bool = True
) -> DateFinding | None:
    """The page's own publication date and its source (``meta``/``label``/``title``/...).

    Order: ``<meta name="PubDate">`` and friends; a date after a 发布时间/发布日期/日期/时间
    label; the first date just after the title; htmldate (``extensive_search=False``) only
    when nothing else was found, rejecting year-only answers and CMS build timestamps.
    """
    doc = as_document(page)
    for content in doc.meta(*PUBLICATION_META):
        value = parse_date(content, today)
        if value is not None:
            return DateFinding(value, "meta")
    value = _from_labels(doc.text, today)
    if value is not None:
        return DateFinding(value, "label")
    value = _near_title(doc, today)
    if value is not None:
        return DateFinding(value, "title")
    if use_htmldate:
        value = _from_htmldate(doc, today)
        if value is not None:
            return DateFinding(value, "htmldate")
    return None


def publication_date(page: Document | str | bytes, today: date | None = None) -> date | None:
    """The page's publication date, or None (see :func:`find_publication_date`)."""
    found = find_publication_date(page, today)
    return found.date if found else None
