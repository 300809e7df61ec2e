"""The editable dictionaries the checks read: mandated items, column kinds, wrong wording.

They ship in ``govsite/checks/data/`` and an administrator may point to edited copies
(``CheckConfig.data_dir``). Each loader validates its file and names the file and entry
when something is wrong, because a silently ignored typo would silently change scores.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

import ahocorasick
import yaml

DATA_DIR = Path(__file__).with_name("data")

ITEMS = (
    "functions", "leaders", "contact", "approval_items", "laws", "guides",
    "policy_interpretation", "annual_report", "budget", "complaint", "mailbox",
    "message_board", "interview", "solicitation", "survey", "forms", "online_accept",
    "status_query", "result_feedback", "english", "search",
)  # fmt: skip


class DictionaryError(ValueError):
    """A dictionary file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class ItemNames:
    names: tuple[str, ...]
    exclude: tuple[str, ...] = ()  # a text containing one of these never offers the item


@dataclass(frozen=True)
class ColumnKind:
    name: str
    days: int
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class ColumnKinds:
    kinds: tuple[ColumnKind, ...]
    no_window: tuple[str, ...]

    def kind_of(self, column_name: str) -> ColumnKind | None:
        """The first kind whose keyword occurs in the name; None for columns with no window."""
        if not column_name or any(word in column_name for word in self.no_window):
            return None
        for kind in self.kinds:
            if any(word in column_name for word in kind.keywords):
                return kind
        return None


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DictionaryError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise DictionaryError(f"{path}: expected a mapping at the top level")
    return data


@lru_cache(maxsize=8)
def load_items(data_dir: Path = DATA_DIR) -> dict[str, ItemNames]:
    path = Path(data_dir) / "items.yaml"
    data = _read_yaml(path)
    unknown = set(data) - set(ITEMS)
    if unknown:
        raise DictionaryError(f"{path}: unknown items {sorted(unknown)} (allowed: {ITEMS})")
    out = {}
    for item in ITEMS:
        entry = data.get(item)
        if not isinstance(entry, dict) or not entry.get("names"):
            raise DictionaryError(f"{path}: item {item!r} needs a non-empty 'names' list")
        out[item] = ItemNames(
            tuple(str(n) for n in entry["names"]), tuple(str(n) for n in entry.get("exclude", ()))
        )
    return out


@lru_cache(maxsize=8)
def item_matcher(data_dir: Path = DATA_DIR):
    """``offered(texts) -> set of items`` some text offers (a name of the item in it and
    none of its exclusions), with one Aho-Corasick pass over all the texts joined, instead of
    testing every name of every item against every link text of the site."""
    items = load_items(data_dir)
    automaton = ahocorasick.Automaton()
    owners: dict[str, list[str]] = {}
    for item, entry in items.items():
        for name in entry.names:
            if "\n" not in name:  # texts are joined with newlines: no name spans two
                owners.setdefault(name.lower(), []).append(item)
    for name, owned in owners.items():
        automaton.add_word(name, tuple(owned))
    automaton.make_automaton()

    def offered(texts: list[str]) -> set[str]:
        joined = "\n".join(texts)
        hits = list(automaton.iter(joined.lower()))
        if not hits:  # the usual case: one pass over a page's new texts and done
            return set()
        # where each text starts in the lower-cased join (lower() may lengthen a character)
        starts = list(accumulate((len(text.lower()) + 1 for text in texts), initial=0))
        found = set()
        for end, owned in hits:
            text = texts[bisect_right(starts, end) - 1]
            found.update(item for item in owned if not any(w in text for w in items[item].exclude))
        return found

    return offered


@lru_cache(maxsize=8)
def load_column_kinds(data_dir: Path = DATA_DIR) -> ColumnKinds:
    path = Path(data_dir) / "columns.yaml"
    data = _read_yaml(path)
    kinds = []
    for name, entry in data.items():
        if name == "no_window":
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("days"), int):
            raise DictionaryError(f"{path}: kind {name!r} needs whole-number 'days'")
        if not entry.get("keywords"):
            raise DictionaryError(f"{path}: kind {name!r} needs a non-empty 'keywords' list")
        kinds.append(ColumnKind(name, entry["days"], tuple(str(k) for k in entry["keywords"])))
    return ColumnKinds(tuple(kinds), tuple(str(w) for w in data.get("no_window", ())))


@lru_cache(maxsize=8)
def load_forbidden(data_dir: Path = DATA_DIR) -> ahocorasick.Automaton:
    """An Aho-Corasick automaton of wrong expressions; values are (wrong, right or '')."""
    path = Path(data_dir) / "forbidden.txt"
    automaton = ahocorasick.Automaton()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        wrong, _, right = (part.strip() for part in line.partition("=>"))
        if not wrong:
            raise DictionaryError(f"{path}:{number}: empty expression")
        automaton.add_word(wrong, (wrong, right))
    if len(automaton) == 0:
        raise DictionaryError(f"{path}: no expressions")
    automaton.make_automaton()
    return automaton


def find_forbidden(text: str, automaton: ahocorasick.Automaton) -> list[tuple[str, str]]:
    """Distinct (wrong, right) pairs found in ``text``, in order of first appearance."""
    seen: dict[str, str] = {}
    for _, (wrong, right) in automaton.iter(text):
        seen.setdefault(wrong, right)
    return list(seen.items())
