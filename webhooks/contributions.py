"""What webhooks adds to the others (see partnerships/plugins.py): a report of every stage
move. No menu entry: the menu is full at desktop width, and the alert inbox links here for
executives."""

from partnerships.models import Stage
from partnerships.plugins import Contributions, OnEnter

from . import stage_moves

CONTRIBUTIONS = Contributions(
    # Last of what a stage sets up: what is reported is the move as it was finally saved.
    on_enter=[
        OnEnter("webhooks.stage_moved", stage, stage_moves.on_enter, order=1000)
        for stage in Stage.values
    ],
)
