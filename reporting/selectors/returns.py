"""The Home Office quarterly return: every figure defined once, with its counting rule.

A metric is a function from a Scope to the records it counts: rows of
``(group, record id, case id or None, weight)``. The figure for a group is the sum of the
weights of its distinct records (weight 1 except where a record stands for several people,
as a training session does), and the metric's total counts each record once across its
groups. The same rows are stored with the run (ReportFigure.units) and are what the
drill-down lists, so a figure always equals its rows.

``rule`` is the counting rule in plain words: it is printed beside the figure and in the
return's Definitions sheet, and is the specification the tests in
tests/reporting/test_return_metrics.py hold each metric to."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cases.models import Referral


def no_groups(scope):
    return []


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    table: str  # a key of RETURN_TABLES
    unit: str  # what one drill-down row is: "referral", "enrolment", "victim" …
    rule: str
    units: Callable  # (scope) -> iterable of (group, record id, case id | None, weight)
    # The groups always listed (key, label), in order, so a zero is shown as a zero.
    groups: Callable = no_groups


# The tables of the return, in order: (key, title). The first holds the headline figures.
RETURN_TABLES = [
    ("headline", "Headline figures"),
]


def _referrals_received(scope):
    rows = Referral.objects.filter(scope.dates("received_on"), partnership_id=scope.partnership_id)
    return rows.values_list("source__code", "pk", "case_id").iterator(chunk_size=5000)


def _referral_sources(scope):
    return []


METRICS: list[Metric] = [
    Metric(
        key="referrals_received",
        label="Referrals received",
        table="headline",
        unit="referral",
        rule="Referrals whose received date falls in the period, by referral source.",
        units=lambda scope: (
            (group, pk, case, 1) for group, pk, case in _referrals_received(scope)
        ),
        groups=_referral_sources,
    ),
]
METRICS_BY_KEY = {metric.key: metric for metric in METRICS}


def metric_units(metric, scope):
    """{group: [[record id, case id, weight], …]} for the metric, with "" for the total.
    A record appears once per group and once in the total (its first case)."""
    by_group: dict[str, dict] = {group: {} for group, _label in metric.groups(scope)}
    total: dict = {}
    for group, record, case, weight in metric.units(scope):
        by_group.setdefault(group or "", {}).setdefault(record, [record, case, weight])
        total.setdefault(record, [record, case, weight])
    units = {group: list(records.values()) for group, records in by_group.items() if group}
    units[""] = list(total.values())
    return units


def group_labels(metric, scope):
    return dict(metric.groups(scope))


def figure_value(units):
    return sum(weight for _record, _case, weight in units)


def definitions(metrics: Iterable[Metric] = None):
    """Rows of the Definitions sheet: [label, counting rule]."""
    return [[metric.label, metric.rule] for metric in (metrics or METRICS)]
