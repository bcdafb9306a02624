"""The rules of an integration plan, as plain functions of plain values (ids and dates).

- Dependencies form no cycle, and a milestone is not due before what it depends on.
- A milestone marked done before everything it depends on is done needs an override reason.
- The critical path is the longest chain of dependent milestones by duration.
"""

from datetime import date

CYCLE = (
    "A milestone cannot depend, directly or through others, on itself: "
    "“{}” already depends on this one."
)
EARLY = "Due {} — before “{}”, which it depends on (due {}). Move the due date or the dependency."
OVERRIDE = "“{}” is not done yet. Give a reason to mark this one done before what it depends on."


def reaches(graph, start, target):
    """Whether ``target`` is reachable from ``start`` following ``graph`` ({id: [dep ids]})."""
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node == target:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(graph.get(node, ()))
    return False


def dependency_errors(milestone_id, due, depends_on, graph, *, titles, dues):
    """What is wrong with ``milestone_id`` (None when new) due on ``due`` depending on
    ``depends_on`` (ids), given the rest of the plan's ``graph`` ({id: [dep ids]}), each
    milestone's title and due date: a list of sentences, empty when nothing is."""
    errors = []
    for dep in depends_on:
        if milestone_id is not None and (dep == milestone_id or reaches(graph, dep, milestone_id)):
            errors.append(CYCLE.format(titles[dep]))
        elif due is not None and dues[dep] > due:
            errors.append(EARLY.format(_day(due), titles[dep], _day(dues[dep])))
    return errors


def completion_errors(undone_dependencies, override_reason):
    """Marking a milestone done while ``undone_dependencies`` (titles) are open needs a
    reason; returns what to say, empty when the milestone may be marked done."""
    if not undone_dependencies or (override_reason or "").strip():
        return []
    return [OVERRIDE.format(title) for title in undone_dependencies]


def durations(milestones, graph, start_of):
    """Each milestone's duration in days.

    A milestone starts when the latest of its dependencies is due, or, with no dependency,
    on its workstream's start date (``start_of[id]``); its duration is the days from that
    start to its own due date, never below zero. ``milestones`` is {id: due date}.
    """
    out = {}
    for mid, due in milestones.items():
        out[mid] = max(0, (due - start(mid, milestones, graph, start_of)).days)
    return out


def start(mid, milestones, graph, start_of):
    deps = [milestones[d] for d in graph.get(mid, ()) if d in milestones]
    return max(deps) if deps else min(start_of[mid], milestones[mid])


def critical_path(duration, graph):
    """The longest path through the dependency graph, by the sum of its milestones'
    durations: the chain of milestones that decides when the plan can finish (any delay on
    it delays the end).

    ``duration`` is {id: days}; ``graph`` is {id: [ids it depends on]}, acyclic. Returns the
    ids along the path, first dependency first; ties go to the lower id, so the answer is
    stable. An empty plan has an empty path.
    """
    best = {}  # id -> (length of the longest path ending here, previous id)

    def longest(node):
        if node not in best:
            before = [(longest(d)[0], -d, d) for d in graph.get(node, ()) if d in duration]
            if before:
                length, _, prev = max(before)
            else:
                length, prev = 0, None
            best[node] = (length + duration[node], prev)
        return best[node]

    for node in sorted(duration):
        longest(node)
    if not best:
        return []
    end = max(sorted(best), key=lambda n: best[n][0])
    path = []
    while end is not None:
        path.append(end)
        end = best[end][1]
    return path[::-1]


def _day(value: date):
    return f"{value.day} {value:%b %Y}"
