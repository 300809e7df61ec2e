"""Real messages for the demo city (issue item 9).

``load_demo_messages`` creates the demo channels when missing — the city board
(``board``, 示范市网上留言板), the mayor's mailbox (``mayor``, 市长信箱, leader ``shizhang``
when that account exists), one board per county or district (``board-<code>``, 三级联动)
and 示范市教育局's own mailbox (``mailbox-jyj``) — and imports the real 2020 messages
through ``import_messages``, the path any external board's file takes:

* ``messages_with_replies.csv`` (2,816 rows): with the official reply and its time, so
  reply rates, on-time rates and working days are the real ones.
* ``messages_with_votes.csv`` (4,326 rows): no replies in the data set. Those received
  before ``OPEN_FROM`` (2020-01-01) are archived as 已办结 with no unit — the data set does
  not say what happened to them, so they are public and count in topics, hot topics and
  repeats, but in no unit's reply, on-time or working-day figures (counted, they would
  pass for 4,246 late replies), and are never reminded or escalated. The 80
  received in the last weeks before the data set was collected (2020, within the
  15-working-day limit of its newest message) stay **open**: routed ones wait for the unit
  to sign for them, with a deadline counted from the import, so the demo has a real
  queue to work on.

Both files are written on the city board; a message naming one of the data's places (A1区
… A9市, mapped to the nine counties and districts in ``data/topic_units.yaml``) goes on
that county's board and is handled inside the county. Every message is routed by topic.

The data directory is ``$GOVSITE_MESSAGES_DATA``, else ``shared/data/messages-2020`` beside
the repository. Without it the import is skipped with a warning in the report.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from govsite.messaging.importer import ImportReport, import_messages
from govsite.messaging.models import Channel
from govsite.registry.models import Unit

DATA_ENV = "GOVSITE_MESSAGES_DATA"
SOURCE = "tipdm2020"  # the 2020 TipDM Cup data set (see its README)
FILES = ("messages_with_replies.csv", "messages_with_votes.csv")
OPEN_FROM = datetime(2020, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
CITY_CODE, CITY_NAME = "SF000", "示范市人民政府"
EDU_NAME = "示范市教育局"


class DemoRegistryMissing(LookupError):
    """The demo registry (示范市) has not been loaded."""


# Where the shared data lives on the project's machines: beside the checkout, or (for a
# clone made elsewhere, e.g. by CI) at the machine's fixed place.
MACHINE_DATA = Path("/work/shared/data/messages-2020")


def data_dir() -> Path:
    configured = os.environ.get(DATA_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    beside = (Path(__file__).resolve().parents[3] / ".." / "shared/data/messages-2020").resolve()
    return beside if beside.is_dir() or not MACHINE_DATA.is_dir() else MACHINE_DATA


@transaction.atomic
def ensure_channels() -> dict[str, Channel]:
    """The demo channels by slug, created when missing (existing ones are left as they are,
    except that the mayor's mailbox gets its leader once the account exists)."""
    city = (
        Unit.objects.filter(code=CITY_CODE).first() or Unit.objects.filter(name=CITY_NAME).first()
    )
    if city is None:
        raise DemoRegistryMissing("请先载入演示单位名录（govsite load_demo）。")
    leader = get_user_model().objects.filter(username="shizhang").first()
    wanted = [
        ("board", {"name": "示范市网上留言板", "kind": Channel.Kind.BOARD, "unit": city, "order": 0}),
        ("mayor", {"name": "市长信箱", "kind": Channel.Kind.LEADER, "unit": city, "order": 1,
                   "leader": leader, "allows_anonymous": False}),
    ]  # fmt: skip
    counties = Unit.objects.filter(category__code="county_portal", path__startswith=city.path)
    for order, county in enumerate(counties.order_by("code"), start=10):
        wanted.append((f"board-{county.code.lower()}", {
            "name": county.name.removesuffix("人民政府") + "网上留言板",
            "kind": Channel.Kind.BOARD, "unit": county, "order": order,
        }))  # fmt: skip
    edu = Unit.objects.filter(name=EDU_NAME).first()
    if edu is not None:
        wanted.append(("mailbox-jyj", {"name": f"{EDU_NAME}信箱", "kind": Channel.Kind.UNIT,
                                       "unit": edu, "order": 30}))  # fmt: skip
    channels = {}
    for slug, defaults in wanted:
        channel, _ = Channel.objects.get_or_create(slug=slug, defaults=defaults)
        if slug == "mayor" and channel.leader_id is None and leader is not None:
            channel.leader = leader
            channel.save(update_fields=["leader"])
        channels[slug] = channel
    return channels


def load_demo_messages(limit: int | None = None, *, actor=None) -> ImportReport:
    """Import the real 2020 messages (``limit``: the first N rows of each file). Running it
    again adds only what is missing."""
    directory = data_dir()
    missing = [name for name in FILES if not (directory / name).is_file()]
    if missing:
        report = ImportReport(source=SOURCE)
        report.warnings.append(
            f"未找到真实留言数据（{directory / missing[0]}），已跳过留言导入；"
            f"可用环境变量 {DATA_ENV} 指定数据目录。"
        )
        return report
    channels = ensure_channels()
    total: ImportReport | None = None
    for name in FILES:
        report = import_messages(
            directory / name, source=SOURCE, channel=channels["board"], actor=actor,
            by_place=True, close_unanswered_before=OPEN_FROM, limit=limit,
        )  # fmt: skip
        total = report if total is None else total.merge(report)
    return total
