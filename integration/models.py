"""The integration plan of a partnership: workstreams by kind, each with milestones.

A workstream has an owner on each side (ours, a User; theirs, a partner Contact) and a RAG
status. A milestone has exactly one owner, on either side (a database constraint), a due date,
a deliverable and the milestones it depends on. The partner side is a ``Contact`` because that
is who the portal lets in (``portal.PartnerUser.contact``): a milestone owned by a contact can
be shown to, and worked on by, that contact's portal user.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from partnerships.models import Contact, Partnership


class Kind(models.TextChoices):
    PROCESSES = "processes", "Processes"
    SYSTEMS = "systems", "Systems and data"
    OPERATIONS = "operations", "Supply chain and operations"
    PEOPLE = "people", "People and culture"
    COMMERCIAL = "commercial", "Commercial"
    LEGAL = "legal", "Legal"


class Rag(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


def person_name(user):
    return (user.get_full_name() or user.username) if user else ""


class Workstream(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="workstreams"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="owner (ours)",
    )
    partner_owner = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="owner (partner)",
    )
    rag = models.CharField("RAG status", max_length=10, choices=Rag.choices, default=Rag.GREEN)
    rag_note = models.CharField("RAG note", max_length=300, blank=True)
    start_date = models.DateField(
        help_text="When the work begins: the start of its first milestones on the timeline."
    )
    # The template entry it was copied from ("" when added by hand): copying twice adds nothing.
    template_key = models.CharField(max_length=60, blank=True, editable=False)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "template_key"],
                condition=~Q(template_key=""),
                name="workstream_template_once",
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if (
            self.partner_owner_id
            and self.partnership_id
            and self.partner_owner.partner_id != self.partnership.partner_id
        ):
            raise ValidationError({"partner_owner": "This contact works for a different partner."})


class Milestone(models.Model):
    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    deliverable = models.CharField(max_length=300, blank=True)
    due_date = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="owner (ours)",
    )
    owner_contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="owner (partner)",
    )
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents"
    )
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Why it was marked done while a milestone it depends on was not (empty otherwise).
    override_reason = models.TextField(blank=True)
    template_key = models.CharField(max_length=60, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False, owner_contact__isnull=True)
                | Q(owner__isnull=True, owner_contact__isnull=False),
                name="milestone_exactly_one_owner",
            )
        ]
        indexes = [
            # The open milestones past due (slipped), for health, the digest and the portfolio.
            models.Index(
                fields=["due_date", "workstream"],
                condition=Q(done_on__isnull=True),
                name="milestone_open_due",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def owner_name(self):
        if self.owner_id:
            return person_name(self.owner)
        return self.owner_contact.name if self.owner_contact_id else "—"

    @property
    def is_done(self):
        return self.done_on is not None

    def is_slipped(self, today):
        """Slipped: still open after its due date."""
        return self.done_on is None and self.due_date < today
