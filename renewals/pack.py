"""The decision pack as read today: every app's sections (``Contributions.pack_sections``)
for one partnership, in order, with the agreement's dates above them."""

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


def assemble(partnership, *, today):
    pack = Pack(partnership=partnership, today=today)
    for source in section_sources():
        try:
            section = source.fn(partnership, today=today)
        except Exception:
            # One app's broken section must not keep the executive from the rest of the pack.
            logger.exception(
                "Pack section %s failed for partnership %s", source.key, partnership.pk
            )
            section = Section(title=source.key, empty="This section could not be read.")
        if section is not None:
            pack.sections.append(section)
    return pack
