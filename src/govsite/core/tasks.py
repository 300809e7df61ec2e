"""Background tasks of the platform itself."""

from celery import shared_task


@shared_task(name="govsite.ping")
def ping(word: str = "pong") -> dict:
    """Answers from whichever process runs it: proves the worker wiring end to end."""
    import os
    import socket

    return {"word": word, "host": socket.gethostname(), "pid": os.getpid()}
