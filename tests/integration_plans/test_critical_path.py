"""The critical path: the longest chain of dependent milestones by duration (plans.py)."""

from datetime import date

from integration.plans import critical_path, durations, start


def test_longest_chain_by_duration_wins_over_the_longest_by_count():
    #   a(5) -> b(1) -> c(1)      three milestones, 7 days
    #   d(10) -> e(2)             two milestones, 12 days
    duration = {1: 5, 2: 1, 3: 1, 4: 10, 5: 2}
    graph = {2: [1], 3: [2], 5: [4]}
    assert critical_path(duration, graph) == [4, 5]


def test_a_join_follows_its_longest_branch():
    # 1(3) and 2(8) both lead to 3(4); 3 leads to 4(1).
    duration = {1: 3, 2: 8, 3: 4, 4: 1}
    graph = {3: [1, 2], 4: [3]}
    assert critical_path(duration, graph) == [2, 3, 4]


def test_ties_go_to_the_lower_id_and_an_empty_plan_has_no_path():
    assert critical_path({1: 4, 2: 4}, {}) == [1]
    assert critical_path({1: 2, 2: 2, 3: 1}, {3: [2, 1]}) == [1, 3]
    assert critical_path({}, {}) == []


def test_a_lone_milestone_is_the_path():
    assert critical_path({7: 0}, {}) == [7]


def test_duration_runs_from_the_latest_dependency_or_the_workstream_start():
    dues = {1: date(2026, 1, 10), 2: date(2026, 1, 20), 3: date(2026, 2, 1)}
    graph = {3: [1, 2]}
    starts = {1: date(2026, 1, 1), 2: date(2026, 1, 1), 3: date(2026, 1, 1)}
    assert durations(dues, graph, starts) == {1: 9, 2: 19, 3: 12}
    assert start(3, dues, graph, starts) == date(2026, 1, 20)
    # A workstream starting after a milestone's due date gives it no negative duration.
    assert durations({1: date(2026, 1, 1)}, {}, {1: date(2026, 3, 1)}) == {1: 0}


def test_on_a_plan_the_path_ends_at_the_last_milestone_through_its_latest_dependency():
    dues = {1: date(2026, 1, 10), 2: date(2026, 1, 20), 3: date(2026, 2, 1), 4: date(2026, 1, 5)}
    graph = {3: [1, 2]}
    starts = dict.fromkeys(dues, date(2026, 1, 1))
    assert critical_path(durations(dues, graph, starts), graph) == [2, 3]
