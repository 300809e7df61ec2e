"""Channels and a helper to write messages, on the shared unit tree and personas."""

from __future__ import annotations

import pytest

from govsite.messaging.intake import submit
from govsite.messaging.models import Channel
from govsite.messaging.repeats import link_unchecked


@pytest.fixture
def channels(tree):
    board = Channel.objects.create(slug="board", name="网上留言板", kind="board", unit=tree.city)
    mayor = Channel.objects.create(slug="mayor", name="市长信箱", kind="leader", unit=tree.city,
                                   allows_anonymous=False)  # fmt: skip
    county = Channel.objects.create(slug="qs", name="青山县留言板", kind="board", unit=tree.county)
    return type("Channels", (), {"board": board, "mayor": mayor, "county": county})


@pytest.fixture
def write(channels):
    """write(**fields) -> Submitted; defaults make a valid consultation on the city board.
    The repeat check runs right after, as the background does once the submission commits
    (in a test transaction nothing commits: ``test_repeat_check.py`` tests that path)."""

    def _write(channel=None, address="203.0.113.7", **fields):
        data = {"message_type": "consult", "title": "咨询幼儿园入学政策",
                "content": "请问今年幼儿园入学需要准备哪些材料？", "name": "王小明",
                "phone": "13800000001"} | fields  # fmt: skip
        done = submit(channel or channels.board, data, address=address)
        link_unchecked([done.message.pk])
        return done

    return _write
