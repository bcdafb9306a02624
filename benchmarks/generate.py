"""Fill a database with a realistic portfolio for the benchmarks.

    python benchmarks/generate.py --size small|large|huge [--reset]

Sizes: small (100 partnerships), large (1,000 partnerships, 10 weekly KPIs each over 3 years:
about 1.5 million measurements), huge (about 10 million measurements). Measurements go in with
COPY, everything else with bulk_create; the snapshots, alerts and health are then computed once
by the app's own full recompute, so the pages show what they would in production.

Deterministic: the same size gives the same data (random.Random(seed), dates relative to today).
"""

import argparse
import io
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.database import copy_rows, reset_database  # noqa: E402
from benchmarks.generate_contracts import contract_rows  # noqa: E402
from benchmarks.generate_governance import field_choices, governance_rows  # noqa: E402
from benchmarks.generate_integration import integration_rows  # noqa: E402

PASSWORD = "bench-password-1"
EXECUTIVE_USERNAME = "bench_exec"
MANAGER_USERNAME = "bench_manager_0"


@dataclass(frozen=True)
class Size:
    partnerships: int
    kpis: int  # per partnership
    weeks: int  # of weekly measurements
    users: int  # recipients of the digest fan-out and team members


SIZES = {
    # For the harness's own tests: seconds, not minutes.
    "tiny": Size(partnerships=6, kpis=3, weeks=12, users=12),
    "small": Size(partnerships=100, kpis=10, weeks=156, users=1000),
    "large": Size(partnerships=1000, kpis=10, weeks=156, users=1000),
    "huge": Size(partnerships=6400, kpis=10, weeks=156, users=1000),
}

STAGE_WEIGHTS = [
    ("prospect", 5),
    ("due_diligence", 8),
    ("negotiation", 7),
    ("active", 60),
    ("under_review", 8),
    ("renewal", 7),
    ("ended", 5),
]
# (name, unit, direction, target, warning, critical, baseline, aggregation, centre, spread)
KPI_KINDS = [
    ("Joint revenue", "currency", "higher", 50000, 40000, 30000, 20000, "sum", 45000, 12000),
    ("Pipeline deals", "count", "higher", 20, 15, 10, 5, "sum", 18, 6),
    ("Customer satisfaction", "score", "higher", 50, 30, 10, 0, "mean", 40, 20),
    ("SLA attainment", "percent", "higher", 98, 95, 90, 90, "mean", 96, 3),
    ("Time to resolve", "days", "lower", 3, 5, 8, 10, "mean", 4, 2),
    ("Certified staff", "count", "higher", 30, 20, 10, 0, "last", 25, 8),
    ("Joint campaigns", "count", "higher", 4, 3, 2, 0, "sum", 3, 2),
    ("Escalation hours", "hours", "lower", 10, 20, 40, 50, "sum", 15, 10),
    ("Partner-sourced leads", "count", "higher", 60, 45, 30, 10, "sum", 55, 15),
    ("Renewal likelihood", "percent", "higher", 80, 70, 60, 50, "mean", 75, 10),
    ("Integration uptime", "percent", "higher", 99, 98, 95, 95, "mean", 98, 2),
    ("Cost to serve", "ratio", "lower", 1, 2, 3, 3, "mean", 1.5, 0.7),
]


def log(out, message):
    out.write(message + "\n")
    out.flush()


class Timer:
    def __init__(self, out):
        self.out = out
        self.timings = {}

    def step(self, name):
        timer = self

        class _Step:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                took = time.perf_counter() - self.start
                timer.timings[name] = round(took, 3)
                log(timer.out, f"  {name}: {took:.2f} s")

        return _Step()


def generate(size_name, *, out=sys.stdout, recompute=True):
    """Generate the portfolio of ``size_name`` into the current (empty) database."""
    from django.db import connection, transaction

    from kpis.snapshots import recompute as recompute_all

    run = _Run.of(SIZES[size_name])
    timer = Timer(out)
    log(out, f"Generating {size_name}: {run.size}")
    start = time.perf_counter()
    with transaction.atomic(), timer.step("users"):
        _users(run)
    with transaction.atomic(), timer.step("partners, partnerships, objectives, agreements"):
        goals, partners = _partners(run)
        _partnerships(run, partners)
        _objectives_and_agreements(run, goals)
    with transaction.atomic(), timer.step("governance"):
        governance_rows(run.rng, run.partnerships, run.managers, run.today, run.now)
    with transaction.atomic(), timer.step("integration plans"):
        integration_rows(run.partnerships, run.today)
    with transaction.atomic(), timer.step("contract documents and obligations"):
        contract_rows(run.partnerships, run.today, run.now)
    with transaction.atomic(), timer.step("kpis"):
        _kpis(run)
    with transaction.atomic(), timer.step("measurements (COPY)"):
        _measurements(run)
    with connection.cursor() as cursor, timer.step("analyze"):
        cursor.execute("ANALYZE")
    if recompute:
        with timer.step("full recompute (snapshots, alerts, health)"):
            recompute_all(partnership_ids=[p.pk for p in run.partnerships], notify=False)
        with connection.cursor() as cursor, timer.step("vacuum analyze"):
            cursor.execute("VACUUM ANALYZE")
    total = time.perf_counter() - start
    counts = {
        "partnerships": len(run.partnerships),
        "kpis": len(run.kpis),
        "measurements": len(run.kpis) * run.size.weeks,
        "users": len(run.users),
    }
    log(out, f"Done in {total:.1f} s: {counts}")
    return {"size": size_name, "seconds": round(total, 2), "timings": timer.timings, **counts}


@dataclass
class _Run:
    """What the steps of one generation share: the size, the seeded random numbers, the dates,
    and the rows each step leaves for the next."""

    size: Size
    rng: random.Random
    today: date
    now: datetime
    first_week: date
    history_start: datetime
    users: list = field(default_factory=list)
    executive: object = None
    managers: list = field(default_factory=list)
    viewers: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    partnerships: list = field(default_factory=list)
    objectives: list = field(default_factory=list)
    kpis: list = field(default_factory=list)

    @classmethod
    def of(cls, size):
        from django.utils import timezone

        today = timezone.localdate()
        this_monday = today - timedelta(days=today.weekday())
        first_week = this_monday - timedelta(weeks=size.weeks)
        history_start = timezone.make_aware(
            timezone.datetime.combine(first_week - timedelta(days=7), timezone.datetime.min.time())
        )
        return cls(
            size=size,
            rng=random.Random(20261123),
            today=today,
            now=timezone.now(),
            first_week=first_week,
            history_start=history_start,
        )


def _users(run):
    """The executive, the partner managers (a tenth) and viewers, in their role groups."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from partnerships.roles import EXECUTIVE, PARTNER_MANAGER, VIEWER

    User = get_user_model()
    now = run.now
    groups = {
        name: Group.objects.get_or_create(name=name)[0]
        for name in (EXECUTIVE, PARTNER_MANAGER, VIEWER)
    }
    password = make_password(PASSWORD)
    managers = max(2, run.size.users // 10)
    users = [
        User(
            username=EXECUTIVE_USERNAME,
            email=f"{EXECUTIVE_USERNAME}@bench.example",
            first_name="Erin",
            last_name="Exec",
            password=password,
        )
    ]
    for i in range(run.size.users - 1):
        kind = "manager" if i < managers else "viewer"
        users.append(
            User(
                username=f"bench_{kind}_{i}",
                email=f"bench_{kind}_{i}@bench.example",
                first_name=f"{kind.title()}{i}",
                last_name="Bench",
                password=password,
                date_joined=now - timedelta(days=30),
            )
        )
    users = User.objects.bulk_create(users)
    executive, manager_users = users[0], users[1 : managers + 1]
    viewer_users = users[managers + 1 :]
    Through = User.groups.through
    Through.objects.bulk_create(
        [Through(user_id=executive.pk, group_id=groups[EXECUTIVE].pk)]
        + [Through(user_id=u.pk, group_id=groups[PARTNER_MANAGER].pk) for u in manager_users]
        + [Through(user_id=u.pk, group_id=groups[VIEWER].pk) for u in viewer_users]
    )
    run.users, run.executive = users, executive
    run.managers, run.viewers = manager_users, viewer_users


def _partners(run):
    """The strategic goals, and the partners with one contact each."""
    from partnerships.models import Contact, Partner, StrategicGoal

    rng = run.rng
    goals = [
        StrategicGoal.objects.get_or_create(title=title)[0]
        for title in (
            "Grow recurring revenue",
            "Enter new markets",
            "Accelerate innovation",
            "Improve customer experience",
            "Reduce cost to serve",
            "Strengthen supply resilience",
            "Build the ecosystem",
            "Sustainability leadership",
        )
    ]
    kinds, sizes_ = field_choices(Partner, "kind"), field_choices(Partner, "size")
    countries = ["Germany", "France", "United Kingdom", "United States", "Japan", "Brazil"]
    partners = Partner.objects.bulk_create(
        [
            Partner(
                name=f"Bench Partner {i:05d}",
                kind=rng.choice(kinds),
                size=rng.choice(sizes_),
                industry=rng.choice(["Software", "Logistics", "Retail", "Energy", "Health"]),
                country=rng.choice(countries),
            )
            for i in range(run.size.partnerships)
        ]
    )
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                partner=p,
                name=f"Contact {p.pk}",
                email=f"c{p.pk}@partner.example",
                is_primary=True,
            )
            for p in partners
        ]
    )
    run.contacts = contacts
    return goals, partners


def _partnerships(run, partners):
    """A partnership per partner, in stages weighted as a real portfolio, with teams."""
    from partnerships.models import Partnership

    rng, today, now = run.rng, run.today, run.now
    manager_users, viewer_users = run.managers, run.viewers
    stages = [s for s, _ in STAGE_WEIGHTS]
    weights = [w for _, w in STAGE_WEIGHTS]
    types = field_choices(Partnership, "type")
    partnerships = Partnership.objects.bulk_create(
        [
            Partnership(
                partner=partner,
                title=f"{partner.name} {rng.choice(['alliance', 'programme', 'deal'])} {i}",
                type=types[i % len(types)],
                stage=rng.choices(stages, weights)[0],
                owner=manager_users[i % len(manager_users)],
                start_date=today - timedelta(days=rng.randint(400, 1500)),
                estimated_annual_value=Decimal(rng.randint(10, 5000) * 1000),
                description="Generated for the benchmarks.",
                stage_changed_at=now - timedelta(days=rng.randint(1, 300)),
            )
            for i, partner in enumerate(partners)
        ]
    )
    # Teams: the owner's colleagues and three viewers, so every user follows a few.
    Team = Partnership.team.through
    team_rows = []
    for i, p in enumerate(partnerships):
        members = {p.owner_id, manager_users[(i + 1) % len(manager_users)].pk}
        for k in range(3):
            if viewer_users:
                members.add(viewer_users[(i * 3 + k) % len(viewer_users)].pk)
        team_rows += [Team(partnership_id=p.pk, user_id=u) for u in members]
    Team.objects.bulk_create(team_rows)
    run.partnerships = partnerships


def _objectives_and_agreements(run, goals):
    from partnerships.models import Agreement, Objective

    rng, today, partnerships = run.rng, run.today, run.partnerships
    objectives = Objective.objects.bulk_create(
        [
            Objective(
                partnership=p,
                goal=goals[(i + j) % len(goals)],
                title=f"Objective {j + 1} of {p.pk}",
                side=rng.choice(field_choices(Objective, "side")),
                status=rng.choice(field_choices(Objective, "status")),
                progress=rng.randint(0, 100),
                target_date=today + timedelta(days=rng.randint(-60, 400)),
            )
            for i, p in enumerate(partnerships)
            for j in range(2)
        ]
    )
    Agreement.objects.bulk_create(
        [
            Agreement(
                partnership=p,
                reference=f"AGR-{p.pk}",
                start_date=p.start_date,
                end_date=today + timedelta(days=rng.randint(10, 900)),
                value=p.estimated_annual_value,
                signed_on=p.start_date,
            )
            for p in partnerships
            if p.stage in ("active", "under_review", "renewal", "ended")
        ]
    )
    run.objectives = objectives


def _kpis(run):
    """The KPIs of each partnership (weekly, of the kinds above) and their first versions."""
    from kpis.models import Kpi, KpiVersion

    size, objectives, executive = run.size, run.objectives, run.executive
    history_start = run.history_start
    kpis = []
    for i, p in enumerate(run.partnerships):
        for j in range(size.kpis):
            kind = KPI_KINDS[(i + j) % len(KPI_KINDS)]
            name, unit, direction, target, warning, critical, baseline, agg = kind[:8]
            kpis.append(
                Kpi(
                    partnership=p,
                    objective=objectives[2 * i + j % 2],
                    name=name if j < len(KPI_KINDS) else f"{name} {j}",
                    unit=unit,
                    direction=direction,
                    target=Decimal(target),
                    warning=Decimal(warning),
                    critical=Decimal(critical),
                    baseline=Decimal(baseline),
                    frequency="weekly",
                    aggregation=agg,
                    owner_id=p.owner_id,
                    created_at=history_start,
                )
            )
    kpis = Kpi.objects.bulk_create(kpis)
    KpiVersion.objects.bulk_create(
        [
            KpiVersion(
                kpi=k,
                number=1,
                effective_from=None,
                direction=k.direction,
                target=k.target,
                warning=k.warning,
                critical=k.critical,
                baseline=k.baseline,
                definition=k.definition(),
                changed_by=executive,
                changed_at=history_start,
            )
            for k in kpis
        ]
    )
    run.kpis = kpis


def _measurements(run):
    """Every KPI's weekly history, a random walk around its kind's centre, by COPY."""
    from kpis.models import Measurement

    rng, now, kpis, first_week, size = run.rng, run.now, run.kpis, run.first_week, run.size
    spec = {kind[0]: kind for kind in KPI_KINDS}
    weeks = [(first_week + timedelta(weeks=w)).isoformat() for w in range(size.weeks)]
    # Each week's value is typed in the Tuesday after it, as a team keeping up would do;
    # the digest reads what was known at the start of its week from these times.
    recorded = {
        week: min(
            now,
            datetime.combine(date.fromisoformat(week), dtime(10), now.tzinfo) + timedelta(days=8),
        ).isoformat()
        for week in weeks
    }

    def lines():
        buffer = io.StringIO()
        for n, k in enumerate(kpis):
            kind = spec[k.name.rsplit(" ", 1)[0] if k.name not in spec else k.name]
            unit, centre, spread = kind[1], kind[8], kind[9]
            level = centre
            for period in weeks:
                level += rng.gauss(0, spread / 4) + (centre - level) * 0.1
                value = max(level + rng.gauss(0, spread / 3), 0)
                if unit == "percent" or unit == "score":
                    value = min(value, 100)
                elif unit == "count":
                    value = round(value)
                buffer.write(
                    f"{k.pk}\t{period}\tweekly\t{value:.2f}\t\tform\t{k.owner_id}\t{recorded[period]}\n"
                )
            if n % 200 == 199:
                yield buffer.getvalue()
                buffer = io.StringIO()
        yield buffer.getvalue()

    copy_rows(
        Measurement._meta.db_table,
        [
            "kpi_id",
            "period",
            "grain",
            "value",
            "note",
            "source",
            "recorded_by_id",
            "recorded_at",
        ],
        lines(),
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=list(SIZES), default="small")
    parser.add_argument(
        "--reset", action="store_true", help="Drop every table and migrate again first."
    )
    args = parser.parse_args(argv)
    from benchmarks.bootstrap import setup

    setup()
    from partnerships.models import Partnership

    if args.reset:
        reset_database()
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if Partnership.objects.exists():
            sys.exit("The database already holds partnerships: use --reset to start again.")
    generate(args.size)


if __name__ == "__main__":
    main()
