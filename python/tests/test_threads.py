from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import tradewar as tw


def test_models_from_several_threads(scenario: tw.Scenario) -> None:
    expected = tw.SmartModel().run(scenario)
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda _: tw.SmartModel().run(scenario), range(8)))
    assert all(o == expected for o in outcomes)


def test_gil_is_released_during_a_run(scenario: tw.Scenario) -> None:
    # A Python thread keeps counting while the model runs in another thread.
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.0005)

    t = threading.Thread(target=count)
    t.start()
    before = ticks
    tw.GsimModel(level="chapter").run(scenario)
    during = ticks - before
    done.set()
    t.join()
    assert during > 5
