"""The partner portal's records, one module per concept."""

from .invitations import Invitation
from .objectives import ObjectiveAgreement, ObjectiveComment
from .submissions import Submission
from .users import PartnershipAccess, PartnerUser

__all__ = [
    "Invitation",
    "ObjectiveAgreement",
    "ObjectiveComment",
    "PartnerUser",
    "PartnershipAccess",
    "Submission",
]
