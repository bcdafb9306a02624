"""The health formula users read on every partnership page (kpis/health.py FORMULA): each
component's weight, its cap, and the bands, checked at their exact boundaries."""

import pytest

from kpis.health import BANDS, FORMULA, band_for, health_score


def points(result):
    return {c["key"]: c["points"] for c in result["components"]}


def details(result):
    return {c["key"]: c["detail"] for c in result["components"]}


def test_a_partnership_with_nothing_wrong_scores_100_and_green():
    result = health_score(on_track=4)
    assert result["score"] == 100
    assert result["band"] == "green"
    assert points(result) == {
        "kpis": 0,
        "missing": 0,
        "corrective": 0,
        "governance": 0,
        "risks": 0,
        "dd": 0,
        "integration": 0,
    }


def test_components_follow_the_formula_order_labels_and_maxima():
    result = health_score(on_track=1)
    assert [(c["key"], c["label"], c["max"]) for c in result["components"]] == [
        (key, label, most) for key, label, most, _ in FORMULA
    ]
    assert [c["max"] for c in result["components"]] == [50, 10, 15, 9, 30, 6, 8]
    # The maxima add up to more than 100: the score stops at 0.
    assert sum(most for _, _, most, _ in FORMULA) == 128


@pytest.mark.parametrize(
    ("on_track", "at_risk", "off_track", "taken"),
    [
        (1, 1, 0, 12.5),  # at risk weighs half: 50 × 0.5 / 2
        (1, 0, 1, 25.0),  # off track weighs full: 50 × 1 / 2
        (0, 2, 0, 25.0),
        (0, 0, 3, 50.0),  # every KPI off track takes all 50
        (2, 1, 1, 18.8),  # 50 × 1.5 / 4 = 18.75, shown to one decimal
        (3, 0, 0, 0.0),
    ],
)
def test_kpi_results_take_off_in_proportion(on_track, at_risk, off_track, taken):
    result = health_score(on_track=on_track, at_risk=at_risk, off_track=off_track)
    assert points(result)["kpis"] == taken
    assert details(result)["kpis"] == (
        f"{on_track} on track, {at_risk} at risk, {off_track} off track."
    )


def test_score_rounds_the_total_taken_off():
    # 18.75 taken off: 81.25 rounds to 81.
    assert health_score(on_track=2, at_risk=1, off_track=1)["score"] == 81
    # 12.5 + 3 = 15.5 taken off: 84.5 rounds (half to even) to 84.
    assert health_score(on_track=1, at_risk=1, governance={"overdue_actions": 1})["score"] == 84


def test_no_kpi_result_yet_costs_25_only_when_results_are_expected():
    expected = health_score(kpis_expected=True)
    assert points(expected)["kpis"] == 25
    assert expected["score"] == 75
    assert details(expected)["kpis"] == "No KPI has a result yet, so performance cannot be shown."
    not_yet = health_score(kpis_expected=False)
    assert points(not_yet)["kpis"] == 0
    assert not_yet["score"] == 100
    assert details(not_yet)["kpis"] == "Not expected before the partnership is active."
    # The default is that results are expected.
    assert health_score()["score"] == 75


def test_no_data_kpis_do_not_count_as_scored():
    # Only no-data KPIs: nothing scored, so the "no result yet" rule applies.
    result = health_score(no_data=1)
    assert points(result)["kpis"] == 25
    assert points(result)["missing"] == 5


@pytest.mark.parametrize(("no_data", "taken"), [(0, 0), (1, 5), (2, 10), (3, 10), (9, 10)])
def test_missing_data_is_5_points_each_capped_at_10(no_data, taken):
    result = health_score(on_track=1, no_data=no_data)
    assert points(result)["missing"] == taken
    assert result["score"] == 100 - taken


def test_missing_data_detail_says_how_many_in_words():
    assert details(health_score(on_track=1, no_data=1))["missing"] == (
        "1 KPI without a value for the latest period."
    )
    assert details(health_score(on_track=1, no_data=2))["missing"] == (
        "2 KPIs without a value for the latest period."
    )
    assert details(health_score(on_track=1))["missing"] == (
        "0 KPIs without a value for the latest period."
    )


@pytest.mark.parametrize(("overdue", "taken"), [(0, 0), (1, 5), (2, 10), (3, 15), (4, 15)])
def test_overdue_corrective_actions_are_5_points_each_capped_at_15(overdue, taken):
    result = health_score(on_track=1, overdue_corrective_actions=overdue)
    assert points(result)["corrective"] == taken
    assert result["score"] == 100 - taken
    assert details(result)["corrective"] == f"{overdue} overdue."


@pytest.mark.parametrize(("overdue", "taken"), [(0, 0), (1, 3), (2, 6), (3, 9), (4, 9), (10, 9)])
def test_overdue_governance_actions_are_3_points_each_capped_at_9(overdue, taken):
    result = health_score(on_track=1, governance={"overdue_actions": overdue})
    assert points(result)["governance"] == taken
    assert result["score"] == 100 - taken
    assert details(result)["governance"] == f"{overdue} overdue."


@pytest.mark.parametrize(
    ("risk", "taken"), [(0, 0), (5, 1.2), (10, 4.8), (12, 6.9), (15, 10.8), (20, 19.2), (25, 30)]
)
def test_the_highest_open_risk_weighs_by_its_size(risk, taken):
    result = health_score(on_track=1, governance={"max_risk_score": risk, "open_risks": 2})
    assert points(result)["risks"] == taken
    assert details(result)["risks"] == f"2 open; highest score {risk} of 25."


def test_a_risk_score_beyond_the_scale_still_takes_at_most_30():
    result = health_score(on_track=1, governance={"max_risk_score": 30, "open_risks": 1})
    assert points(result)["risks"] == 30
    assert result["score"] == 70


def test_a_25_of_25_risk_alone_keeps_a_partnership_out_of_healthy():
    result = health_score(on_track=5, governance={"max_risk_score": 25, "open_risks": 1})
    assert result["score"] == 70
    assert result["band"] == "amber"
    # The next size down may still be healthy when all else is: the weight grows with the risk.
    assert health_score(on_track=5, governance={"max_risk_score": 20})["band"] == "green"


def test_no_open_risk_is_said_plainly():
    assert details(health_score(on_track=1))["risks"] == "No open risk."
    assert details(health_score(on_track=1, governance={"open_risks": 0}))["risks"] == (
        "No open risk."
    )


@pytest.mark.parametrize(("open_items", "taken"), [(0, 0), (1, 3), (2, 6), (3, 6), (7, 6)])
def test_open_required_due_diligence_is_3_points_each_capped_at_6(open_items, taken):
    result = health_score(on_track=1, governance={"dd_required_open": open_items})
    assert points(result)["dd"] == taken
    assert result["score"] == 100 - taken


def test_due_diligence_detail_says_how_many_in_words():
    one = health_score(on_track=1, governance={"dd_required_open": 1})
    assert details(one)["dd"] == "1 required item open."
    two = health_score(on_track=1, governance={"dd_required_open": 2})
    assert details(two)["dd"] == "2 required items open."
    assert details(health_score(on_track=1))["dd"] == "0 required items open."


def test_governance_inputs_read_as_none_count_as_zero():
    governance = {
        "overdue_actions": None,
        "max_risk_score": None,
        "open_risks": None,
        "dd_required_open": None,
    }
    result = health_score(on_track=1, governance=governance)
    assert result["score"] == 100
    assert details(result)["governance"] == "0 overdue."
    assert details(result)["risks"] == "No open risk."
    assert details(result)["dd"] == "0 required items open."


def test_every_component_at_its_cap_takes_the_score_to_zero():
    result = health_score(
        off_track=5,
        no_data=5,
        overdue_corrective_actions=9,
        governance={
            "overdue_actions": 9,
            "max_risk_score": 25,
            "open_risks": 3,
            "dd_required_open": 9,
            "slipped_milestones": 9,
        },
    )
    assert points(result) == {
        "kpis": 50,
        "missing": 10,
        "corrective": 15,
        "governance": 9,
        "risks": 30,
        "dd": 6,
        "integration": 8,
    }
    assert result["score"] == 0
    assert result["band"] == "red"


def test_far_beyond_every_cap_the_score_stays_at_zero():
    # Each component stops at its cap, so the caps together take off exactly 100.
    result = health_score(
        off_track=1,
        no_data=100,
        overdue_corrective_actions=100,
        governance={
            "overdue_actions": 100,
            "max_risk_score": 1000,
            "open_risks": 1,
            "dd_required_open": 100,
        },
    )
    assert result["score"] == 0


@pytest.mark.parametrize(
    ("score", "band"),
    [(100, "green"), (75, "green"), (74, "amber"), (50, "amber"), (49, "red"), (0, "red")],
)
def test_bands_start_at_their_floor(score, band):
    assert band_for(score) == band


def test_band_labels_users_read():
    assert BANDS == [
        ("green", 75, "Healthy"),
        ("amber", 50, "Needs attention"),
        ("red", 0, "Unhealthy"),
    ]


@pytest.mark.parametrize(
    ("inputs", "score", "band"),
    [
        ({"on_track": 3, "overdue_corrective_actions": 5}, 85, "green"),
        ({"on_track": 1, "off_track": 1, "no_data": 0}, 75, "green"),
        ({"on_track": 1, "off_track": 1, "no_data": 1}, 70, "amber"),
        ({"off_track": 1}, 50, "amber"),
        ({"off_track": 1, "governance": {"overdue_actions": 1}}, 47, "red"),
    ],
)
def test_scores_land_in_the_band_of_their_value(inputs, score, band):
    result = health_score(**inputs)
    assert (result["score"], result["band"]) == (score, band)


@pytest.mark.parametrize(("slipped", "taken"), [(0, 0), (1, 2), (3, 6), (4, 8), (9, 8)])
def test_slipped_milestones_take_two_points_each_up_to_eight(slipped, taken):
    result = health_score(on_track=1, governance={"slipped_milestones": slipped})
    assert points(result)["integration"] == taken
    assert result["score"] == 100 - taken
    assert details(result)["integration"] == (
        f"{slipped} milestone{'s' if slipped != 1 else ''} slipped."
    )
