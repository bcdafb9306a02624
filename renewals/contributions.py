"""What the renewals app adds: the decision in the partnership page's header and the demo's
pack. Its pack's sections come from the other apps (``Contributions.pack_sections``)."""

from partnerships.plugins import Contributions, HeaderFact, Seeder

from . import demo, header

CONTRIBUTIONS = Contributions(
    facts=[HeaderFact("renewal_decision", header.decision_fact, order=40)],
    seeders=[Seeder("renewals", demo.seed_decision_pack, order=95)],
)
