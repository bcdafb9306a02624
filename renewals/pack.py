"""The decision pack as read today: every app's sections (``Contributions.pack_sections``)
for one partnership, in order."""

import logging
from dataclasses import dataclass, field

from partnerships.pack import Section
from partnerships.plugins import contributed

logger = logging.getLogger(__name__)


@dataclass
class Pack:
    partnership: object
    today: object
    sections: list = field(default_factory=list)


def section_sources():
    return sorted(contributed("pack_sections"), key=lambda s: (s.order, s.key))


def read(source, partnership, today):
    try:
        return source.fn(partnership, today=today)
    except Exception:
        # One app's broken section must not keep the executive from the rest of the pack.
        logger.exception("Pack section %s failed for partnership %s", source.key, partnership.pk)
        return Section(title=source.title, empty="This section could not be read.")


def assemble(partnership, *, today, keys=None):
    """The pack's sections: all of them (the PDF, about twenty queries whatever the history)
    or those named by ``keys`` (the page loads each section on its own, a few queries each)."""
    pack = Pack(partnership=partnership, today=today)
    for source in section_sources():
        if keys is not None and source.key not in keys:
            continue
        section = read(source, partnership, today)
        if section is not None:
            pack.sections.append(section)
    return pack
