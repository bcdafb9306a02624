"""What the audit trail adds to the shared pages (see partnerships/plugins.py): the menu entry
of everything's history, for executives."""

from partnerships.plugins import Contributions, Nav
from partnerships.roles import EXECUTIVE

CONTRIBUTIONS = Contributions(
    nav=[Nav("History", "audit:history", order=90, for_roles=(EXECUTIVE,))],
)
