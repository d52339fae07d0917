"""URL converters every app uses. Registered once, on import (config/urls.py imports this module)."""

from django.urls import register_converter


class IdConverter:
    """A database id: digits, short enough for a 64-bit integer (a longer one is a 404, not a database error)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


class CodeConverter:
    """A code from the charter file, such as `pay` or `hours.no_zero_hours`."""

    regex = "[a-z0-9][a-z0-9_.-]{0,80}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
register_converter(CodeConverter, "charter_code")
