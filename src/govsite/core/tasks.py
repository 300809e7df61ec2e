"""Background tasks of the platform itself."""

from celery import shared_task


@shared_task(name="govsite.ping")
def ping(word: str = "pong") -> dict:
    """Answers from whichever process runs it: proves the worker wiring end to end."""
    import os
    import socket

    return {"word": word, "host": socket.gethostname(), "pid": os.getpid()}


@shared_task(name="govsite.run_command")
def run_command(name: str, args: list[str] | None = None) -> str:
    """Run a periodic job's management command (only those listed in ``govsite.schedules``:
    a message on the broker must not be able to run ``flush``). Returns its last output line."""
    import io

    from django.core.management import call_command

    from govsite.schedules import allowed_commands

    if name not in allowed_commands():
        raise ValueError(f"不在定时任务清单中的命令：{name}")
    out = io.StringIO()
    call_command(name, *(args or []), stdout=out, stderr=out)
    lines = out.getvalue().strip().splitlines()
    return lines[-1] if lines else ""
