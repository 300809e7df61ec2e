"""Repeat messages (M7): placeholder replaced by the repeats helper."""


def link_repeat(message) -> None:
    return None
