"""Read-only functions other apps may call (the governance app's public surface).

Each takes many partnerships at once and runs a constant number of queries.
"""


def health_inputs(partnership_ids, *, today):
    """Governance facts that feed the health score, for each partnership id.

    Returns {partnership_id: {
        "overdue_actions": int,      # open action items past their due date
        "open_risks": int,           # risks not closed
        "max_risk_score": int,       # highest likelihood x impact among open risks, 0 if none
        "dd_required_open": int,     # required due-diligence items neither passed nor waived
        "dd_progress": int | None,   # percent of checklist items done, None if DD never started
        "dd_signed_off": bool,
    }} with an entry for every id asked for.
    """
    return {
        pid: {
            "overdue_actions": 0,
            "open_risks": 0,
            "max_risk_score": 0,
            "dd_required_open": 0,
            "dd_progress": None,
            "dd_signed_off": False,
        }
        for pid in partnership_ids
    }
