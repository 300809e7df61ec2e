"""govsite workdays add DATE N | between START END | check DATE | year YEAR"""

from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError

from govsite.workdays.calendar import UnknownYearError
from govsite.workdays.service import current_calendar


def _parse(text: str) -> date | datetime:
    try:
        return (
            datetime.fromisoformat(text) if "T" in text or " " in text else date.fromisoformat(text)
        )
    except ValueError:
        raise CommandError(
            f"无法识别的日期：{text}（格式 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM）"
        ) from None


class Command(BaseCommand):
    help = "工作日计算（含法定节假日与调休）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="DATE 之后第 N 个工作日")
        add.add_argument("start")
        add.add_argument("n", type=int)
        between = sub.add_parser("between", help="(START, END] 之间的工作日数")
        between.add_argument("start")
        between.add_argument("end")
        check = sub.add_parser("check", help="某天是否上班")
        check.add_argument("day")
        year = sub.add_parser("year", help="某年的调休上班日与工作日放假日")
        year.add_argument("year", type=int)

    def handle(self, *args, action, **options):
        calendar = current_calendar()
        try:
            if action == "add":
                if options["n"] < 0:
                    raise CommandError("N 不能为负数")
                self.stdout.write(
                    calendar.add_workdays(_parse(options["start"]), options["n"]).isoformat()
                )
            elif action == "between":
                count = calendar.workdays_between(_parse(options["start"]), _parse(options["end"]))
                self.stdout.write(str(count))
            elif action == "check":
                day = _parse(options["day"])
                self.stdout.write("工作日" if calendar.is_workday(day) else "休息日")
            else:
                y = options["year"]
                adjusted = ", ".join(d.isoformat() for d in calendar.adjusted_workdays(y))
                off = ", ".join(d.isoformat() for d in calendar.holidays_on_weekdays(y))
                self.stdout.write(f"{y} 调休上班：{adjusted}\n{y} 工作日放假：{off}")
        except UnknownYearError as exc:
            raise CommandError(str(exc)) from None
