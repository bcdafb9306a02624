"""Ship a default due-diligence template so a fresh install can start DD at once.

Admins edit it (or add others) in the Django admin; checklists already started keep their copy.
"""

from django.db import migrations

NAME = "Standard partner due diligence"

# section, question, guidance, required, weight
ITEMS = [
    (
        "financial",
        "Audited accounts for the last three years reviewed",
        "Obtain audited statements; look at revenue trend, margins, debt and auditor's opinion.",
        True,
        3,
    ),
    (
        "financial",
        "Credit check obtained",
        "A credit agency report no older than three months; note rating and payment behaviour.",
        True,
        2,
    ),
    (
        "financial",
        "Liquidity covers the partnership term",
        "Cash and committed funding should cover at least the first year of the agreement.",
        True,
        2,
    ),
    (
        "financial",
        "Customer concentration understood",
        "Share of revenue from the top three customers; flag anything above 50%.",
        False,
        1,
    ),
    (
        "reputation",
        "Sanctions and PEP screening of owners and directors",
        "Screen the company, its ultimate owners and directors against sanctions and PEP lists.",
        True,
        3,
    ),
    (
        "reputation",
        "Adverse media and litigation search",
        "Search news and court records for the last five years; summarise anything material.",
        True,
        2,
    ),
    (
        "reputation",
        "References from two current customers or partners",
        "Ask about delivery, responsiveness and how disputes were handled.",
        False,
        2,
    ),
    (
        "operational",
        "Capacity to deliver the agreed volumes or services",
        "Compare their current load and headcount with what the partnership needs at peak.",
        True,
        3,
    ),
    (
        "operational",
        "Business continuity plan reviewed",
        "A tested plan covering the services we depend on; ask when it was last exercised.",
        True,
        2,
    ),
    (
        "operational",
        "Key people and succession identified",
        "Name the people the partnership depends on and who stands in for them.",
        False,
        1,
    ),
    (
        "operational",
        "Quality certifications verified",
        "E.g. ISO 9001; check the certificate's scope and expiry with the issuing body.",
        False,
        1,
    ),
    (
        "legal",
        "Registration and ownership structure confirmed",
        "Company register extract and a chart of ultimate beneficial owners.",
        True,
        2,
    ),
    (
        "legal",
        "Anti-bribery and corruption policy in place",
        "A written policy, training records and a named compliance officer.",
        True,
        2,
    ),
    (
        "legal",
        "No conflicting exclusivity or non-compete obligations",
        "Ask for a written confirmation; check their other alliances in our market.",
        True,
        2,
    ),
    (
        "legal",
        "Intellectual property ownership is clear",
        "Who owns the IP they bring, and what we may do with jointly developed work.",
        False,
        2,
    ),
    (
        "security",
        "Information security certification or questionnaire",
        "ISO 27001 or SOC 2 report; otherwise our security questionnaire, answered and reviewed.",
        True,
        3,
    ),
    (
        "security",
        "Data processing agreement ready (GDPR)",
        "Needed whenever they process personal data on our behalf; include sub-processors.",
        True,
        2,
    ),
    (
        "security",
        "Incident history and breach notification process",
        "Incidents in the last three years and how fast they would tell us about a new one.",
        False,
        1,
    ),
    (
        "strategic",
        "Serves at least one strategic goal",
        "Name the goal and how this partnership moves it; tie it to an objective later.",
        True,
        3,
    ),
    (
        "strategic",
        "Roadmaps aligned for the term",
        "Their product or service roadmap should not drift away from ours within the term.",
        False,
        2,
    ),
    (
        "strategic",
        "Cultural and working-style fit",
        "Decision speed, openness and escalation habits, from the first meetings.",
        False,
        1,
    ),
]


def create_default_template(apps, schema_editor):
    ChecklistTemplate = apps.get_model("governance", "ChecklistTemplate")
    TemplateItem = apps.get_model("governance", "TemplateItem")
    template, created = ChecklistTemplate.objects.get_or_create(
        name=NAME,
        defaults={
            "description": "The checklist every new partner goes through before negotiation.",
            "is_default": not ChecklistTemplate.objects.filter(is_default=True).exists(),
        },
    )
    if not created:
        return
    TemplateItem.objects.bulk_create(
        TemplateItem(
            template=template,
            section=section,
            question=question,
            guidance=guidance,
            required=required,
            weight=weight,
            order=(index + 1) * 10,
        )
        for index, (section, question, guidance, required, weight) in enumerate(ITEMS)
    )


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [migrations.RunPython(create_default_template, migrations.RunPython.noop)]
