"""The local stack's own log lines: one per ingestion and per request, human-readable or JSON."""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any, TextIO

LOGGER_NAME = "newsdesk_cli.dev"


class HumanFormatter(logging.Formatter):
    """`21:40:02 GET /articles 200 12ms`: time, then the message; level only when it matters."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        level = "" if record.levelno <= logging.INFO else f"{record.levelname} "
        line = f"{stamp} {level}{record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the fields a record carries in `extra={"fields": …}`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "level": record.levelname,
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(json_logs: bool, stream: TextIO | None = None) -> logging.Logger:
    """The dev logger, writing to stdout (line-buffered so a parent process sees lines at once)."""
    stream = stream or sys.stdout
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if json_logs else HumanFormatter())
    logger = logging.getLogger(LOGGER_NAME)
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    # The adapter reports crashed handlers through its module logger; route it the same way.
    adapter_logger = logging.getLogger("newsdesk_cli")
    adapter_logger.handlers[:] = [handler]
    adapter_logger.setLevel(logging.INFO)
    adapter_logger.propagate = False
    # The HTTP edge (uvicorn) reports refused requests as one warning line each.
    edge_logger = logging.getLogger("uvicorn.error")
    edge_logger.handlers[:] = [handler]
    edge_logger.setLevel(logging.WARNING)
    edge_logger.propagate = False
    # moto's werkzeug server logs every request it serves; the stack logs what matters itself.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    return logger


def humanize_handler_logs(service_logger_name: str, stream: TextIO | None = None) -> None:
    """Show the handlers' warnings and errors as readable lines instead of powertools' JSON.

    powertools keeps using its own handler's formatter (append_keys …), so that handler stays
    in place, silenced; a readable one prints WARNING and above. Info records still reach
    other handlers (the stack reads ingestion outcomes from them).
    """
    logger = logging.getLogger(service_logger_name)
    for handler in logger.handlers:
        handler.setLevel(logging.CRITICAL + 1)
    readable = logging.StreamHandler(stream or sys.stdout)
    readable.setFormatter(HumanFormatter())
    readable.setLevel(logging.WARNING)
    logger.addHandler(readable)
