"""The probe records in the admin: readable, filterable, never changed, scope-limited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from govsite.monitoring.models import ProbeResult

AT = datetime(2025, 6, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def probes(tree):
    rows = []
    for unit, ok in [(tree.city, True), (tree.county, False), (tree.edu, True)]:
        website = unit.websites.get()
        rows.append(
            ProbeResult.objects.create(
                website=website,
                at=AT,
                ok=ok,
                status=200 if ok else None,
                elapsed=1.5,
                error="" if ok else "timeout",
                url=website.url,
            )  # fmt: skip
        )
    return rows


def test_the_list_shows_probes_with_chinese_labels_and_filters(client, personas, probes):
    client.force_login(personas.superuser)
    page = client.get(reverse("admin:monitoring_proberesult_changelist") + "?ok__exact=0")
    assert page.status_code == 200
    text = page.content.decode()
    assert "首页探测记录" in text and "失败原因" in text and "timeout" in text
    assert "青山县人民政府" in text and "示范市教育局" not in text  # filtered to failures


def test_probe_records_cannot_be_added_changed_or_deleted(client, personas, probes):
    client.force_login(personas.superuser)
    probe = probes[0]
    assert client.get(reverse("admin:monitoring_proberesult_add")).status_code == 403
    delete = reverse("admin:monitoring_proberesult_delete", args=[probe.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:monitoring_proberesult_change", args=[probe.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    client.post(change, {"ok": "on", "error": "edited"})
    probe.refresh_from_db()
    assert probe.error == ""
    assert ProbeResult.objects.count() == 3


def test_a_unit_head_sees_only_probes_of_websites_in_their_subtree(personas, probes):
    model_admin = admin.site._registry[ProbeResult]
    request = RequestFactory().get("/")
    request.user = personas.county_head
    visible = model_admin.get_queryset(request)
    assert [p.website.unit.code for p in visible] == ["X1"]
    request.user = personas.superuser
    assert model_admin.get_queryset(request).count() == 3
