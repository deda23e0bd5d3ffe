"""Logging filters that keep patient data out of logs whatever the level."""

import logging


class DropTemplateContext(logging.Filter):
    """django.template logs every missing variable at DEBUG with the whole
    template context in the record, which on an intake page is the bound
    form with a person's answers. Those records never reach a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG
