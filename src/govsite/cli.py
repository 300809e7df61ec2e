"""The ``govsite`` console script.

Own subcommands: ``serve`` (migrate, then run the web app with gunicorn), ``worker``
(a Celery worker; needs REDIS_URL), ``demo`` (set up the demo and serve it). The
Django-free tools ``page`` and ``demo-sites`` run without touching the database.
Anything else is a Django management command (``govsite migrate``, ``govsite workdays
add 2025-09-30 3``, ``govsite registry import FILE`` …).
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import ExitStack
from datetime import date

DJANGO_FREE = {
    "page": "govsite.pages.command",
    "demo-sites": "govsite.demosites.cli",
    "evaluate": "govsite.evaluation.command",
    "report": "govsite.reports.command",
    "score": "govsite.scoring.command",
    "rulesets": "govsite.scoring.command:rulesets_main",  # "module:function"
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else "help"
    if command in DJANGO_FREE:
        import importlib

        module, _, function = DJANGO_FREE[command].partition(":")
        try:
            return getattr(importlib.import_module(module), function or "main")(argv[1:]) or 0
        except BrokenPipeError:  # output piped into `head`: not an error
            sys.stderr.close()
            return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govsite.settings")
    if command == "serve":
        return serve(argv[1:])
    if command == "worker":
        return worker(argv[1:])
    if command == "demo":
        return demo(argv[1:])
    from django.core.management import execute_from_command_line

    execute_from_command_line(["govsite", *argv])
    return 0


def _setup_django() -> None:
    import django

    django.setup()


def _serve_parser(prog: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=positive_int, default=default_workers(),
                        help="gunicorn 进程数（默认：CPU 核数，最多 4；GOVSITE_WEB_WORKERS）")  # fmt: skip
    parser.add_argument(
        "--threads", type=positive_int, default=4, help="每个进程的线程数（默认 4）"
    )
    parser.add_argument(
        "--no-scheduler",
        action="store_true",
        help="不在本进程内运行定时任务（探测、日常监督、整改复核）",
    )
    return parser


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"须为正整数：{text!r}")
    return value


def default_workers() -> int:
    """One web process per core (a process uses at most one core: the GIL), at most 4."""
    configured = os.environ.get("GOVSITE_WEB_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(os.cpu_count() or 1, 4))


def start_repeat_checker(stack: ExitStack) -> None:
    """The repeat checker beside the web workers (``messaging/tasks.py``), unless Celery
    workers do it (REDIS_URL): one ``govsite link_repeats --follow`` process at a lower CPU
    priority, stopped with the server (and by itself if the server dies)."""
    import subprocess

    from django.conf import settings

    if settings.REDIS_URL:
        return
    from govsite.messaging.tasks import CHECKER_ENV

    command = [sys.executable, "-c", "import sys; from govsite.cli import main; sys.exit(main())",
               "link_repeats", "--follow", "--nice", "10", "--parent", str(os.getpid())]  # fmt: skip
    checker = subprocess.Popen(command)
    os.environ[CHECKER_ENV] = "process"  # the web workers (forked after this) hand nothing over

    def stop() -> None:
        os.environ.pop(CHECKER_ENV, None)
        if checker.poll() is None:
            checker.terminate()
            try:
                checker.wait(15)
            except subprocess.TimeoutExpired:
                checker.kill()

    stack.callback(stop)


def start_scheduler(options) -> None:
    """The in-process scheduler, unless Celery beat does it (REDIS_URL) or it is switched off."""
    from django.conf import settings

    if options.no_scheduler or settings.REDIS_URL or not settings.GOVSITE_SCHEDULER:
        return
    from govsite.core.scheduler import start_in_background

    start_in_background(settings.DATA_DIR)
    print("定时任务在本进程内运行（govsite.schedules）。", flush=True)


def serve(args: list[str]) -> int:
    options = _serve_parser("govsite serve", "迁移数据库并启动 Web 服务").parse_args(args)
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    with ExitStack() as stack:
        start_repeat_checker(stack)
        start_scheduler(options)
        run_gunicorn(options.host, options.port, options.workers, options.threads)
    return 0


def demo(args: list[str]) -> int:
    """The main job on the embedded default: demo registry and accounts, the bundled demo
    websites served locally, evaluated and stored, then the web app to look at it all."""
    parser = _serve_parser("govsite demo", "载入演示数据，检查演示网站，并启动 Web 服务")
    parser.add_argument("--no-serve", action="store_true", help="只载入演示数据，不启动服务")
    parser.add_argument("--no-evaluate", action="store_true", help="不抓取和检查演示网站")
    parser.add_argument("--no-messages", action="store_true", help="不导入演示留言数据")
    parser.add_argument(
        "--today", type=date.fromisoformat, default=None, help="评估基准日（默认今天）"
    )
    options = parser.parse_args(args)
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo")
    if not options.no_messages:
        print("\n正在导入真实留言数据（messages-2020）…", flush=True)
        call_command("load_demo_messages")
    with ExitStack() as stack:
        if not options.no_evaluate:
            from govsite.evaluations.demo import evaluate_demo

            print("\n正在生成并检查演示网站 …", flush=True)
            done = evaluate_demo(stack, today=options.today)
            print_run_summary(done.run)
            print(f"结果文件：{done.result}", flush=True)
        if options.no_serve:
            return 0
        base = f"http://{options.host}:{options.port}"
        if options.no_evaluate:
            print(f"\n打开 {base}/ 用上面的账号登录（Ctrl-C 退出）。", flush=True)
        else:
            run = done.run.pk
            print(
                f"\n用上面的账号（如考核方 pinggu）登录后查看：\n"
                f"  排名与单项否决、扣分  {base}/evaluations/{run}/\n"
                f"  统计图表              {base}/evaluations/{run}/dashboard/\n"
                f"  通报草稿              {base}/evaluations/{run}/bulletin/\n"
                f"  网民留言（公众）      {base}/messages/\n"
                f"  留言办理（xinxiban、jiaoyu 等）{base}/messages/staff/\n"
                f"  留言办理排名          {base}/messages/stats/\n"
                f"（Ctrl-C 退出）",
                flush=True,
            )
        start_repeat_checker(stack)
        start_scheduler(options)
        run_gunicorn(options.host, options.port, options.workers, options.threads)
    return 0


def print_run_summary(run) -> None:
    from collections import Counter

    from govsite.evaluations.models import CODE_LABELS

    print(f"\n检查批次 #{run.pk}（基准日 {run.today}，{run.ruleset_name or '未评分'}）：")
    for site in run.sites.order_by("category", "rank", "name"):
        codes = Counter(site.findings.values_list("code", flat=True))
        top = "，".join(f"{CODE_LABELS.get(c, c)} {n}" for c, n in codes.most_common(3))
        state = "无法访问" if site.crawl_state == "failed" else f"{site.pages_crawled} 页"
        if site.vetoes:
            verdict = "否决：" + "、".join(v.get("name") or v["indicator"] for v in site.vetoes)
        elif site.score is not None:
            verdict = f"{site.score:.1f} 分" + ("" if site.passed else "（不合格）")
        else:
            verdict = "未评分"
        print(
            f"  {site.rank or '-':>2} {site.name:<14} {state:>7}  问题 {site.finding_count:>3}"
            f"  {verdict}  {top}"
        )


def run_gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    """gunicorn with ``workers`` processes × ``threads`` threads. The in-process scheduler
    thread, started before, stays in the master process (threads do not survive a fork),
    so periodic jobs run once however many workers there are."""
    from gunicorn.app.base import BaseApplication

    from govsite.wsgi import application

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-" if os.environ.get("GOVSITE_ACCESS_LOG") else None)

        def load(self):
            return application

    master = os.getpid()
    try:
        Server().run()
    except SystemExit as exc:
        if os.getpid() == master:
            raise
        # A worker forked from here is leaving (gunicorn ends it with sys.exit). Everything
        # above this frame belongs to the master — the demo sites' server, the repeat
        # checker, their ExitStack — so the worker must not unwind into it.
        sys.stdout.flush()
        sys.stderr.flush()
        code = exc.code
        os._exit(code if isinstance(code, int) else (0 if code is None else 1))


def worker(args: list[str]) -> int:
    if not os.environ.get("REDIS_URL"):
        print("govsite worker 需要 REDIS_URL（例如 redis://127.0.0.1:6379/0）。", file=sys.stderr)
        return 2
    _setup_django()
    from govsite.celery import app

    app.worker_main(["worker", "--loglevel=INFO", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
