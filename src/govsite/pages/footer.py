"""Identifiers every government site must show at the foot of its pages.

网站标识码, ICP 备案号, 公安机关备案号 and the 党政机关 badge are audited on every site. They
belong in the footer, so the footer region is searched first and the whole page second.
The badge is mostly injected by a conac.cn script, so scripts count as evidence too.
"""

from __future__ import annotations

import re

from govsite.pages.document import Document, as_document

__all__ = ["footer_identifiers"]

#: Province abbreviations (and their alternates: 陇 滇 黔 蜀 秦) before ICP and 公网安备 numbers.
PROVINCES = "京津沪渝冀豫云滇辽黑湘皖鲁新苏浙赣鄂桂甘陇晋蒙陕秦吉闽贵黔粤青藏川蜀宁琼"

_SITE_CODE = re.compile(r"网站标识码\s*[:：]?\s*([A-Za-z0-9]{10})(?![A-Za-z0-9])")
_ICP = re.compile(
    rf"[{PROVINCES}]\s*ICP\s*[备证]\s*(?:案\s*)?(?:号\s*)?[:：]?\s*\d{{5,12}}\s*号?"
    r"(?:\s*-\s*\d{1,3})?"
)
_POLICE = re.compile(
    rf"[{PROVINCES}]\s*公\s*网?\s*安\s*备\s*(?:案\s*)?(?:号\s*)?[:：]?\s*\d{{8,20}}\s*号?"
    r"|公安机关备案号\s*[:：]?\s*[\dA-Za-z\-]{6,30}"
)
_FOOTER_SELECTOR = (
    "[id*=foot i], [class*=foot i], [id*=bottom i], [class*=bottom i], "
    "[id*=copyright i], [class*=copyright i], footer"
)
_BADGE_IMAGE = re.compile(r"conac|dzjg", re.I)
#: The last part of the page text that counts as "the footer" when no region is marked.
TAIL_CHARS = 3000


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _footer_text(doc: Document) -> str:
    parts = []
    seen: set[int] = set()
    for node in doc.tree.css(_FOOTER_SELECTOR):
        # Keep outermost regions only: a nested "copyright" div is already inside "footer".
        ancestor, nested = node.parent, False
        while ancestor is not None:
            if ancestor.mem_id in seen:
                nested = True
                break
            ancestor = ancestor.parent
        seen.add(node.mem_id)
        if not nested and node.tag not in ("body", "html"):
            parts.append(node.text(separator="\n"))
    parts.append(doc.text[-TAIL_CHARS:])
    return "\n".join(parts)


def _search(pattern: re.Pattern, *texts: str) -> str | None:
    for text in texts:
        match = pattern.search(text)
        if match:
            return _squash(match.group(1) if pattern.groups else match.group(0))
    return None


def party_gov_badge(doc: Document) -> str | None:
    """How the 党政机关 badge shows: ``link``, ``image``, ``script``, ``text``; None if absent."""
    tree = doc.tree
    for node in tree.css("a[href], area[href]"):
        if "conac.cn" in (node.attributes.get("href") or "").lower():
            return "link"
    for node in tree.css("img[src]"):
        if _BADGE_IMAGE.search(node.attributes.get("src") or ""):
            return "image"
    for node in tree.css("[onclick]"):
        if "conac.cn" in (node.attributes.get("onclick") or "").lower():
            return "link"
    for script in doc.scripts:
        if "conac.cn" in (script.src or "").lower() or "conac.cn" in script.text.lower():
            return "script"
    if "党政机关" in doc.text[-TAIL_CHARS:]:
        return "text"
    return None


def footer_identifiers(page: Document | str | bytes, url: str = "") -> dict:
    """``{site_code, icp, police_record, party_gov_badge, ...}`` as shown on the page.

    Values are the identifiers as displayed (whitespace removed), or None. Extra keys:
    ``party_gov_badge_via`` (how the badge was found) and ``site_code_meta`` (the
    ``<meta name="SiteIDCode">`` value, which is not a displayed identifier).
    """
    doc = as_document(page, url)
    footer = _footer_text(doc)
    whole = doc.text
    badge = party_gov_badge(doc)
    meta_code = next((code for code in doc.meta("siteidcode") if code.strip()), None)
    return {
        "site_code": _search(_SITE_CODE, footer, whole),
        "icp": _search(_ICP, footer, whole),
        "police_record": _search(_POLICE, footer, whole),
        "party_gov_badge": badge is not None,
        "party_gov_badge_via": badge,
        "site_code_meta": meta_code.strip() if meta_code else None,
    }
