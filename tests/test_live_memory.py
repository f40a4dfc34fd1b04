"""The live runtime's memory reservations come from the measured table, for every live panel."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from playground import live, live_memory
from playground.load_tasks import PANELS

TABS = Path(__file__).resolve().parent.parent / "playground" / "tabs"


def wired_panels() -> set[str]:
    """Every panel name a tab gives ``live_ui.play`` (read from the source, so none is missed)."""
    names = set()
    for path in TABS.rglob("*.py"):  # tab modules and the tab packages' modules
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "play":
                for keyword in node.keywords:
                    if keyword.arg == "panel" and isinstance(keyword.value, ast.Constant):
                        names.add(keyword.value.value)
    return names


def test_every_live_panel_has_a_measured_reservation_and_a_load_task():
    panels = wired_panels()
    assert len(panels) >= 15  # the app's live panels: the reader found them
    assert panels <= set(live_memory.measured_panels()), "measure: python -m playground.live_memory --panel NAME"
    assert panels <= set(PANELS), "each live panel needs a task in playground/load_tasks.py"


def test_the_table_says_when_where_and_how_it_was_measured():
    table = live_memory._table()
    assert table["measured_on"] and table["machine"] and table["command"].startswith("python -m playground.live_memory")
    for panel, row in table["panels"].items():
        assert row["frames"] >= 1, f"{panel}: the measured run streamed nothing"
        assert 0 < live_memory.reservation(panel) < 4096


def test_the_budget_follows_the_machine_and_its_override(monkeypatch):
    monkeypatch.delenv("PLAYGROUND_LIVE_MEMORY_MB", raising=False)
    monkeypatch.delenv("PLAYGROUND_RSS_LIMIT_MB", raising=False)
    ram = live._total_ram_mb()
    assert live.default_memory_budget_mb() == pytest.approx(max(512.0, 0.6 * ram - 1536.0))
    assert live.default_rss_limit_mb() == pytest.approx(0.8 * ram)
    monkeypatch.setenv("PLAYGROUND_LIVE_MEMORY_MB", "2000")
    monkeypatch.setenv("PLAYGROUND_RSS_LIMIT_MB", "3000")
    assert live.default_memory_budget_mb() == 2000.0
    assert live.default_rss_limit_mb() == 3000.0


@pytest.mark.parametrize("panel", ["cnn_lab", "gatys", "transfer", "live_dcgan", "gpt_live"])
def test_a_16_gb_machine_runs_or_queues_30_default_runs_of_each_heavy_panel(monkeypatch, panel):
    monkeypatch.setattr(live, "_total_ram_mb", lambda: 16384.0)
    monkeypatch.delenv("PLAYGROUND_LIVE_MEMORY_MB", raising=False)
    runtime = live.Runtime(slots=2, max_jobs=live.MAX_LIVE_JOBS, max_line=live.LINE_SIZE, rss_mb=lambda: 1500.0)
    jobs = [runtime.start(f"visitor {i}", panel, heavy=True, memory_mb=live_memory.reservation(panel))
            for i in range(30)]  # raises Busy if any of the 30 is refused
    running = sum(not job.queued for job in jobs)
    assert running >= 1 and running + runtime.waiting() == 30
    assert running * live_memory.reservation(panel) <= runtime.memory_budget_mb
