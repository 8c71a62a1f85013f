"""Structured logs: one JSON object per line, with the callSequenceId on every line of a call.

The gateway sets ``CALL_SEQUENCE_ID`` (a context variable, so each worker thread has its own) for
the length of a call; a logging filter copies it into every record as ``callSequenceId``, whoever
logs (the gateway, a domain module, SQLAlchemy, spyne). ``configure`` installs the JSON formatter on
the root logger and on gunicorn's own loggers, so everything the server writes is JSON.
"""
from __future__ import annotations

import contextvars
import logging
import sys
from typing import Any

from pythonjsonlogger.json import JsonFormatter

CALL_SEQUENCE_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("callSequenceId", default=None)

FORMAT = "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"
_RENAMED = {"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"}


class CallContext(logging.Filter):
    """Adds ``callSequenceId`` (or None outside a call) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.callSequenceId = CALL_SEQUENCE_ID.get()
        return True


def formatter() -> logging.Formatter:
    return JsonFormatter(FORMAT, datefmt="%Y-%m-%dT%H:%M:%S%z", rename_fields=_RENAMED, json_ensure_ascii=False)


def handler(stream: Any = None) -> logging.Handler:
    """A stream handler writing JSON lines that carry the callSequenceId."""
    out = logging.StreamHandler(stream or sys.stderr)
    out.setFormatter(formatter())
    out.addFilter(CallContext())
    return out


# Libraries that narrate their start-up at INFO (spyne's every application, alembic's plugins).
QUIET = ("spyne", "alembic")


def configure(level: str = "INFO") -> None:
    """JSON lines on standard error for the root logger (and so every module's logger)."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler())
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


def gunicorn_logconfig(level: str = "INFO", access_log: bool = False) -> dict[str, Any]:
    """gunicorn's ``logconfig_dict``: its error log (and the access log, when asked for) as JSON lines too."""
    quiet = {"level": "WARNING" if level in ("DEBUG", "INFO") else level, "handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"call": {"()": CallContext}},
        "formatters": {"json": {"()": formatter}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["call"],
                       "stream": "ext://sys.stderr"},
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "INFO" if access_log else "WARNING", "handlers": [], "propagate": True},
            **{name: quiet for name in QUIET},
        },
    }
