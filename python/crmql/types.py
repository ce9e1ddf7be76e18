"""PEP 249's type objects and constructors.

``Cursor.description`` gives each column's CRMQL type as text (``"int"``,
``"enum(bronze, silver)"``, ``"ref customers"``); the type objects compare
equal to the types of their group, so ``description[i][1] == crmql.NUMBER``
works as PEP 249 intends.
"""

from __future__ import annotations

import datetime
import time
from typing import FrozenSet


class DBAPIType:
    """A group of CRMQL types that compares equal to each of them."""

    def __init__(self, name: str, kinds: FrozenSet[str]):
        self.name = name
        self.kinds = kinds

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            # "enum(a, b)" and "ref customers" are grouped by their first word.
            head = other.split("(")[0].split(" ")[0].strip()
            return head in self.kinds
        return other is self

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return "crmql." + self.name


STRING = DBAPIType("STRING", frozenset({"text", "enum"}))
NUMBER = DBAPIType("NUMBER", frozenset({"int", "number", "bool"}))
DATETIME = DBAPIType("DATETIME", frozenset({"date", "datetime"}))
ROWID = DBAPIType("ROWID", frozenset({"ref"}))
BINARY = DBAPIType("BINARY", frozenset())

Date = datetime.date
Time = datetime.time
Timestamp = datetime.datetime


def DateFromTicks(ticks: float) -> datetime.date:
    """The local date of a POSIX time (PEP 249)."""
    return Date(*time.localtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> datetime.time:
    """The local time of day of a POSIX time (PEP 249)."""
    return Time(*time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> datetime.datetime:
    """The local date and time of a POSIX time (PEP 249)."""
    return Timestamp(*time.localtime(ticks)[:6])


def Binary(value: bytes) -> bytes:
    """PEP 249's constructor for binary values; CRMQL has no binary type, so
    binding one is refused with a clear message."""
    return bytes(value)
