"""Ids and whole numbers typed into URLs, query strings and forms, read strictly.

``str.isdigit()`` accepts superscripts ('²') that ``int()`` then refuses, and ``int()`` accepts
other scripts' digits, signs, spaces and underscores; none of these is an id a page ever wrote.
Every id is ASCII digits only, with no sign, and fits the PostgreSQL column it is compared
with, so a crafted value is "not found", never a server error.
"""

import re

INT_MAX = 2**31 - 1  # PostgreSQL integer (Django's AutoField: users, groups)
BIGINT_MAX = 2**63 - 1  # PostgreSQL bigint (BigAutoField: every model of ours)

_ASCII_DIGITS = re.compile(r"[0-9]+")


def parse_whole(value, *, minimum=0, maximum=BIGINT_MAX):
    """The whole number ``value`` spells in ASCII digits within [minimum, maximum], or None.

    Surrounding spaces are allowed (people type them); anything else is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        # Twenty digits are already beyond bigint: never hand int() a huge string.
        if len(text) > 20 or not _ASCII_DIGITS.fullmatch(text):
            return None
        number = int(text)
    return number if minimum <= number <= maximum else None


def parse_id(value, *, maximum=BIGINT_MAX):
    """A primary key from a request (1 and up), or None when ``value`` is not one."""
    return parse_whole(value, minimum=1, maximum=maximum)
