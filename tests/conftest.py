"""Personas for every role, on a small unit tree, shared by the Django tests.

Tree:  市政府 ─┬─ 教育局
              ├─ 财政局
              └─ 青山县 ─┬─ 城关镇
                         └─ 石桥镇
"""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace

import pytest
from aiohttp import web


@pytest.fixture(autouse=True)
def _fast_password_hashing(request):
    """Real hashing costs ~0.25 s a user; tests create many users. Django-free test
    folders also run with ``-p no:django``, so only touch settings when Django is on."""
    if request.config.pluginmanager.hasplugin("django"):
        settings = request.getfixturevalue("settings")
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username, role=None, unit=None, **extra):
    from django.contrib.auth import get_user_model

    from govsite.accounts.models import RoleAssignment, StaffProfile

    user = get_user_model().objects.create_user(
        username=username, password="pw-Secret-123", **extra
    )
    if role is not None:
        profile = StaffProfile.objects.create(user=user, unit=unit, full_name=username)
        roles = role if isinstance(role, list | tuple) else [role]
        for r in roles:
            RoleAssignment.objects.create(profile=profile, role=r)
    return user


@pytest.fixture
def tree(db):
    from govsite.registry.categories import ensure_default_categories
    from govsite.registry.models import Unit, UnitCategory, Website

    # A transactional test (browser tests) flushes what the data migration created.
    ensure_default_categories(UnitCategory)
    cat = {c.code: c for c in UnitCategory.objects.all()}
    city = Unit.objects.create(code="C0", name="示范市人民政府", category=cat["city_portal"])
    edu = Unit.objects.create(
        code="D1", name="示范市教育局", parent=city, category=cat["city_department"]
    )
    fin = Unit.objects.create(
        code="D2", name="示范市财政局", parent=city, category=cat["city_department"]
    )
    county = Unit.objects.create(
        code="X1", name="青山县人民政府", parent=city, category=cat["county_portal"]
    )
    town1 = Unit.objects.create(
        code="X1T1", name="青山县城关镇", parent=county, category=cat["township"]
    )
    town2 = Unit.objects.create(
        code="X1T2", name="青山县石桥镇", parent=county, category=cat["township"]
    )
    for unit, host in [(city, "www"), (edu, "jyj"), (fin, "czj"), (county, "qs")]:
        Website.objects.create(unit=unit, name=unit.name, url=f"https://{host}.shifan.example/")
    return SimpleNamespace(city=city, edu=edu, fin=fin, county=county, town1=town1, town2=town2)


@pytest.fixture
def personas(tree):
    from govsite.accounts.roles import Role

    return SimpleNamespace(
        admin=make_user("admin", Role.ADMINISTRATOR, is_staff=True),
        superuser=make_user("root", is_superuser=True, is_staff=True),
        evaluator=make_user("evaluator", Role.EVALUATOR, tree.city),
        supervisor=make_user("supervisor", Role.SUPERVISION, tree.city),
        leader=make_user("leader", Role.LEADER, tree.city),
        edu_officer=make_user("edu", Role.UNIT_STAFF, tree.edu),
        fin_officer=make_user("fin", Role.UNIT_STAFF, tree.fin),
        county_head=make_user("county_head", Role.UNIT_HEAD, tree.county),
        county_officer=make_user("county_staff", Role.UNIT_STAFF, tree.county),
        town_officer=make_user("town", Role.UNIT_STAFF, tree.town1),
        expert=make_user("expert", Role.EXPERT),
        outsider=make_user("outsider"),
    )


@pytest.fixture
def user_factory(db):
    """make_user(username, role_or_roles=None, unit=None, **user_fields)"""
    return make_user


@pytest.fixture
def aiohttp_site():
    """Serve ``{path: html}`` on 127.0.0.1 from a background thread; returns the base URL.
    ``hits``, if given (a Counter), counts every request as ``"METHOD /path"``."""
    loops = []

    def start(pages: dict[str, str], hits=None) -> str:
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        holder = {}

        async def handler(request):
            if hits is not None:
                hits[f"{request.method} {request.path}"] += 1
            body = pages.get(request.path)
            if body is None:
                return web.Response(status=404, text="not found")
            return web.Response(text=body, content_type="text/html", charset="utf-8")

        async def main():
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", handler)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            holder["port"] = site._server.sockets[0].getsockname()[1]
            holder["runner"] = runner
            ready.set()

        thread = threading.Thread(target=lambda: (loop.run_until_complete(main()), loop.run_forever()),
                                  daemon=True)  # fmt: skip
        thread.start()
        ready.wait(10)
        loops.append((loop, holder["runner"], thread))
        return f"http://127.0.0.1:{holder['port']}"

    yield start
    for loop, runner, thread in loops:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
