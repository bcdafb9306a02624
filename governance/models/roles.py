"""Governance roles, decision areas and the RACI grid."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from partnerships.models import Contact, Partnership


class RoleKind(models.TextChoices):
    EXECUTIVE_SPONSOR = "executive_sponsor", "Executive sponsor"
    OWNER = "owner", "Partnership owner"
    COO = "coo", "COO"
    STEERING_MEMBER = "steering_member", "Steering committee member"
    OPERATIONAL_LEAD = "operational_lead", "Operational lead"
    LEGAL = "legal", "Legal"
    FINANCE = "finance", "Finance"
    PARTNER_PRINCIPAL = "partner_principal", "Partner principal"
    PARTNER_SPONSOR = "partner_sponsor", "Partner executive sponsor"
    PARTNER_OPERATIONAL = "partner_operational", "Partner operational contact"


STRATEGIC_KINDS = {
    RoleKind.EXECUTIVE_SPONSOR,
    RoleKind.OWNER,
    RoleKind.COO,
    RoleKind.STEERING_MEMBER,
    RoleKind.PARTNER_PRINCIPAL,
    RoleKind.PARTNER_SPONSOR,
}


OUR_SIDE_KINDS = {RoleKind.EXECUTIVE_SPONSOR, RoleKind.OWNER, RoleKind.COO}


PARTNER_SIDE_KINDS = {
    RoleKind.PARTNER_PRINCIPAL,
    RoleKind.PARTNER_SPONSOR,
    RoleKind.PARTNER_OPERATIONAL,
}


def default_level(kind):
    return "strategic" if kind in STRATEGIC_KINDS else "operational"


class DecisionArea(models.TextChoices):
    BUDGET = "budget", "Budget changes"
    SCOPE = "scope", "Scope changes"
    TERMS = "terms", "Term changes"
    ESCALATIONS = "escalations", "Escalations"
    RENEWAL_EXIT = "renewal_exit", "Renewal / exit"


class GovernanceRole(models.Model):
    class Level(models.TextChoices):
        STRATEGIC = "strategic", "Strategic"
        OPERATIONAL = "operational", "Operational"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="governance_roles"
    )
    kind = models.CharField(max_length=30, choices=RoleKind.choices, verbose_name="role")
    level = models.CharField(max_length=20, choices=Level.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="governance_roles",
        verbose_name="person on our side",
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="governance_roles",
        verbose_name="partner contact",
    )
    responsibilities = models.TextField(blank=True)
    decision_rights = models.JSONField(
        default=list, blank=True, help_text="The decision areas this role may decide."
    )
    escalation_step = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Position on the escalation path (1 = escalate here first); empty if not on it.",
    )

    class Meta:
        ordering = ["partnership", "level", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(contact__isnull=True))
                | (Q(user__isnull=True) & Q(contact__isnull=False)),
                name="governance_role_one_person",
            ),
            models.UniqueConstraint(
                fields=["partnership", "escalation_step"],
                condition=Q(escalation_step__isnull=False),
                name="one_role_per_escalation_step",
            ),
            models.UniqueConstraint(
                fields=["partnership", "kind", "user"],
                condition=Q(user__isnull=False),
                name="governance_role_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["partnership", "kind", "contact"],
                condition=Q(contact__isnull=False),
                name="governance_role_once_per_contact",
            ),
        ]

    def __str__(self):
        return f"{self.person_name} — {self.get_kind_display()}"

    def clean(self):
        if bool(self.user_id) == bool(self.contact_id):
            raise ValidationError(
                "Choose either a person on our side or a partner contact, not both or neither."
            )
        if self.kind in OUR_SIDE_KINDS and not self.user_id:
            raise ValidationError(
                {"user": f"The {self.get_kind_display().lower()} is someone on our side."}
            )
        if self.kind in PARTNER_SIDE_KINDS and not self.contact_id:
            raise ValidationError(
                {"contact": f"The {self.get_kind_display().lower()} is a partner contact."}
            )
        if (
            self.contact_id
            and self.partnership_id
            and self.contact.partner_id != self.partnership.partner_id
        ):
            raise ValidationError({"contact": "This contact works for a different partner."})
        unknown = set(self.decision_rights or []) - set(DecisionArea.values)
        if unknown:
            raise ValidationError({"decision_rights": "Unknown decision area."})
        if not self.level:
            self.level = default_level(self.kind)

    @property
    def person_name(self):
        if self.user_id:
            return self.user.get_full_name() or self.user.username
        return self.contact.name if self.contact_id else "—"

    @property
    def side(self):
        return "ours" if self.user_id else "partner"

    @property
    def side_label(self):
        return "Ours" if self.user_id else "Partner"

    def decision_right_labels(self):
        labels = dict(DecisionArea.choices)
        return [labels[a] for a in DecisionArea.values if a in (self.decision_rights or [])]

    def has_decision_right(self, area):
        return area in (self.decision_rights or [])


class RaciLetter(models.TextChoices):
    RESPONSIBLE = "R", "Responsible"
    ACCOUNTABLE = "A", "Accountable"
    CONSULTED = "C", "Consulted"
    INFORMED = "I", "Informed"


class RaciAssignment(models.Model):
    # partnership repeats role.partnership so the database can hold "one A per area".
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="raci")
    role = models.ForeignKey(GovernanceRole, on_delete=models.CASCADE, related_name="raci")
    area = models.CharField(max_length=20, choices=DecisionArea.choices)
    letter = models.CharField(max_length=1, choices=RaciLetter.choices)

    class Meta:
        ordering = ["partnership", "area", "letter"]
        verbose_name = "RACI assignment"
        constraints = [
            models.UniqueConstraint(fields=["role", "area"], name="raci_one_letter_per_cell"),
            models.UniqueConstraint(
                fields=["partnership", "area"],
                condition=Q(letter="A"),
                name="raci_one_accountable_per_area",
                violation_error_message="Only one role can be Accountable for a decision area.",
            ),
        ]

    def __str__(self):
        return f"{self.role} · {self.get_area_display()}: {self.letter}"
