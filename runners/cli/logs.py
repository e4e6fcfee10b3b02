"""Where ``serve`` says what it does: tasktrail's own loggers on stderr, as text or JSON lines."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from enum import StrEnum

from tasktrail.runners.cli.display import Display, json_time
from tasktrail.runners.database import mask_secrets


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class JsonLines(logging.Formatter):
    """One JSON object per line: time (as every command's JSON has it), level, logger, message
    (and the error, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": json_time(datetime.fromtimestamp(record.created, UTC)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": mask_secrets(record.getMessage()),
        }
        if record.exc_info:
            line["error"] = mask_secrets(self.formatException(record.exc_info))
        return json.dumps(line)


class MaskedText(logging.Formatter):
    """``time LEVEL logger: message``, the time as every table shows one, passwords in URLs
    masked."""

    def __init__(self, display: Display) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.display = display

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return self.display.when(datetime.fromtimestamp(record.created, UTC))

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))


def log_to_stderr(
    level: LogLevel = LogLevel.INFO,
    form: LogFormat = LogFormat.TEXT,
    display: Display | None = None,
) -> None:
    """tasktrail's own log lines (not its libraries') go to stderr, one per line."""
    handler = logging.StreamHandler()
    text = MaskedText(display or Display())
    handler.setFormatter(JsonLines() if form is LogFormat.JSON else text)
    logger = logging.getLogger("tasktrail")
    for previous in list(logger.handlers):
        logger.removeHandler(previous)
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False
