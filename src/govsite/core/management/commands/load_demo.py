"""Load the demo city registry and one account per role; print how to log in."""

import os
import secrets

from django.core.management.base import BaseCommand

from govsite.accounts.demo import create_demo_accounts
from govsite.core.audit import record
from govsite.registry.demo import demo_csv
from govsite.registry.models import Unit, Website
from govsite.registry.tabular import import_registry


class Command(BaseCommand):
    help = "载入演示数据：示范市单位名录与各角色演示账号。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("GOVSITE_DEMO_PASSWORD", ""),
            help="演示账号密码（默认随机生成并打印）",
        )

    def handle(self, *args, password, **options):
        report = import_registry(demo_csv(), "demo_registry.csv")
        password = password or secrets.token_urlsafe(9)
        accounts = create_demo_accounts(password)
        record(None, "demo.load", None, summary=report.summary())
        self.stdout.write(
            f"演示名录：{Unit.objects.count()} 个单位，{Website.objects.count()} 个网站（{report.summary()}）"
        )
        self.stdout.write("演示账号（密码相同）：")
        for account in accounts:
            self.stdout.write(f"  {account.username:<10} {account.full_name}（{account.note}）")
        self.stdout.write(f"  密码：{password}")
