"""The checked rows compared with the stored measurements, and the preview's summary."""

import numpy as np
import pandas as pd

from partnerships.aggregates import ids_param

from .. import periods
from ..models import Measurement


def compare_with_existing(plan, *, for_update):
    if plan.empty:
        plan["outcome"] = []
        return plan
    low, high = min(plan["period"]), max(plan["period"])
    # The grains narrow the unique index's scan to each KPI's periods at its grain: without
    # them it read every period of every KPI (~0.12 s for 10,000 KPIs). Rows of other grains
    # never match the plan's.
    existing = Measurement.objects.filter(
        kpi_id__in=ids_param(np.unique(plan["kpi_id"].to_numpy()).tolist()),
        grain__in=sorted(plan["grain"].unique()),
        period__gte=low,
        period__lte=high,
    )
    if for_update:
        existing = existing.select_for_update()
    old = pd.DataFrame(
        list(
            existing.values_list(
                "id",
                "kpi_id",
                "grain",
                "period",
                "value",
                "note",
                "source",
                "recorded_by_id",
                "recorded_at",
            )
        ),
        columns=[
            "measurement_id",
            "kpi_id",
            "grain",
            "period",
            "old_value",
            "old_note",
            "old_source",
            "old_by",
            "old_at",
        ],
    )
    old = old.astype({"kpi_id": np.int64, "measurement_id": np.float64})
    plan = plan.merge(old, on=["kpi_id", "grain", "period"], how="left")
    exists = plan["measurement_id"].notna()
    old_value = np.full(len(plan), np.nan)
    old_value[exists.to_numpy()] = [float(v) for v in plan["old_value"][exists]]
    new_note = np.where(plan["has_note"], plan["note"], plan["old_note"].fillna(""))
    same = exists & (np.round(plan["value"], 6) == old_value) & (new_note == plan["old_note"])
    plan["note"] = new_note
    plan["outcome"] = np.select([~exists, same], ["create", "unchanged"], default="correct")
    return plan


def preview_summary(checked, info):
    plan = checked.plan
    counts = plan["outcome"].value_counts()
    titles = plan["kpi_id"].map(info["partnership__title"])
    by_partnership = (
        plan.assign(p=titles).groupby(["p", "outcome"]).size().unstack(fill_value=0)
        if not plan.empty
        else pd.DataFrame()
    )
    corrections = _first(plan, plan["outcome"] == "correct", 100)
    creates = _first(plan, plan["outcome"] == "create", 20)

    def sample(frame, with_old):
        out = []
        for r in frame.itertuples(index=False):
            item = {
                "row": int(r.row),
                "kpi": str(info.at[r.kpi_id, "name"]),
                "kpi_id": int(r.kpi_id),
                "period": periods.period_label(r.period, r.grain),
                "value": r.exact,
            }
            if with_old:
                item["old"] = (
                    format(r.old_value.normalize(), "f") if r.old_value is not None else ""
                )
            out.append(item)
        return out

    return {
        "rows": checked.rows,
        "skipped": checked.skipped,
        "errors": 0,
        "create": int(counts.get("create", 0)),
        "correct": int(counts.get("correct", 0)),
        "unchanged": int(counts.get("unchanged", 0)),
        "kpis": int(plan["kpi_id"].nunique()),
        "by_partnership": [
            {
                "partnership": str(name),
                "create": int(row.get("create", 0)),
                "correct": int(row.get("correct", 0)),
                "unchanged": int(row.get("unchanged", 0)),
            }
            for name, row in zip(
                by_partnership.index, by_partnership.to_dict("records"), strict=True
            )
        ],
        "corrections": sample(corrections, True),
        "creates": sample(creates, False),
    }


def _first(plan, mask, count):
    """The first ``count`` rows of the plan where ``mask`` holds, taken without copying every
    row that does first."""
    return plan.iloc[np.flatnonzero(mask.to_numpy())[:count]]
