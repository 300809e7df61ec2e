from django.core.management.base import BaseCommand, CommandError

from govsite.evaluations.importer import ResultFileError, import_result


class Command(BaseCommand):
    help = "把 govsite evaluate 的 RESULT.json 导入数据库（含证据快照）。"

    def add_arguments(self, parser):
        parser.add_argument("result")
        parser.add_argument("--note", default="", help="本批次说明")

    def handle(self, *args, result, note, **options):
        try:
            run = import_result(result, note=note)
        except ResultFileError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已导入检查批次 #{run.pk}：{run.sites.count()} 个网站。")
