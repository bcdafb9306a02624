"""The partner portal's records, one module per concept."""

from .actions import ActionUpdate
from .healthchecks import HealthCheck
from .invitations import Invitation
from .ledger import LedgerEntry
from .objectives import ObjectiveAgreement, ObjectiveComment
from .questionnaire import QuestionnaireAnswer
from .submissions import Submission
from .users import PartnershipAccess, PartnerUser

__all__ = [
    "ActionUpdate",
    "HealthCheck",
    "LedgerEntry",
    "QuestionnaireAnswer",
    "Invitation",
    "ObjectiveAgreement",
    "ObjectiveComment",
    "PartnerUser",
    "PartnershipAccess",
    "Submission",
]
