"""The standard workstreams of each partnership type, copied into a partnership's plan when it
enters Active (``services.plan_from_template``).

``STANDARD[type]`` lists workstream keys; ``WORKSTREAMS[key]`` is (kind, title, milestones),
each milestone (key, title, deliverable, days after entering Active it is due, keys of the
milestones of the same workstream it depends on). Edit these to change what new plans start
with; plans already copied keep what they were given (and are the users' to change).
"""

from partnerships.models import Partnership

from .models import Kind

T = Partnership.Type

WORKSTREAMS = {
    "processes": (
        Kind.PROCESSES,
        "Joint operating processes",
        [
            ("map", "Current processes mapped", "Process maps of both sides", 30, []),
            ("design", "Joint process designed", "Agreed process and RACI", 60, ["map"]),
            ("live", "Joint process live", "First cycle run end to end", 120, ["design"]),
        ],
    ),
    "systems": (
        Kind.SYSTEMS,
        "Systems and data integration",
        [
            ("access", "Data-sharing agreement signed", "Signed data-sharing terms", 21, []),
            ("interface", "Interfaces specified", "Interface specification", 45, ["access"]),
            ("test", "Integration tested", "Test report", 90, ["interface"]),
            ("cutover", "Production cut-over", "Live data flowing", 120, ["test"]),
        ],
    ),
    "operations": (
        Kind.OPERATIONS,
        "Supply chain and operations",
        [
            ("forecast", "Shared demand forecast", "First joint forecast", 30, []),
            ("sla", "Service levels agreed", "SLA schedule", 60, ["forecast"]),
            ("run", "First orders fulfilled", "Orders delivered on SLA", 105, ["sla"]),
        ],
    ),
    "people": (
        Kind.PEOPLE,
        "People and culture",
        [
            ("teams", "Joint team named", "Team list with roles", 14, []),
            ("kickoff", "Joint kick-off held", "Kick-off notes", 30, ["teams"]),
            ("training", "Cross-training done", "Training records", 90, ["kickoff"]),
        ],
    ),
    "commercial": (
        Kind.COMMERCIAL,
        "Commercial launch",
        [
            ("offer", "Joint offer defined", "Offer sheet and pricing", 45, []),
            ("enable", "Sales teams enabled", "Enablement sessions held", 75, ["offer"]),
            ("launch", "Joint go-to-market launch", "Launch campaign live", 120, ["enable"]),
        ],
    ),
    "legal": (
        Kind.LEGAL,
        "Legal and compliance",
        [
            ("ip", "IP and confidentiality terms in force", "Signed annexes", 30, []),
            ("compliance", "Compliance review passed", "Review sign-off", 60, ["ip"]),
        ],
    ),
}

STANDARD = {
    T.STRATEGIC_ALLIANCE: ["people", "processes", "commercial", "legal"],
    T.TECHNOLOGY: ["people", "systems", "legal"],
    T.CHANNEL: ["people", "commercial", "processes"],
    T.SUPPLIER: ["people", "operations", "systems", "legal"],
    T.RESEARCH: ["people", "legal", "processes"],
    T.JOINT_VENTURE: ["people", "processes", "systems", "operations", "commercial", "legal"],
}


def standard_for(partnership_type):
    """The workstreams a partnership of this type starts with: [(key, kind, title,
    milestones)] in order."""
    return [(key, *WORKSTREAMS[key]) for key in STANDARD.get(partnership_type, ["people"])]
