"""ECharts options built from stored results (the templates only pass them to echarts.init:
no numbers are computed in JavaScript)."""

from __future__ import annotations

from collections import Counter

from govsite.evaluations.models import CODE_LABELS, Finding

RED, GREY = "#b71c1c", "#9ca3af"


def _bar(title: str, names: list[str], values: list, horizontal: bool = False) -> dict:
    category_axis = {"type": "category", "data": names, "axisLabel": {"interval": 0}}
    value_axis = {"type": "value"}
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"containLabel": True, "left": 10, "right": 20},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": {**category_axis, "inverse": True} if horizontal else value_axis,
        "series": [{"type": "bar", "data": values, "itemStyle": {"color": RED}}],
    }


def run_charts(run, sites, category_names: dict[str, str]) -> list[dict]:
    """Ranking bars, score distribution and problems by type for one run."""
    deduction_style = run.deduction_style
    ranked = sorted(
        (s for s in sites if (s.deducted if deduction_style else s.score) is not None),
        key=lambda s: s.deducted if deduction_style else -s.score,
    )
    value = (lambda s: round(s.deducted, 2)) if deduction_style else (lambda s: round(s.score, 2))
    charts = [{
        "id": "ranking", "height": max(300, 24 * len(ranked) + 80),
        "option": _bar("扣分排名" if deduction_style else "得分排名",
                       [s.name for s in ranked], [value(s) for s in ranked], horizontal=True),
    }]  # fmt: skip
    vetoed = sum(1 for s in sites if s.vetoes)
    bands = ["单项否决", "<60", "60–70", "70–80", "80–90", "≥90"]
    counts = Counter()
    for s in sites:
        if s.vetoes:
            continue
        score = s.score if s.score is not None else 0
        counts[bands[1 + min(max(int(score // 10) - 5, 0), 4)] if score >= 60 else "<60"] += 1
    counts["单项否决"] = vetoed
    if not deduction_style:
        charts.append({"id": "distribution", "height": 300,
                       "option": _bar("得分分布（网站数）", bands, [counts[b] for b in bands])})  # fmt: skip
    problems = Counter(Finding.objects.filter(site__in=sites).values_list("code", flat=True))
    top = problems.most_common()
    charts.append({"id": "problems", "height": max(300, 28 * len(top) + 80),
                   "option": _bar("问题类型（项）", [str(CODE_LABELS.get(c, c)) for c, _ in top],
                                  [n for _, n in top], horizontal=True)})  # fmt: skip
    for chart in charts:
        chart["option_id"] = f"{chart['id']}-option"
    return charts


def site_trend(history) -> dict:
    """Score (or points deducted) of one website over its runs."""
    return {
        "title": {"text": "历次得分", "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": [f"{s.run.today:%Y-%m-%d}" for s in history]},
        "yAxis": {"type": "value"},
        "series": [
            {"name": "得分", "type": "line", "data": [s.score for s in history],
             "itemStyle": {"color": RED}},
            {"name": "问题数", "type": "line", "data": [s.finding_count for s in history],
             "itemStyle": {"color": GREY}},
        ],
        "legend": {"bottom": 0},
    }  # fmt: skip


def runs_trend(history) -> dict:
    """Average score and vetoed sites over every run of the same websites (``history``:
    their SiteEvaluations across runs)."""
    by_run: dict = {}
    for s in history:
        by_run.setdefault((s.run.today, s.run_id), []).append(s)
    keys = sorted(by_run)
    scores = [[s.score for s in by_run[k] if s.score is not None] for k in keys]
    return {
        "title": {"text": "历次检查趋势", "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "xAxis": {"type": "category", "data": [f"{day:%Y-%m-%d}" for day, _ in keys]},
        "yAxis": [{"type": "value", "name": "平均得分"}, {"type": "value", "name": "网站数"}],
        "series": [
            {"name": "平均得分", "type": "line",
             "data": [round(sum(v) / len(v), 2) if v else None for v in scores],
             "itemStyle": {"color": RED}},
            {"name": "单项否决网站数", "type": "line", "yAxisIndex": 1,
             "data": [sum(1 for s in by_run[k] if s.vetoes) for k in keys],
             "itemStyle": {"color": GREY}},
        ],
    }  # fmt: skip
