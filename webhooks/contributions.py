"""What webhooks adds to the others (see partnerships/plugins.py): a report of every stage
move, and the executives' menu entry."""

from partnerships.models import Stage
from partnerships.plugins import Contributions, Nav, OnEnter
from partnerships.roles import EXECUTIVE

from . import stage_moves

CONTRIBUTIONS = Contributions(
    # Last of what a stage sets up: what is reported is the move as it was finally saved.
    on_enter=[
        OnEnter("webhooks.stage_moved", stage, stage_moves.on_enter, order=1000)
        for stage in Stage.values
    ],
    nav=[Nav("Webhooks", "webhooks:list", order=90, for_roles=(EXECUTIVE,))],
)
