"""The demo governance data: waivers, roles and RACI, meeting agendas, decisions and actions,
reviews, and the risks of the heat map. governance/demo.py writes it."""

from partnerships.models import Stage

from .models import DecisionArea, RoleKind

WAIVERS = {
    "References from two current customers or partners": (
        "A new market entrant with no comparable customers yet; replaced by a paid pilot."
    ),
    "Credit check obtained": (
        "Publicly listed; audited accounts and the annual report give a fuller picture."
    ),
}

RACI = {
    RoleKind.EXECUTIVE_SPONSOR: {
        "budget": "A",
        "scope": "I",
        "terms": "A",
        "escalations": "C",
        "renewal_exit": "A",
    },
    RoleKind.OWNER: {
        "budget": "R",
        "scope": "A",
        "terms": "R",
        "escalations": "A",
        "renewal_exit": "R",
    },
    RoleKind.STEERING_MEMBER: {
        "budget": "C",
        "scope": "C",
        "terms": "C",
        "escalations": "R",
        "renewal_exit": "C",
    },
    RoleKind.PARTNER_PRINCIPAL: {
        "budget": "I",
        "scope": "C",
        "terms": "C",
        "escalations": "R",
        "renewal_exit": "C",
    },
    RoleKind.PARTNER_OPERATIONAL: {"scope": "I", "escalations": "I"},
}

RESPONSIBILITIES = {
    RoleKind.EXECUTIVE_SPONSOR: "Champions the partnership at board level; unblocks budget and "
    "signs off term changes; decides on renewal or exit.",
    RoleKind.OWNER: "Runs the partnership day to day: plan, KPIs, meetings and actions; first "
    "point of escalation.",
    RoleKind.STEERING_MEMBER: "Sits on the steering committee; challenges the plan and "
    "arbitrates escalations.",
    RoleKind.PARTNER_PRINCIPAL: "The partner's accountable executive; agrees scope and terms "
    "on their side.",
    RoleKind.PARTNER_OPERATIONAL: "Day-to-day counterpart for delivery and reporting.",
}

RIGHTS = {
    RoleKind.EXECUTIVE_SPONSOR: ["budget", "terms", "renewal_exit"],
    RoleKind.OWNER: ["scope", "escalations"],
    RoleKind.STEERING_MEMBER: ["escalations"],
    RoleKind.PARTNER_PRINCIPAL: ["scope", "terms"],
    RoleKind.PARTNER_OPERATIONAL: [],
}

AGENDAS = [
    "1. KPI review\n2. Pipeline and delivery\n3. Risks and escalations\n4. Actions",
    "1. Actions from last time\n2. Roadmap alignment\n3. Budget check\n4. AOB",
]

DECISIONS = [
    (RoleKind.EXECUTIVE_SPONSOR, DecisionArea.BUDGET, "Release the Q{q} joint marketing budget."),
    (RoleKind.OWNER, DecisionArea.SCOPE, "Add the reporting module to the joint scope."),
    (RoleKind.OWNER, DecisionArea.ESCALATIONS, "Escalate the delivery slippage to sponsors."),
    (RoleKind.EXECUTIVE_SPONSOR, DecisionArea.TERMS, "Extend the payment terms to 45 days."),
]

ACTIONS = [
    "Send the updated joint pipeline",
    "Draft the next quarter's plan",
    "Confirm the integration test window",
    "Share customer feedback survey results",
    "Prepare the renewal options paper",
    "Fix the data feed gaps in the weekly report",
]

REVIEWS = {
    Stage.ACTIVE: ("continue", 4),
    Stage.UNDER_REVIEW: ("renegotiate", 2),
    Stage.RENEWAL: ("expand", 4),
    Stage.ENDED: ("exit", 2),
}

# partnership title, risk title, category, likelihood, impact, status, review in days,
# earlier (likelihood, impact) if the score changed
RISKS = [
    (
        "Cloud co-sell alliance",
        "Renewal price rise above 30%",
        "financial",
        5,
        5,
        "open",
        10,
        (3, 4),
    ),
    (
        "Cloud co-sell alliance",
        "Partner launches a competing analytics service",
        "strategic",
        3,
        4,
        "mitigating",
        30,
        None,
    ),
    (
        "Recyclable packaging switch",
        "Minor colour mismatch on first batches",
        "operational",
        1,
        1,
        "accepted",
        60,
        None,
    ),
    (
        "Recyclable packaging switch",
        "Certification of recycled content delayed",
        "legal",
        3,
        3,
        "open",
        -4,
        None,
    ),
    (
        "Hospital analytics bundle",
        "Patient data exposed through the integration",
        "security",
        1,
        5,
        "mitigating",
        20,
        (2, 5),
    ),
    (
        "Hospital analytics bundle",
        "Procurement freeze in public hospitals",
        "financial",
        4,
        4,
        "open",
        -10,
        None,
    ),
    (
        "Nordic fulfilment network",
        "Weekly delivery reports arrive late",
        "operational",
        5,
        1,
        "open",
        14,
        None,
    ),
    (
        "Nordic fulfilment network",
        "Fuel surcharge erodes margin",
        "financial",
        3,
        2,
        "accepted",
        45,
        None,
    ),
    (
        "Nordic fulfilment network",
        "Warehouse strike in Oslo",
        "operational",
        2,
        4,
        "closed",
        -30,
        (3, 4),
    ),
    (
        "Quantum optimisation pilot",
        "Start-up runs out of cash before the pilot ends",
        "financial",
        4,
        5,
        "open",
        7,
        None,
    ),
    (
        "Quantum optimisation pilot",
        "Founder-dependent know-how",
        "operational",
        4,
        3,
        "open",
        -3,
        None,
    ),
    (
        "Joint AI insights offering",
        "Model bias complaint from a joint customer",
        "reputational",
        2,
        5,
        "mitigating",
        21,
        (3, 5),
    ),
    (
        "Joint AI insights offering",
        "Key data scientist leaves the partner",
        "operational",
        3,
        3,
        "open",
        30,
        None,
    ),
    (
        "Joint AI insights offering",
        "Joint pipeline below plan",
        "strategic",
        4,
        2,
        "open",
        -15,
        None,
    ),
    (
        "Swedish channel programme",
        "Reseller misrepresents our product",
        "reputational",
        3,
        4,
        "open",
        -20,
        (2, 4),
    ),
    (
        "Swedish channel programme",
        "Channel conflict with direct sales",
        "strategic",
        5,
        3,
        "open",
        5,
        None,
    ),
    (
        "Second-source precision parts",
        "Tolerance drift on the new line",
        "operational",
        2,
        3,
        "mitigating",
        25,
        None,
    ),
    (
        "Second-source precision parts",
        "Export licence rules change",
        "legal",
        1,
        4,
        "open",
        90,
        None,
    ),
    (
        "Protein modelling research",
        "IP ownership dispute on joint results",
        "legal",
        2,
        4,
        "open",
        40,
        None,
    ),
    ("Protein modelling research", "Lab security incident", "security", 1, 2, "open", 60, None),
    ("Transformation advisory", "Knowledge lost at exit", "strategic", 4, 2, "closed", -200, None),
    ("Edge AI doctoral programme", "Funding call not awarded", "financial", 3, 2, "open", 30, None),
]
