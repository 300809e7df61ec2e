"""Service-guide (办事指南) elements: which of the required items a page shows.

Every 政务服务 item must publish the same elements (basis, conditions, materials, ...), but
sites label them in dozens of ways. The labels live in ``data/guide_elements.yaml`` so that
administrators can add one without a code change; matching uses one Aho-Corasick pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import ahocorasick
import yaml

from govsite.pages.document import Document

__all__ = ["GuideSpec", "guide_elements", "load_guide_spec"]

_NUMBERING = re.compile(r"^[\s\d一二三四五六七八九十、.．()（）【】\[\]·•>》◆■●○▪◇*#\-]*$")
#: Text after a label longer than this (and not starting with a colon) makes it prose.
MAX_LABEL_TAIL = 8


@dataclass(frozen=True)
class GuideSpec:
    """Elements in display order, their labels, and the automaton that finds the labels."""

    order: tuple[str, ...]
    labels: dict[str, str]
    min_elements: int
    automaton: ahocorasick.Automaton


def load_guide_spec(path: str | Path | None = None) -> GuideSpec:
    """Read the element/synonym file (the packaged one unless ``path`` is given)."""
    if path is None:
        raw = (
            resources.files("govsite.pages")
            .joinpath("data/guide_elements.yaml")
            .read_text(encoding="utf-8")
        )
    else:
        raw = Path(path).read_text(encoding="utf-8")
    data = yaml.safe_load(raw) or {}
    elements = data.get("elements") or {}
    automaton = ahocorasick.Automaton()
    labels = {}
    for key, spec in elements.items():
        labels[key] = spec.get("label") or key
        for synonym in [spec.get("label"), *(spec.get("synonyms") or [])]:
            if synonym:
                synonym = str(synonym).strip()
                automaton.add_word(synonym, (synonym, key))
    automaton.make_automaton()
    return GuideSpec(tuple(elements), labels, int(data.get("min_elements", 4)), automaton)


@lru_cache(maxsize=1)
def _default_spec() -> GuideSpec:
    return load_guide_spec()


def _is_label(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    if line_end == -1:
        line_end = len(text)
    if not _NUMBERING.match(text[line_start:start]):
        return False
    tail = text[end:line_end].strip()
    return not tail or tail[0] in ":：" or len(tail) <= MAX_LABEL_TAIL


def guide_elements(
    text: str | Document, title: str | None = None, spec: GuideSpec | None = None
) -> dict:
    """``{found, missing, is_guide, matched}`` for the guide elements the text labels.

    ``text`` is the page's visible text, one text node (table cell, paragraph) per line, or
    a Document. The page is a guide when it labels at least ``min_elements`` elements or its
    title contains 办事指南. ``matched`` maps each found element to the label seen.
    """
    if isinstance(text, Document):
        title = text.title if title is None else title
        text = text.text
    spec = spec or _default_spec()
    matches = []
    for end, (synonym, key) in spec.automaton.iter(text):
        start = end + 1 - len(synonym)
        matches.append((start, -len(synonym), end + 1, synonym, key))
    matches.sort()
    matched: dict[str, str] = {}
    covered_to = -1
    for start, _, stop, synonym, key in matches:
        if start < covered_to:
            continue  # inside a longer label: 监督电话 is not 电话
        covered_to = stop
        if key not in matched and _is_label(text, start, stop):
            matched[key] = synonym
    found = [key for key in spec.order if key in matched]
    missing = [key for key in spec.order if key not in matched]
    is_guide = len(found) >= spec.min_elements or "办事指南" in (title or "")
    return {"found": found, "missing": missing, "is_guide": is_guide, "matched": matched}
