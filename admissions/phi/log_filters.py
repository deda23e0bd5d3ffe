"""Logging filters that keep patient data out of logs whatever the level."""

import logging


class DropTemplateContext(logging.Filter):
    """django.template logs every missing variable at DEBUG with the whole
    template context in the record, which on an intake page is the bound
    form with a person's answers. Those records never reach a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


class ScrubDatabaseErrorDetail(logging.Filter):
    """PostgreSQL puts row values in error messages ("Failing row contains
    (...)", "Key (email_lookup)=(...)"), and Django logs a 500's exception with
    its message. For database errors the message is replaced by the error's
    class and SQLSTATE before any handler formats it; the traceback (code
    locations) stays, so the error can still be found and fixed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            if _is_database_error(exc):
                scrubbed = type(exc)(f"{type(exc).__name__} (SQLSTATE {_sqlstate(exc)}): detail withheld")
                record.exc_info = (record.exc_info[0], scrubbed, record.exc_info[2])
                record.exc_text = None
        return True


def _is_database_error(exc: BaseException) -> bool:
    from django.db import DatabaseError

    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, DatabaseError) or type(exc).__module__.startswith("psycopg"):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _sqlstate(exc: BaseException) -> str:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        code = getattr(exc, "sqlstate", None)
        if code:
            return code
        exc = exc.__cause__ or exc.__context__
    return "unknown"
