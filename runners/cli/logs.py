"""Where ``serve`` says what it does: tasktrail's own loggers on stderr, as text or JSON lines."""

from __future__ import annotations

import json
import logging
from enum import StrEnum

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
    """One JSON object per line: time, level, logger, message (and the error, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": mask_secrets(record.getMessage()),
        }
        if record.exc_info:
            line["error"] = mask_secrets(self.formatException(record.exc_info))
        return json.dumps(line)


class MaskedText(logging.Formatter):
    """``time LEVEL logger: message``, passwords in URLs masked."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))


def log_to_stderr(level: LogLevel = LogLevel.INFO, form: LogFormat = LogFormat.TEXT) -> None:
    """tasktrail's own log lines (not its libraries') go to stderr, one per line."""
    handler = logging.StreamHandler()
    text = MaskedText("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(JsonLines() if form is LogFormat.JSON else text)
    logger = logging.getLogger("tasktrail")
    for previous in list(logger.handlers):
        logger.removeHandler(previous)
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False
