"""Repeat messages (M7; 004 art.16 多次反映).

A new message repeats an earlier one when that one is still **open** (not replied, closed
or hidden) or was received **recently** (within ``window()``, 90 days unless the setting
``GOVSITE_REPEAT_WINDOW_DAYS`` says otherwise), and

* it comes from the **same sender** (``sender_key``) and says much the same thing: text
  similarity at least ``SAME_SENDER_THRESHOLD``, or (almost) the same title
  (``SAME_TITLE_THRESHOLD``) — a sender writing about two different matters is not
  repeating; or
* its text is **near-identical** (``REPEAT_THRESHOLD``), whoever sent it (the same
  complaint copied, or posted on the city and a county board: 三级联动).

Similarity (``similarity``) compares the jieba tokens of title and text with an
edit-distance ratio (rapidfuzz Indel on token sequences: 2·LCS / (|a| + |b|)), after
dropping punctuation and one-character tokens (的, 了, 在 …) that make any two Chinese
texts look alike. Calibrated on the real 2020 messages: a sender's real repeats score
0.6–1.0, different matters by one prolific sender mostly below 0.6; identical messages
copied by different accounts score 1.0.

A repeat is linked to the **first** message of its chain (``repeat_of`` of the match, or
the match itself), and a staff-only ``MessageEvent(action="repeat")`` says which and why.

When: not in the request. ``intake.submit`` stores a message with ``repeat_checked=False``
and it is checked after commit, in the background (``messaging/tasks.py``:
``link_unchecked``); ``govsite link_repeats`` (``sweep``) checks whatever is still unchecked,
oldest first. Both go through ``check_messages``, which checks a batch with one set of
queries (``_check_batch``: each message sees exactly the candidates it would see alone) and
claims each message with a conditional UPDATE, so none is linked twice. Imports check
their rows themselves (``find_repeats_among``) and store them as checked.

Speed with a million messages: no full scan. Candidates come from indexed queries only —
the newest ``MAX_RECENT`` messages received in the window (index on ``received_at``),
older open ones (index on ``status``; up to ``MAX_OPEN``, in the index's order when the
backlog is larger), and the sender's own (index on ``sender_key``). They are screened by a cheap character ratio on the title and the start
of the text (rapidfuzz ``process.extract``, C++); the ``SHORTLIST`` best (and the sender's
own) are compared character by character (``TEXT_PRECHECK``), and only those left are
tokenised with jieba and scored.

The limit that follows: where more than ``MAX_RECENT`` messages arrive within the window,
a near-identical text by *another* sender is looked for among the newest ``MAX_RECENT``
only (the sender's own messages are always all looked at). One more indexed field on
``Message`` would lift it (not added here, models.py is shared): a short fingerprint of
the text — e.g. a few MinHash bands of its jieba tokens, ``CharField(db_index=True)`` —
so near-identical texts anywhere in the table are found by an indexed equality lookup.
"""

from __future__ import annotations

import bisect
import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber, Substr
from django.utils import timezone
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from govsite.messaging.models import Message, MessageEvent, Status

logger = logging.getLogger(__name__)

WINDOW_DAYS = 90
#: Near-identical text: a repeat whoever sent it.
REPEAT_THRESHOLD = 0.9
#: The same sender, much the same text.
SAME_SENDER_THRESHOLD = 0.6
#: The same sender, (almost) the same title (character ratio).
SAME_TITLE_THRESHOLD = 0.9

SCREEN_CHARS = 20  # title + this many characters of the text are screened
SCREEN_CUTOFF = 40  # character ratio (0–100) a candidate needs to be scored in full
SHORTLIST = 8  # candidates scored in full per message (besides the sender's own)
OWN_SCREEN_CUTOFF = 20  # the sender's own messages: a much lower bar
SIMILARITY_CHARS = 600  # title + this much of the text are compared in full
#: Character ratio of the compared texts below which jieba is not even run: every real
#: repeat in the 2020 data is at 0.5 or more (measured over all 525 qualifying pairs).
TEXT_PRECHECK = 0.45
MAX_RECENT = 3000  # newest messages in the window screened
MAX_OPEN = 500  # older open messages screened
MAX_SAME_SENDER = 100  # the sender's own messages considered
MAX_BULK_EXISTING = 50_000  # existing messages an import is compared with

OPEN_STATUSES = (Status.SUBMITTED, Status.COLLECTED, Status.WITH_LEADER, Status.INSTRUCTED,
                 Status.ASSIGNED, Status.HANDLING, Status.REPLY_REVIEW)  # fmt: skip
NON_WORD = re.compile(r"[\W_]+")
WORD = re.compile(r"\w")


def window() -> timedelta:
    return timedelta(days=getattr(settings, "GOVSITE_REPEAT_WINDOW_DAYS", WINDOW_DAYS))


# -- similarity (pure) ----------------------------------------------------------------------

_jieba = None


def _cut(text: str) -> list[str]:
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" on stderr
        _jieba = jieba
    return _jieba.lcut(text, HMM=False)  # dictionary words only: faster, as good here


def tokens(text: str) -> list[str]:
    """The jieba tokens that carry meaning: no punctuation, no one-character words."""
    return [t.lower() for t in _cut(text or "") if len(t) > 1 and WORD.search(t)]


def token_similarity(a: Sequence[str], b: Sequence[str]) -> float:
    if not a or not b:
        return 1.0 if not a and not b else 0.0
    return Indel.normalized_similarity(a, b)


def similarity(a: str, b: str) -> float:
    """0.0–1.0: how alike two texts are (jieba tokens, rapidfuzz Indel ratio)."""
    ta, tb = tokens(a), tokens(b)
    if not ta and not tb:  # only one-character words: compare the characters
        na, nb = NON_WORD.sub("", a or ""), NON_WORD.sub("", b or "")
        return 1.0 if na == nb else fuzz.ratio(na, nb) / 100
    return token_similarity(ta, tb)


def title_similarity(a: str, b: str) -> float:
    return fuzz.ratio(NON_WORD.sub("", a or "").lower(), NON_WORD.sub("", b or "").lower()) / 100


def screen_text(title: str, content: str) -> str:
    return NON_WORD.sub("", (title or "") + (content or "")[:SCREEN_CHARS]).lower()


def full_text(title: str, content: str) -> str:
    """What is compared in full: the title and the start of the text (a repeat shows in
    its first ``SIMILARITY_CHARS`` characters; jieba's cost grows with the length)."""
    return f"{title or ''}\n{(content or '')[:SIMILARITY_CHARS]}"


# -- candidates and matching ------------------------------------------------------------------


@dataclass(eq=False)
class Candidate:
    """What matching needs of one message (existing or being imported)."""

    id: int
    number: str
    title: str
    screen: str
    sender_key: str
    received_at: datetime
    replied_at: datetime | None = None
    open: bool = False  # not replied, closed or hidden (now)
    root_id: int | None = None  # repeat_of, or None when this message is a first one
    root_number: str = ""
    text: str | None = None  # title + text, loaded only when needed
    _tokens: list[str] | None = field(default=None, repr=False)
    _flat: str | None = field(default=None, repr=False)

    @classmethod
    def of(cls, message: Message) -> Candidate:
        return cls(
            id=message.pk, number=message.number, title=message.title,
            screen=screen_text(message.title, message.content), sender_key=message.sender_key,
            received_at=message.received_at, replied_at=message.replied_at,
            open=message.status in OPEN_STATUSES, root_id=message.repeat_of_id,
            text=full_text(message.title, message.content),
        )  # fmt: skip

    @property
    def first_id(self) -> int:
        return self.root_id or self.id

    def tokens(self) -> list[str]:
        if self._tokens is None:
            self._tokens = tokens(self.text or "")
        return self._tokens

    def flat(self) -> str:
        if self._flat is None:
            self._flat = NON_WORD.sub("", self.text or "").lower()
        return self._flat

    def open_at(self, moment: datetime) -> bool:
        """Still unanswered at ``moment`` (for history: replied only later)."""
        if self.replied_at is not None:
            return self.replied_at > moment
        return self.open


@dataclass(frozen=True)
class Match:
    message_id: int  # the new message
    matched: Candidate  # the earlier message it is most like
    score: float  # text similarity
    same_sender: bool
    title_score: float = 0.0  # title similarity (same sender only)

    @property
    def first_id(self) -> int:
        return self.matched.first_id

    def note(self) -> str:
        if not self.same_sender:
            why = f"内容几乎相同（相似度 {self.score:.0%}）"
        elif self.score >= SAME_SENDER_THRESHOLD:
            why = f"同一留言人再次反映（内容相似度 {self.score:.0%}）"
        else:
            why = f"同一留言人以相同标题再次反映（标题相似度 {self.title_score:.0%}）"
        text = f"与留言 {self.matched.number}「{self.matched.title}」重复：{why}"
        if self.matched.root_id and self.matched.root_number:
            text += f"；首次反映为留言 {self.matched.root_number}"
        return text


def _qualifies(score: float, title_score: float, same_sender: bool) -> bool:
    if score >= REPEAT_THRESHOLD:
        return True
    return same_sender and (score >= SAME_SENDER_THRESHOLD or title_score >= SAME_TITLE_THRESHOLD)


def shortlist(new: Candidate, others: Sequence[Candidate], own: Sequence[Candidate] = (),
              screens: Sequence[str] | None = None) -> dict[int, Candidate]:  # fmt: skip
    """The candidates worth scoring in full: the ``SHORTLIST`` best of ``others`` by a cheap
    character ratio on the screens, and the sender's own that are at all alike."""
    found = process.extract(new.screen, screens if screens is not None else [c.screen for c in others],
                            scorer=fuzz.ratio, score_cutoff=SCREEN_CUTOFF, limit=SHORTLIST)  # fmt: skip
    chosen = {others[index].id: others[index] for _, _, index in found}
    for c in own[-MAX_SAME_SENDER:]:
        if fuzz.ratio(new.screen, c.screen) >= OWN_SCREEN_CUTOFF or (
            title_similarity(new.title, c.title) >= SAME_TITLE_THRESHOLD
        ):
            chosen[c.id] = c
    chosen.pop(new.id, None)
    return chosen


def score(new: Candidate, chosen: dict[int, Candidate]) -> Match | None:
    """The best qualifying match among the shortlisted (with their texts loaded)."""
    best: Match | None = None
    for candidate in chosen.values():
        if candidate.text is None:
            continue
        same_sender = bool(new.sender_key) and candidate.sender_key == new.sender_key
        title_score = title_similarity(new.title, candidate.title) if same_sender else 0.0
        if title_score < SAME_TITLE_THRESHOLD and (
            fuzz.ratio(new.flat(), candidate.flat()) / 100 < TEXT_PRECHECK
        ):
            continue  # too unlike to be a repeat: spare jieba
        value = token_similarity(new.tokens(), candidate.tokens())
        if not _qualifies(value, title_score, same_sender):
            continue
        if (best is None or value > best.score
                or (value == best.score and candidate.received_at < best.matched.received_at)):  # fmt: skip
            best = Match(new.id, candidate, value, same_sender, title_score)
    return best


def best_match(new: Candidate, others: Sequence[Candidate], own: Sequence[Candidate] = (),
               load_texts: Callable[[list[Candidate]], None] | None = None,
               screens: Sequence[str] | None = None) -> Match | None:  # fmt: skip
    """The earlier message ``new`` repeats, if any: among ``others`` (open or recent
    messages; ``screens``, if given, are their ``screen`` strings) and ``own`` (the same
    sender's open or recent messages). The caller has done the limiting."""
    chosen = shortlist(new, others, own, screens)
    if not chosen:
        return None
    missing = [c for c in chosen.values() if c.text is None]
    if missing and load_texts is not None:
        load_texts(missing)
    return score(new, chosen)


# -- a new message (intake) -----------------------------------------------------------------

_FIELDS = ("id", "number", "title", "screen_content", "sender_key", "received_at",
           "replied_at", "status", "repeat_of_id", "repeat_of__number")  # fmt: skip


def _candidate(row: dict) -> Candidate:
    return Candidate(
        id=row["id"], number=row["number"], title=row["title"],
        screen=screen_text(row["title"], row["screen_content"]), sender_key=row["sender_key"],
        received_at=row["received_at"], replied_at=row["replied_at"],
        open=row["status"] in OPEN_STATUSES, root_id=row["repeat_of_id"],
        root_number=row["repeat_of__number"] or "",
    )  # fmt: skip


def _rows(queryset) -> list[Candidate]:
    rows = queryset.annotate(screen_content=Substr("content", 1, SCREEN_CHARS)).values(*_FIELDS)
    return [_candidate(row) for row in rows]


def load_texts(candidates: list[Candidate]) -> None:
    """Fetch title and text of the shortlisted candidates (one query)."""
    by_id = {c.id: c for c in candidates}
    rows = (Message.objects.filter(pk__in=list(by_id)).order_by()
            .annotate(head=Substr("content", 1, SIMILARITY_CHARS)).values_list("id", "title", "head"))  # fmt: skip
    for pk, title, head in rows:
        by_id[pk].text = full_text(title, head)


def _pool_key(c: Candidate) -> tuple[datetime, int]:
    return (c.received_at, c.id)


def _unique(found: list[Candidate], known: dict[int, Candidate]) -> list[Candidate]:
    """One Candidate object per message across the batch's queries (a link made during the
    batch then shows in every list)."""
    return [known.setdefault(c.id, c) for c in found]


def _check_batch(items: list[Message]) -> tuple[list[Message], dict[int, Match], list[Message]]:
    """Check ``items`` (saved, not hidden, not linked; in time order) with one set of indexed
    queries: the newest ``MAX_RECENT + len(items)`` messages of the window up to the last
    item, the older open ones, the senders' own. Each item is compared with exactly what
    checking it alone would look at — the messages before it — except where the recent pool
    does not reach back ``MAX_RECENT`` messages before an early item: that one is returned in
    ``later`` (checked in a next round, whose pool ends at it). Returns (checked, matches by
    message id, later)."""
    span = window()
    first_at, last_at = items[0].received_at, items[-1].received_at
    limit = MAX_RECENT + len(items)
    earlier = Message.objects.exclude(status=Status.HIDDEN).filter(received_at__lte=last_at)
    known: dict[int, Candidate] = {}
    pool = _unique(_rows(earlier.filter(received_at__gte=first_at - span)
                         .order_by("-received_at", "-id")[:limit]), known)  # fmt: skip
    truncated = len(pool) >= limit
    pool.sort(key=_pool_key)
    keys = [_pool_key(c) for c in pool]
    older = _unique(_rows(earlier.filter(received_at__lt=last_at - span, status__in=OPEN_STATUSES)
                          .order_by()[:MAX_OPEN]), known)  # fmt: skip
    senders = sorted({m.sender_key for m in items if m.sender_key})
    by_sender: dict[str, list[Candidate]] = defaultdict(list)
    if senders:
        own = (earlier.filter(sender_key__in=senders)
               .filter(Q(received_at__gte=first_at - span) | Q(status__in=OPEN_STATUSES))
               .annotate(rank=Window(RowNumber(), partition_by=F("sender_key"),
                                     order_by=[F("received_at").desc(), F("id").desc()]))
               .filter(rank__lte=MAX_SAME_SENDER))  # fmt: skip
        for c in sorted(_unique(_rows(own), known), key=_pool_key):
            by_sender[c.sender_key].append(c)
    for message in items:  # their texts are at hand: no query for them
        if message.pk in known:
            known[message.pk].text = full_text(message.title, message.content)
    checked: list[Message] = []
    later: list[Message] = []
    chosen: list[tuple[Message, Candidate, dict[int, Candidate]]] = []
    for message in items:
        at = message.received_at
        here = (at, message.pk)
        high = bisect.bisect_left(keys, here)  # strictly before this message
        if truncated and high < MAX_RECENT and message is not items[-1]:
            later.append(message)  # the pool does not reach back far enough (the last
            continue  # item always has MAX_RECENT before it: each round makes progress)
        low = max(bisect.bisect_left(keys, (at - span, 0)), high - MAX_RECENT)
        recent = pool[low:high]
        old = [c for c in older if c.received_at < at - span]
        mine = [c for c in by_sender.get(message.sender_key, ())
                if _pool_key(c) < here and (c.received_at >= at - span or c.open)]  # fmt: skip
        seen = {c.id for c in recent}
        others = recent + [c for c in old + mine if c.id not in seen and not seen.add(c.id)]
        new = known.get(message.pk) or Candidate.of(message)  # one object: tokens once
        chosen.append((message, new, shortlist(new, others, mine)))
        checked.append(message)
    # the shortlisted texts of the whole batch in one query, then the scores in time order
    missing = {c.id: c for _, _, found in chosen for c in found.values() if c.text is None}
    ids = list(missing)
    for index in range(0, len(ids), 1000):
        load_texts([missing[pk] for pk in ids[index : index + 1000]])
    matches: dict[int, Match] = {}
    for message, new, found in chosen:
        match = score(new, found)
        if match is not None and match.first_id != message.pk:
            matches[message.pk] = match
            if message.pk in known:  # later items of the batch link to the first of the chain
                known[message.pk].root_id = match.first_id
                known[message.pk].root_number = match.matched.root_number or match.matched.number
    return checked, matches, later


def _save(checked: list[Message], matches: dict[int, Match]) -> tuple[int, int]:
    """Mark ``checked`` as checked and write each match (``repeat_of`` and a staff-only
    event). Each message is claimed (``repeat_checked`` still False, row locked) so one
    checked at the same time elsewhere (the sweep and a background job) is written once.
    One short transaction per link, the message row locked first as in a transition: the
    event's statistics upserts then never wait in a circle with another batch or a
    transition (a batch in one transaction did, measured: deadlocks under load). The event
    carries the message's status now — it may have moved on since the check began."""
    plain = [m.pk for m in checked if m.pk not in matches]
    done = linked = 0
    if plain:
        done += Message.objects.filter(pk__in=plain, repeat_checked=False).update(
            repeat_checked=True
        )
    for message in checked:
        match = matches.get(message.pk)
        if match is None:
            continue
        with transaction.atomic():
            now = (Message.objects.select_for_update().filter(pk=message.pk, repeat_checked=False)
                   .values("status", "unit_id").first())  # fmt: skip
            if now is None:  # checked meanwhile elsewhere
                continue
            Message.objects.filter(pk=message.pk).update(
                repeat_checked=True, repeat_of_id=match.first_id
            )
            message.repeat_of_id, message.status = match.first_id, now["status"]
            message.unit_id = now["unit_id"]
            MessageEvent.objects.create(
                message=message, at=timezone.now(), action="repeat", from_status=now["status"],
                to_status=now["status"], unit_id=now["unit_id"], note=match.note(), public=False,
            )  # fmt: skip
        done += 1
        linked += 1
    for message in checked:
        message.repeat_checked = True
    return done, linked


def check_messages(messages: list[Message]) -> tuple[int, int, dict[int, Match]]:
    """The repeat check for these messages (loaded, ``repeat_checked`` False): link each
    that repeats an open or recent one to the first of its chain and tell staff (an event).
    Returns (checked, linked, matches by message id)."""
    pending = sorted(messages, key=lambda m: (m.received_at, m.pk))
    trivial = [m for m in pending if m.repeat_of_id or m.status == Status.HIDDEN]
    pending = [m for m in pending if not (m.repeat_of_id or m.status == Status.HIDDEN)]
    checked, linked = _save(trivial, {}) if trivial else (0, 0)
    found: dict[int, Match] = {}
    while pending:
        done, matches, pending = _check_batch(pending)
        n, m = _save(done, matches)
        checked, linked = checked + n, linked + m
        found.update(matches)
    return checked, linked, found


def link_unchecked(ids) -> int:
    """The check after intake (``messaging/tasks.py``): the messages of ``ids`` not checked
    yet. Returns how many this call checked (0 for those checked meanwhile elsewhere)."""
    messages = list(Message.objects.filter(pk__in=list(ids), repeat_checked=False))
    return check_messages(messages)[0] if messages else 0


def link_repeat(message: Message) -> Match | None:
    """Check one message now (as the background job would): the match, or None."""
    return check_messages([message])[2].get(message.pk)


def sweep(max_seconds: float = 300.0, batch: int = 500) -> dict:
    """Every message not checked yet, oldest first, in batches, for at most ``max_seconds``
    (``govsite link_repeats``). A batch that fails is logged and skipped (the next sweep
    tries it again) so one bad message cannot hold up the others."""
    started = time.monotonic()
    checked = linked = failed = 0
    after: tuple[datetime, int] | None = None
    while time.monotonic() - started < max_seconds:
        todo = Message.objects.filter(repeat_checked=False)
        if after is not None:
            todo = todo.filter(
                Q(received_at__gt=after[0]) | Q(received_at=after[0], id__gt=after[1])
            )
        messages = list(todo.order_by("received_at", "id")[:batch])
        if not messages:
            break
        after = (messages[-1].received_at, messages[-1].pk)
        try:
            n, m, _ = check_messages(messages)
        except Exception:  # logged; these stay unchecked for the next sweep
            logger.exception("repeat sweep: a batch of %s messages failed", len(messages))
            failed += len(messages)
            continue
        checked, linked = checked + n, linked + m
    left = Message.objects.filter(repeat_checked=False).count()
    return {"checked": checked, "linked": linked, "failed": failed, "left": left,
            "seconds": time.monotonic() - started}  # fmt: skip


# -- many messages at once (an import) ---------------------------------------------------------


def find_repeats_among(new: list[Candidate]) -> list[Match]:
    """Repeats among messages just imported (history: "open" means not yet replied at the
    new message's time), compared with each other and with the existing messages of the
    same period (at most ``MAX_BULK_EXISTING``, newest first) and of the same senders.

    ``new`` must be saved (ids) and carry their text. Returns one Match per repeat, in
    time order; a message matched here is itself a candidate for later ones."""
    if not new:
        return []
    span = window()
    new = sorted(new, key=lambda c: (c.received_at, c.id))
    new_ids = {c.id for c in new}
    start, end = new[0].received_at - span, new[-1].received_at
    existing = Message.objects.exclude(status=Status.HIDDEN)
    pool = [c for c in _rows(existing.filter(received_at__gte=start, received_at__lte=end)
                              .order_by("-received_at")[:MAX_BULK_EXISTING])
            if c.id not in new_ids]  # fmt: skip
    keys = sorted({c.sender_key for c in new if c.sender_key})
    for index in range(0, len(keys), 500):
        query = existing.filter(sender_key__in=keys[index : index + 500], received_at__lte=end)
        pool += [c for c in _rows(query) if c.id not in new_ids]
    pool = sorted({c.id: c for c in pool}.values(), key=lambda c: c.received_at)
    times = [c.received_at for c in pool]
    screens = [c.screen for c in pool]
    long_open = [c for c in pool if c.open_at(c.received_at + span)]  # sorted by time
    open_times = [c.received_at for c in long_open]
    by_sender: dict[str, list[Candidate]] = defaultdict(list)
    for c in pool:
        if c.sender_key:
            by_sender[c.sender_key].append(c)
    matches: list[Match] = []
    for item in new:
        at = item.received_at
        high = bisect.bisect_right(times, at)
        low = max(bisect.bisect_left(times, at - span), high - MAX_RECENT)
        recent = pool[low:high]
        end = bisect.bisect_left(open_times, at - span)
        older = [c for c in long_open[max(0, end - MAX_OPEN) : end] if c.open_at(at)]
        own = [c for c in by_sender.get(item.sender_key, ())
               if c.received_at <= at and (c.received_at >= at - span or c.open_at(at))]  # fmt: skip
        match = best_match(item, recent + older, own, load_texts,
                           screens[low:high] + [c.screen for c in older])  # fmt: skip
        if match is not None:
            matches.append(match)
            item.root_id = match.first_id
            item.root_number = match.matched.root_number or match.matched.number
        times.insert(high, at)
        pool.insert(high, item)
        screens.insert(high, item.screen)
        if item.sender_key:
            by_sender[item.sender_key].append(item)
        if item.open_at(at + span):
            place = bisect.bisect_right(open_times, at)
            open_times.insert(place, at)
            long_open.insert(place, item)
    return matches


def save_matches(matches: list[Match], messages: dict[int, Message], *, now=None) -> None:
    """Write ``repeat_of`` and the staff-only event for each match (in bulk; the events are
    dated when the repeat arrived, or ``now``)."""
    if not matches:
        return
    changed = []
    for match in matches:
        message = messages[match.message_id]
        message.repeat_of_id = match.first_id
        changed.append(message)
    Message.objects.bulk_update(changed, ["repeat_of"], batch_size=1000)
    MessageEvent.objects.bulk_create(
        [MessageEvent(message_id=m.message_id, at=now or messages[m.message_id].received_at,
                      action="repeat", from_status=messages[m.message_id].status,
                      to_status=messages[m.message_id].status,
                      unit_id=messages[m.message_id].unit_id, note=m.note(), public=False)
         for m in matches],
        batch_size=1000,
    )  # fmt: skip
