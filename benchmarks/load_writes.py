"""The load run's write mix: each wrk connection is one user (its own session and CSRF token,
signed in as the executive) who, one request in LOAD_WRITE_EVERY, saves a KPI value through the
entry grid's cell (an HTMX POST) or edits a governance action item (a form POST), and whose next
request is a cached page that must show what was just written: the partnership's "Recent
activity" panel for a value, the meetings page for an action. A page without it is stale.

Each user writes only to its own partnership, so no other user's write can explain what the
check sees. A value flips between the stored one and one step away (a step its unit's format
shows), an action's title between two suffixed forms; at the end the stored rows are put back
as they were, the revisions the run kept are deleted and the KPIs recomputed.

As in production, a value's save commits and asks a real Celery worker (benchmarks/load_run.py)
to sweep its recompute marks: the snapshots, alerts and health it moves are computed there, on
the same two cores, and the run waits for the worker to settle them before putting rows back.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from benchmarks import knobs

# A step the unit's format shows (kpis.templatetags.kpis.format_value) and small enough to
# leave a KPI's status, and so its alerts, as they were.
STEP = {"percent": Decimal("0.1"), "ratio": Decimal("0.01")}
TITLE_MARKS = (" · load a", " · load b")

WRK_SCRIPT = """
local users = {%(users)s}
local paths = {%(paths)s}
local hx = {%(hx)s}
local every = %(every)d
local threads = {}
local made = 0

setup = function(thread)
  made = made + 1
  thread:set("uid", made)
  table.insert(threads, thread)
end

init = function(args)
  me = users[uid]
  n, reads, writes, checks, stale, failed, bad = 0, 0, 0, 0, 0, 0, 0
  kind, current, variant, pending, turn = nil, nil, 1, nil, 0
  variants = {}
end

request = function()
  n = n + 1
  local headers = {["Cookie"] = me.cookie}
  if pending then
    kind = "check"
    if pending.hx then headers["HX-Request"] = "true" end
    return wrk.format("GET", pending.path, headers)
  end
  if n %% every == 0 then
    turn = turn %% #me.targets + 1
    current = me.targets[turn]
    variant = (variants[turn] or 1) %% 2 + 1
    variants[turn] = variant
    kind = "write"
    headers["X-CSRFToken"] = me.token
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    if current.hx then headers["HX-Request"] = "true" end
    return wrk.format("POST", current.path, headers, current.bodies[variant])
  end
  kind = "read"
  local i = (n %% #paths) + 1
  if hx[i] then headers["HX-Request"] = "true" end
  return wrk.format("GET", paths[i], headers)
end

response = function(status, headers, body)
  if kind == "write" then
    writes = writes + 1
    local refused = current.refused and body:find(current.refused, 1, true)
    if status == current.status and not refused then
      pending = {path = current.check, hx = current.check_hx, text = current.expect[variant]}
    else
      failed = failed + 1
    end
  elseif kind == "check" then
    checks = checks + 1
    if status ~= 200 then
      bad = bad + 1
    elseif not body:find(pending.text, 1, true) then
      stale = stale + 1
    end
    pending = nil
  else
    reads = reads + 1
    if status >= 400 then bad = bad + 1 end
  end
end

delay = function()
  return %(think)d
end

done = function(summary, latency, requests)
  local t = {reads = 0, writes = 0, checks = 0, stale = 0, failed = 0, bad = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "reads": %%d, "writes": %%d, "checks": %%d, ' ..
    '"stale": %%d, "writes_failed": %%d, "checks_failed": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout,
    t.reads, t.writes, t.checks, t.stale, t.failed, t.bad))
end
"""


@dataclass
class Target:
    """One thing a user writes: two request bodies and, for each, the text its check expects."""

    path: str
    hx: bool
    status: int
    bodies: tuple
    check: str
    check_hx: bool
    expect: tuple
    refused: str = ""


@dataclass
class Plan:
    """What the write mix writes, and what to put back afterwards."""

    users: list = field(default_factory=list)  # [(cookie, csrf token, [Target])]
    measurements: dict = field(default_factory=dict)  # pk: original fields
    actions: dict = field(default_factory=dict)  # pk: original title
    revision_floor: int = 0
    alert_floor: int = 0


def lua_string(text):
    """A Lua string literal for any text: bytes outside printable ASCII as decimal escapes."""
    out = []
    for byte in str(text).encode():
        char = chr(byte)
        out.append(char if 32 <= byte < 127 and char not in '"\\' else f"\\{byte}")
    return '"' + "".join(out) + '"'


def lua_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return lua_string(value)
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(lua_value(v) for v in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {lua_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def script(plan, paths, hx):
    users = [
        {
            "cookie": cookie,
            "token": token,
            "targets": [
                {
                    "path": t.path,
                    "hx": t.hx,
                    "status": t.status,
                    "bodies": t.bodies,
                    "check": t.check,
                    "check_hx": t.check_hx,
                    "expect": t.expect,
                    "refused": t.refused or False,
                }
                for t in targets
            ],
        }
        for cookie, token, targets in plan.users
    ]
    return WRK_SCRIPT % {
        "users": ", ".join(lua_value(u) for u in users),
        "paths": ", ".join(lua_string(p) for p in paths),
        "hx": ", ".join(lua_value(h) for h in hx),
        "every": max(1, round(100 / knobs.LOAD_WRITE_PCT)),
        "think": knobs.LOAD_THINK_MS,
    }


def plan(user, session_cookie, users=None):
    """Sessions for ``users`` connections signed in as ``user``, each with its own partnership
    to write to, and the rows to restore after the run."""
    from django.middleware.csrf import _get_new_csrf_string

    from governance.models import OPEN_ACTION
    from kpis.models import Alert, MeasurementRevision
    from partnerships.models import Partnership

    users = users or knobs.LOAD_USERS
    result = Plan(
        revision_floor=_max_pk(MeasurementRevision),
        alert_floor=_max_pk(Alert),
    )
    partnerships = Partnership.objects.filter(stage="active").order_by("pk")
    for partnership in partnerships.iterator():
        targets = []
        measurement = _latest_measurement(partnership)
        if measurement is not None:
            targets.append(_value_target(measurement, result))
        action = partnership.action_items.filter(status__in=OPEN_ACTION).order_by("pk").first()
        if action is not None:
            targets.append(_action_target(partnership, action, result))
        if targets:
            token = _get_new_csrf_string()
            cookie = f"{session_cookie(user)}; csrftoken={token}"
            result.users.append((cookie, token, targets))
        if len(result.users) == users:
            break
    if len(result.users) < users:
        raise RuntimeError(
            f"The write mix needs {users} active partnerships with a KPI value or an open "
            f"action; the data has {len(result.users)}."
        )
    return result


def _max_pk(model):
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _latest_measurement(partnership):
    from django.db.models import F
    from django.utils import timezone

    from kpis.models import Measurement

    return (
        Measurement.objects.filter(
            kpi__partnership=partnership,
            kpi__is_active=True,
            grain=F("kpi__frequency"),
            period__lte=timezone.localdate(),
        )
        .select_related("kpi")
        .order_by("-period", "pk")
        .first()
    )


def _value_target(measurement, plan):
    from django.conf import settings
    from django.urls import reverse
    from django.utils.html import escape

    from kpis.templatetags.kpis import format_value

    kpi = measurement.kpi
    step = STEP.get(kpi.unit, Decimal(1))
    stored = measurement.value
    other = stored + step if kpi.unit != "percent" or stored + step <= 100 else stored - step
    day = measurement.period.isoformat()
    name = f"{kpi.pk}-{day}"

    def raw(value):
        return format(value.normalize(), "f").replace(".", settings.DECIMAL_MARK)

    def body(value, before):
        return urlencode(
            {"kpi": kpi.pk, "period": day, f"v-{name}": raw(value), f"o-{name}": raw(before)}
        )

    def shown(value):
        # The line partnerships/timeline.html shows for the newest value (kpis/timeline.py).
        return escape(f"{kpi.name}: {format_value(value, kpi.unit)} for {measurement.period_label}")

    plan.measurements[measurement.pk] = {
        "value": stored,
        "note": measurement.note,
        "source": measurement.source,
        "recorded_by_id": measurement.recorded_by_id,
        "recorded_at": measurement.recorded_at,
    }
    # Variant 1 is the stored value, so a user's first write is the other one.
    return Target(
        path=reverse("kpis:entry_cell"),
        hx=True,
        status=200,
        bodies=(body(stored, other), body(other, stored)),
        check=reverse("partnerships:timeline", kwargs={"pk": kpi.partnership_id}),
        check_hx=True,
        expect=(shown(stored), shown(other)),
        refused="has-error",
    )


def _action_target(partnership, action, plan):
    from django.urls import reverse
    from django.utils.html import escape

    from governance.forms import ActionItemForm

    form = ActionItemForm(instance=action, partnership=partnership)
    fields = {}
    for name in form.fields:
        value = form[name].value()
        fields[name] = value.isoformat() if hasattr(value, "isoformat") else value or ""
    titles = [action.title + mark for mark in TITLE_MARKS]
    plan.actions[action.pk] = action.title
    return Target(
        path=reverse(
            "governance:action_edit", kwargs={"pk": partnership.pk, "action_pk": action.pk}
        ),
        hx=False,
        status=302,
        bodies=tuple(urlencode({**fields, "title": title}) for title in titles),
        check=reverse("governance:meetings", kwargs={"pk": partnership.pk}),
        check_hx=False,
        # The open actions' table links each title to its edit page.
        expect=tuple(f">{escape(title)}</a>" for title in titles),
    )


def restore(plan):
    """Put the written rows back as they were and recompute the KPIs the run moved. Returns
    the alerts the run opened (0 when the steps crossed no threshold)."""
    from django.db import transaction

    from governance.models import ActionItem
    from kpis import recomputes
    from kpis.models import Alert, Measurement, MeasurementRevision

    with transaction.atomic():
        for pk, fields in plan.measurements.items():
            Measurement.objects.filter(pk=pk).update(**fields)
        MeasurementRevision.objects.filter(
            measurement_id__in=list(plan.measurements), pk__gt=plan.revision_floor
        ).delete()
        for pk, title in plan.actions.items():
            ActionItem.objects.filter(pk=pk).update(title=title)
        kpi_ids = Measurement.objects.filter(pk__in=list(plan.measurements)).values_list(
            "kpi_id", flat=True
        )
        recomputes.mark_kpis(list(kpi_ids))
    recomputes.sweep()
    return Alert.objects.filter(pk__gt=plan.alert_floor).count()
