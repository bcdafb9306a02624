"""Mutation run over the rule modules (`make mutate`).

mutmut (configured in pyproject's [tool.mutmut]) changes one thing at a time in the rule
functions below and runs the tests that reach each function; a change no test notices
"survives". This script runs it, prints the kill rate, writes every survivor to
docs/mutation.md (with the reason it is left, when it is known), and fails below FLOOR.

    .venv/bin/python scripts/mutate.py [--jobs 2] [--keep]

Survivors are matched to their reason by function and mutated line, not by mutant number, so a
reason stays attached when other code in the module moves.
"""

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "mutation.md"
LOG = ROOT / "mutants" / "mutmut-run.log"
TIMING = ROOT / "mutants" / "run-seconds"
FLOOR = 0.90

# The rule functions: the maths and formulas users read, the gates, access, export
# neutralising, the digest schedule and the alert moves. Other functions of these modules
# (database reads, emails, SQL) are not rules and are left to the ordinary suite.
RULES = {
    "KPI maths": ["kpis.maths.*", "kpis.day_numbers.*"],
    "Health formula": [
        "kpis.health.x_health_score__*",
        "kpis.health.x_band_for__*",
        "kpis.health.x_risk_points__*",
    ],
    "Stage gates": ["partnerships.stages.*", "governance.gates.*", "kpis.gates.*"],
    "Access": ["partnerships.access.*", "partnerships.roles.*"],
    "Export neutralising": ["partnerships.exports.x_neutralise__*"],
    "Digest schedule": ["digests.schedule.*", "digests.selectors.x_last_active_on__*"],
    "Alert moves": ["kpis.alerts.x_transition__*", "kpis.alerts.x_moves__*"],
}
PATTERNS = [pattern for patterns in RULES.values() for pattern in patterns]

KILLED = {"killed", "timeout"}

_SAME_DAY = (
    "Equivalent: of versions effective the same day the as-of search takes the last one, the "
    "highest number, whether or not the earlier ones were dropped."
)
_ZERO_SLOPE = "Equivalent: a zero slope is always flat, which is decided first."
_PERIOD_ORDER = (
    "Equivalent: the period values are joined to the grid by (KPI, period) key, so the order "
    "and index of this frame do not matter."
)
_NO_VALUES = "Equivalent: with no value at all this empty frame's columns are never read."

# "function: mutated line" -> why this survivor is left alive. Keep each to one line.
_NO_DEFAULT = "Equivalent: `or 0` turns a missing input into 0 whatever the default of `get`."
REASONS = {
    # Health formula
    'kpis.health.health_score: overdue = governance.get("overdue_actions", None) or 0': _NO_DEFAULT,
    'kpis.health.health_score: overdue = governance.get("overdue_actions", ) or 0': _NO_DEFAULT,
    'kpis.health.health_score: risk = governance.get("max_risk_score", None) or 0': _NO_DEFAULT,
    'kpis.health.health_score: risk = governance.get("max_risk_score", ) or 0': _NO_DEFAULT,
    'kpis.health.health_score: open_risks = governance.get("open_risks", None) or 0': _NO_DEFAULT,
    'kpis.health.health_score: open_risks = governance.get("open_risks", ) or 0': _NO_DEFAULT,
    'kpis.health.health_score: dd_open = governance.get("dd_required_open", None) or 0': (
        _NO_DEFAULT
    ),
    'kpis.health.health_score: dd_open = governance.get("dd_required_open", ) or 0': _NO_DEFAULT,
    "kpis.health.health_score: score = max(0, min(101, round(100 - taken)))": (
        "Equivalent: no component takes off a negative number, so 100 − taken never exceeds 100."
    ),
    'kpis.health.band_for: return "XXredXX"': (
        "Unreachable: the red band starts at 0 and a score is never below 0."
    ),
    'kpis.health.band_for: return "RED"': (
        "Unreachable: the red band starts at 0 and a score is never below 0."
    ),
    # Stage gates
    "governance.gates.due_diligence_cleared: for item in checklist.items.filter(required=True)"
    '.order_by("order", ):': (
        "Only the tie-break between items of equal order; PostgreSQL returns such ties in "
        "insertion (= id) order on a small table, so no test can tell the two apart reliably."
    ),
    'governance.gates.sponsor_and_owner_assigned: partnership=partnership, ).values_list("kind", '
    "flat=True)": (
        "Equivalent: the kinds filter only narrows the rows read; the check looks for the "
        "sponsor and owner kinds among them either way."
    ),
    # Access
    "partnerships.roles._group_names: if (user.is_authenticated) or True": (
        "Equivalent: an anonymous user's groups are Django's empty manager, which gives no "
        "names without a query."
    ),
    # KPI maths
    "kpis.maths._with_versions: floor = np.iinfo(np.int64).min // 3": (
        "Equivalent: any day number far below every real date serves as the floor."
    ),
    "kpis.maths._with_versions: floor = np.iinfo(np.int64).min / 2": (
        "Equivalent: any day number far below every real date serves as the floor (the float "
        "is cast back to int64)."
    ),
    "kpis.maths.trend_label: flat = np.abs(slope) / scale <= FLAT_SHARE * (1 - 1e-9)": (
        "Equivalent in practice: only a ratio of exactly 0.01 × (1 − 10⁻⁹) tells < from <=; "
        "that exactly 1% is not flat is held by a test."
    ),
    "kpis.maths._add_trend: (n >= TREND_MIN_POINTS) & (denominator >= 0), (n * sxy - sx * sy) "
    "/ denominator, np.nan": (
        "Equivalent: with 3 or more distinct periods n·Σx² − (Σx)² is at least 2, never 0."
    ),
    "kpis.maths._add_trend: (n >= TREND_MIN_POINTS) & (denominator > 1), (n * sxy - sx * sy) "
    "/ denominator, np.nan": (
        "Equivalent: with 3 or more distinct periods n·Σx² − (Σx)² is at least 2."
    ),
    "kpis.maths._add_trend: mean = np.where(n >= 0, sy / n, np.nan)": (
        "Equivalent: the mean is only read where a slope exists, that is with 3 or more values."
    ),
    "kpis.maths._add_trend: mean = np.where(n > 1, sy / n, np.nan)": (
        "Equivalent: the mean is only read where a slope exists, that is with 3 or more values."
    ),
    "kpis.maths._add_trend: mean = np.where(n > 0, sy / n, None)": (
        "Equivalent: the mean is only read where a slope exists; None there reads as NaN."
    ),
    "kpis.maths._with_versions: )": (
        "Equivalent: a list of Python ints becomes int64 without being told."
    ),
    "kpis.maths._with_versions: same_day = (ids[order][1:] == ids[order][:+1]) & (effs[order][1:] "
    "== effs[order][:-1])": _SAME_DAY,
    "kpis.maths._with_versions: same_day = (ids[order][1:] == ids[order][:-1]) & (effs[order][1:] "
    "== effs[order][:+1])": _SAME_DAY,
    "kpis.maths.attainment: result = np.where(None, np.nan, result)": (
        "Equivalent: a missing value already gives NaN in every branch above."
    ),
    "kpis.maths.attainment: (target >= 0) & (value > 0),": (
        "Equivalent: with a zero target the next branch gives the same 0 (0 ÷ value)."
    ),
    "kpis.maths.attainment: (target > 0) & (value >= 0),": (
        "Equivalent: target ÷ 0 is infinite and capped to 200%, which the next branch gives."
    ),
    "kpis.maths.attainment: (target >= 0) & (value <= 1) & (value == target),": (
        "Equivalent: a positive value equal to the target is caught by the first branch."
    ),
    "kpis.maths.attainment: (target > 0) & (value <= 1),": (
        "Equivalent: a positive value with a positive target is caught by the first branch."
    ),
    "kpis.maths.attainment: (target == 0) & (value >= 0),": (
        "Equivalent: zero on a zero target is caught by the branch before (100%)."
    ),
    "kpis.maths.trend_label: good = np.where(higher, slope >= 0, slope < 0)": _ZERO_SLOPE,
    "kpis.maths.trend_label: good = np.where(higher, slope > 0, slope <= 0)": _ZERO_SLOPE,
    'kpis.maths.compute_snapshots: grid["rolling_avg"] = np.round(np.where(seen >= 0, rolling, '
    "np.nan), DECIMALS)": "Equivalent: with nothing seen the average is 0 ÷ 0, NaN already.",
    # Digest schedule
    'digests.schedule.parse_iso_week: match = WEEK_RE.match(value or "XXXX")': (
        "Equivalent: neither an empty text nor XXXX is an ISO week."
    ),
    "digests.schedule.next_schedule: def next_schedule(*, now, weekday, send_time, tz, "
    "last_active, inactive_days, max_weeks=7):": (
        "Equivalent: a first-week send of a month is never more than 5 weeks after this "
        "week's, so 6 and 7 weeks of look-ahead always find the same digest."
    ),
}


# Kinds of change that cannot alter a rule's result wherever they occur.
_DTYPE = re.compile(
    r",?\s*dtype=(np\.int64|float|None|bool|object)|astype\((float|None|np\.int64)\)"
)


def _dtype_only(before, after):
    def bare(line):
        return re.sub(r"\s+", "", _DTYPE.sub("", line)).replace(",)", ")")

    return before != after and bare(before) == bare(after)


KINDS = [
    (
        _dtype_only,
        "Equivalent: the values already have that type (numpy's defaults are int64 and float64).",
    ),
    (
        lambda before, after: "reset_index(drop=True)" in before and "reset_index(" in after,
        "Equivalent: the old index kept as a column is never read; only SNAPSHOT_COLUMNS are "
        "returned.",
    ),
    (
        lambda before, after: 'kind="stable"' in before,
        "Equivalent: the keys are unique (one value per KPI and period), so a stable sort "
        "changes nothing.",
    ),
    (
        lambda before, after: "np.full(total, np.nan)" in before and "None" in after,
        "Equivalent: with no value at all every cell is missing; None and NaN both read as "
        "missing.",
    ),
    (
        lambda before, after: (
            "groupby(" in before
            or "ignore_index=True" in before
            or 'on=["kpi_id", "ord"], how="left", indicator=True' in before
        ),
        _PERIOD_ORDER,
    ),
    (
        lambda before, after: before.startswith("empty = "),
        _NO_VALUES,
    ),
    (
        lambda before, after: before == 'own["n"] = own["n"].astype(np.int64)',
        "Equivalent: the counts are already int64 (one per own value, counts of the finer).",
    ),
    (
        lambda before, after: "np.errstate(" in before,
        "Not a result: only which numpy warnings are silenced; the tests run with warnings as "
        "errors and no rule input raises this one.",
    ),
]

# Functions whose every survivor has the same reason.
FUNCTION_REASONS = {
    "kpis.maths.to_days": (
        "Equivalent: the last branch turns day numbers and datetime64 values into the same days; "
        "the first two are shortcuts."
    ),
    "kpis.maths._as_of_key": (
        "Equivalent: the key only has to keep (KPI, day) pairs apart and in order; these "
        "bounds and spacings all lie far beyond any date Python can hold."
    ),
}


def reason_for(name, before, after):
    function = function_of(name)
    if f"{function}: {after}" in REASONS:
        return REASONS[f"{function}: {after}"]
    if function in FUNCTION_REASONS:
        return FUNCTION_REASONS[function]
    for matches, reason in KINDS:
        if matches(before, after):
            return reason
    return None


def run_mutmut(jobs, names=None):
    """Run mutmut on the rule functions (or only on ``names``); the seconds it took."""
    LOG.parent.mkdir(exist_ok=True)
    command = [str(ROOT / ".venv" / "bin" / "mutmut"), "run", "--max-children", str(jobs)]
    targets = names or PATTERNS
    what = f"{len(names)} mutants" if names else f"{len(PATTERNS)} rule patterns"
    print(f"mutmut on {what} with {jobs} workers; log: {LOG}")
    started = time.monotonic()
    with LOG.open("wb") as log:
        process = subprocess.Popen([*command, *targets], cwd=ROOT, stdout=log, stderr=log)
        while process.poll() is None:
            time.sleep(20)
            print(f"  {_elapsed(started)}  {_last_status()}", flush=True)
    if process.returncode != 0:
        print(LOG.read_text(errors="replace")[-3000:])
        sys.exit(f"mutmut stopped with exit code {process.returncode}.")
    print(f"mutmut done in {_elapsed(started)}")
    seconds = time.monotonic() - started
    if not names:
        TIMING.write_text(f"{seconds:.0f} {jobs} {os.getloadavg()[1]:.1f}")
    return seconds


def _elapsed(started):
    seconds = int(time.monotonic() - started)
    return f"{seconds // 60:2d}m{seconds % 60:02d}s"


def _last_status():
    tail = LOG.read_bytes()[-400:].decode(errors="replace")
    lines = [line.strip() for line in tail.replace("\r", "\n").splitlines() if line.strip()]
    return lines[-1] if lines else "starting"


def results():
    """{mutant name: status} of the rule functions' mutants."""
    from mutmut.stats import status_by_exit_code

    out = {}
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        for name, code in codes.items():
            if any(fnmatch.fnmatch(name, pattern) for pattern in PATTERNS):
                out[name] = status_by_exit_code[code]
    return out


def function_of(name):
    module, _, mangled = name.rpartition(".")
    function = mangled.rpartition("__mutmut_")[0].removeprefix("x_").removeprefix("xǁ")
    return f"{module}.{function.replace('ǁ', '.')}"


def source_path(name):
    module = name.rsplit(".", 1)[0]
    return Path(*module.split(".")).with_suffix(".py")


def mutated_line(name):
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    diff = get_diff_for_mutant(name, path=source_path(name))
    lines = diff.splitlines()
    added = [line[1:].strip() for line in lines if line[:1] == "+" and line[:3] != "+++"]
    removed = [line[1:].strip() for line in lines if line[:1] == "-" and line[:3] != "---"]
    return (removed[0] if removed else ""), (added[0] if added else "(line removed)")


def group_of(name):
    for group, patterns in RULES.items():
        if any(fnmatch.fnmatch(name, pattern) for pattern in patterns):
            return group
    return "?"


def write_report(statuses, seconds, jobs, load):
    counts = Counter(statuses.values())
    total = len(statuses)
    killed = sum(counts[s] for s in KILLED)
    rate = killed / total if total else 0.0
    survivors = sorted(
        (n for n, s in statuses.items() if s not in KILLED), key=lambda n: (function_of(n), n)
    )
    lines = [
        "# Mutation testing of the rules",
        "",
        "Generated by `make mutate` (scripts/mutate.py); do not edit by hand. mutmut changes one",
        "thing at a time in the rule functions (an operator, a constant, a condition, a string)",
        "and runs the tests that reach that function; a change no test notices survives.",
        "",
        f"**Kill rate: {rate:.1%}** ({killed} of {total} mutants killed; the floor is "
        f"{FLOOR:.0%}). The last full run took {seconds / 60:.1f} minutes with {jobs} workers "
        f"(load average {load} at its end).",
        "",
        "| rules | functions mutated | mutants | killed | rate |",
        "| --- | --- | --- | --- | --- |",
    ]
    for group, patterns in RULES.items():
        names = [n for n in statuses if group_of(n) == group]
        dead = sum(statuses[n] in KILLED for n in names)
        share = f"{dead / len(names):.0%}" if names else "-"
        shown = ", ".join(f"`{p.removesuffix('__*').replace('.x_', '.')}`" for p in patterns)
        lines.append(f"| {group} | {shown} | {len(names)} | {dead} | {share} |")
    lines += [
        "",
        "Status counts: " + ", ".join(f"{s} {n}" for s, n in sorted(counts.items())) + ".",
        "",
        f"## Surviving mutants ({len(survivors)})",
        "",
        "Each is a change to the rule that no test notices, with why it is left when that is",
        "known: equivalent (the change cannot alter any result) or not worth a test. One without",
        "a reason is a gap in the tests. Show one with `.venv/bin/mutmut show <name>`.",
        "",
        "| mutant | status | original → mutated | why it is left |",
        "| --- | --- | --- | --- |",
    ]
    unexplained = 0
    for name in survivors:
        before, after = mutated_line(name)
        reason = reason_for(name, before, after)
        if reason is None:
            unexplained += 1
            reason = "**not explained: a gap in the tests**"
        change = f"`{_cell(before)}` → `{_cell(after)}`"
        lines.append(f"| `{name}` | {statuses[name]} | {change} | {reason} |")
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n")
    return rate, killed, total, len(survivors), unexplained


def _cell(text):
    text = text.replace("|", "\\|").replace("`", "'")
    return text if len(text) <= 130 else text[:127] + "..."


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once")
    parser.add_argument(
        "--survivors",
        action="store_true",
        help="test again only the last run's survivors, with the tests as they are now",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the report from the last run"
    )
    args = parser.parse_args()
    os.chdir(ROOT)  # mutmut reads its configuration and mutants/ from the project root
    if args.survivors:
        # Killed mutants stay killed when tests are added; only the survivors need a new run.
        run_mutmut(args.jobs, [n for n, s in results().items() if s not in KILLED])
    elif not args.report_only:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        run_mutmut(args.jobs)
    # The report gives the duration of the last full run.
    seconds, jobs, *load = TIMING.read_text().split()
    seconds, jobs, load = int(seconds), int(jobs), (load or ["?"])[0]
    statuses = results()
    if not statuses:
        sys.exit("No mutant of the rule functions was found: did mutmut run?")
    unchecked = sum(status == "not checked" for status in statuses.values())
    if unchecked:
        sys.exit(f"The run stopped before the end: {unchecked} mutants not checked.")
    rate, killed, total, survivors, unexplained = write_report(statuses, seconds, jobs, load)
    print(f"Kill rate: {rate:.1%} ({killed} of {total} killed; floor {FLOOR:.0%}).")
    print(
        f"{survivors} survivors ({unexplained} not explained) listed in {REPORT.relative_to(ROOT)}."
    )
    if rate < FLOOR:
        sys.exit(f"Below the {FLOOR:.0%} floor.")


if __name__ == "__main__":
    main()
