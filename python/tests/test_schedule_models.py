from __future__ import annotations

import pickle
from decimal import Decimal

import pytest

import tradewar as tw

NS = {name: getattr(tw, name) for name in tw.__all__}


def test_query_furniture(schedule: tw.Schedule) -> None:
    stack = schedule.query("USA", "CHN", "9403.10.00", "2019-06-01")
    assert stack.total == tw.Percent("25")
    assert "US301" in stack.explain()
    before = schedule.query(tw.Economy.USA, tw.Economy.CHN, tw.HsCode("9403.10.00"), "2018-01-01")
    assert before.total == tw.Percent("0")
    assert pickle.loads(pickle.dumps(stack)) == stack


def test_bulk_matches_single_queries(schedule: tw.Schedule) -> None:
    lines = ["9403.10.00", "8517.62.0010", "0201.10.50"]
    t = schedule.bulk(["USA"] * 3, ["CHN"] * 3, lines, ["2019-06-01"] * 3).to_dict()
    for line, total in zip(lines, t["total"]):
        q = schedule.query("USA", "CHN", line, "2019-06-01").total
        assert (q.value if q else None) == total


def test_timeline_and_schedule_pickle(schedule: tw.Schedule) -> None:
    tl = tw.datasets.us_china_2018_timeline()
    assert tl == schedule.timeline
    assert pickle.loads(pickle.dumps(tl)) == tl
    s2 = pickle.loads(pickle.dumps(schedule))
    a = schedule.query("CHN", "USA", "1201.90", "2019-06-01")
    assert s2.query("CHN", "USA", "1201.90", "2019-06-01") == a
    assert "<table>" in tl._repr_html_()
    m = tl.measure("US301-L1")
    assert m is not None and m.rate == tw.Percent("25")
    assert eval(repr(m), NS) == m


def test_measure_constructors() -> None:
    m = tw.Measure.tariff("X1", "test", imposer="USA", target="CHN", rate="10", start="2020-01-01", scope=["94"])
    assert m.kind == "tariff" and m.scope == [tw.HsCode("94")]
    tl = tw.Timeline("t", [tw.Event.impose("2020-01-01", m), tw.Event.lift("2020-06-01", "X1")])
    assert [x.id for x in tl.in_force("2020-03-01")] == ["X1"]
    assert tl.in_force("2020-07-01") == []
    with pytest.raises(tw.exceptions.TimelineError):
        tw.Timeline("t", [tw.Event.lift("2020-06-01", "NOPE")])
    assert eval(repr(tl), NS) == tl


@pytest.mark.parametrize(
    "model",
    [tw.AccountingModel(), tw.SmartModel(import_demand=-1.5), tw.GsimModel(level="chapter"), tw.GeModel(sigma=5.0)],
    ids=lambda m: m.name,
)
def test_every_model_runs(model: tw.Model, scenario: tw.Scenario) -> None:
    o = model.run(scenario)
    econ = o.economies().to_pandas()
    assert set(econ["economy"]) >= {"USA", "CHN"}
    assert isinstance(econ["revenue_change"].iloc[0], Decimal)
    assert o.target is not None
    flows = o.flows().to_arrow()
    assert flows.num_rows > 0
    assert pickle.loads(pickle.dumps(o)) == o
    assert pickle.loads(pickle.dumps(model)).run(scenario) == o
    assert eval(repr(model), NS).name == model.name
    assert o.model in o._repr_html_()


def test_scenario_pickle_and_repr(scenario: tw.Scenario) -> None:
    s2 = pickle.loads(pickle.dumps(scenario))
    assert tw.SmartModel().run(s2) == tw.SmartModel().run(scenario)
    assert "Scenario" in scenario._repr_html_()


def test_sweep_is_reproducible(scenario: tw.Scenario) -> None:
    sweep = tw.Sweep(draws=8, seed=42, params={"import_demand": ("normal", -1.5, 0.3)})
    a = sweep.run(tw.SmartModel(), scenario, outputs=["target_closed", "welfare:USA"])
    b = sweep.run(tw.SmartModel(), scenario, outputs=["target_closed", "welfare:USA"])
    assert a == b and len(a) == 8
    part = sweep.run_range(tw.SmartModel(), scenario, 2, 5, ["target_closed", "welfare:USA"])
    assert part.column("target_closed") == a.column("target_closed")[2:5]
    assert pickle.loads(pickle.dumps(sweep)).draw(3) == sweep.draw(3)
    with pytest.raises(tw.exceptions.ModelInputError):
        tw.Sweep(draws=3, seed=1, params={"x": ("normal", 0.0, -1.0)})


def test_scenario_json_round_trip(scenario: tw.Scenario) -> None:
    s = tw.Scenario(
        "offer",
        trade=scenario.trade,
        schedule=scenario.schedule,
        base_year=2017,
        date="2019-06-01",
        start="2018-01-01",
        proposals=[tw.datasets.may_2018_offer()],
        target=tw.datasets.deficit_target(),
        commitment_mode="diversion",
        commitment_year=2019,
    )
    back = tw.Scenario.from_json(s.to_json())
    assert back == s and back != scenario
    assert (back.dates, back.commitment_mode, back.target) == (s.dates, "diversion", s.target)
    assert back.trade == s.trade and [p.measure_id for p in back.proposals] == ["CN-OFFER-2018"]
    assert tw.AccountingModel().run(back) == tw.AccountingModel().run(s)
    with pytest.raises(tw.ValidationError, match="no flows in 1999"):
        tw.Scenario.from_json(s.to_json().replace('"base_year":2017', '"base_year":1999', 1))
