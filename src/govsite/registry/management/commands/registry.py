"""govsite registry import FILE [--dry-run] | export FILE"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govsite.registry.models import Unit
from govsite.registry.tabular import ImportRejected, export_csv, export_xlsx, import_registry


class Command(BaseCommand):
    help = "导入或导出单位与网站名录（CSV 或 XLSX）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="从 CSV/XLSX 导入；有任何错误则不做修改")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        exp = sub.add_parser("export", help="导出为 CSV 或 XLSX（按扩展名）")
        exp.add_argument("file")

    def handle(self, *args, action, file, **options):
        path = Path(file)
        if action == "import":
            if not path.is_file():
                raise CommandError(f"找不到文件：{path}")
            try:
                report = import_registry(path.read_bytes(), path.name, dry_run=options["dry_run"])
            except ImportRejected as rejected:
                for error in rejected.errors:
                    self.stderr.write(str(error))
                raise CommandError(str(rejected)) from None
            self.stdout.write(report.summary())
        else:
            units = Unit.objects.select_related("parent", "category")
            data = export_xlsx(units) if path.suffix.lower() == ".xlsx" else export_csv(units)
            path.write_bytes(data)
            self.stdout.write(f"已导出 {units.count()} 个单位到 {path}")
