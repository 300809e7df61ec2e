"""Settings come from the environment, typed and validated."""

import os

import pytest
from django.db import connection

from govsite.lib.env import EnvError, env_bool, env_int, env_list


def test_the_database_in_use_is_the_one_database_url_names(db):
    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected


def test_env_bool_reads_words_and_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "False")
    assert env_bool("X_FLAG", True) is False  # the string "False" is not true
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "perhaps")
    with pytest.raises(EnvError, match="X_FLAG"):
        env_bool("X_FLAG")


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("X_NUM", "12")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_int("X_NUM", 1) == 12 and env_int("X_MISSING", 7) == 7
    assert env_list("X_LIST", []) == ["a", "b", "c"]
    monkeypatch.setenv("X_NUM", "twelve")
    with pytest.raises(EnvError):
        env_int("X_NUM", 1)


def test_defaults_are_safe(settings):
    assert settings.LANGUAGE_CODE == "zh-hans" and settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
