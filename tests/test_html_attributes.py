"""htmx reads its attributes with a ``data-`` prefix too, and only that form is valid HTML: the
validator counted hundreds of errors for the bare ``hx-*`` attributes."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BARE = re.compile(r"(?<![-\w])hx-[a-z-]+=")
SOURCES = ("templates", "partnerships", "governance", "kpis", "digests", "outbox", "portal")


def test_htmx_attributes_are_written_as_data_attributes():
    found = []
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".html", ".py") or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if BARE.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert not found, "Write data-hx-* instead of hx-*:\n" + "\n".join(found)


def test_the_check_finds_a_bare_attribute():
    assert BARE.search('<a hx-get="/x">') and not BARE.search('<a data-hx-get="/x">')
