"""Question plots drawn here or in processes of their own: the same plots either way, in order, and a dead drawer
replaced."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import psutil

from forecaster.events.plotter import Plotter, PlotJob, drawing_processes
from forecaster.settings import PROJECT_ROOT
from tests.processes import wait_until
from tests.events.factories import PLOT_QUESTION, plot_rows


def _job(out_dir, times: int = 2, question: dict = PLOT_QUESTION) -> PlotJob:
    ensemble, agents = plot_rows(times)
    return PlotJob(question, tuple(ensemble), tuple(agents), out_dir)


def _jobs(out_dir) -> list[PlotJob]:
    """Four questions, first forecasts and histories mixed: each layout's figure is drawn on more than once."""
    return [_job(out_dir, 1 + i % 2, {"id": f"q-{i}", "text": f"Will event {i} happen?"}) for i in range(4)]


def test_the_drawing_processes_draw_the_plots_drawn_here_in_order(tmp_path):
    with Plotter(processes=0) as plotter:
        here = [path.read_bytes() for path in plotter.draw(_jobs(tmp_path / "here"))]
    with Plotter(processes=2) as plotter:
        there = list(plotter.draw(_jobs(tmp_path / "there")))
    assert [path.stem for path in there] == ["q-0", "q-1", "q-2", "q-3"]
    assert [path.read_bytes() for path in there] == here


def test_a_run_of_one_chunk_draws_here_and_a_bigger_one_on_a_quarter_of_the_cores():
    assert drawing_processes(64, batch_size=64, cores=16) == 0
    assert drawing_processes(65, batch_size=64, cores=2) == 1
    assert drawing_processes(65, batch_size=64, cores=16) == 4
    assert drawing_processes(65, batch_size=64, cores=64) == 4


def test_a_killed_drawing_process_is_replaced_and_the_plot_still_drawn(tmp_path):
    with Plotter() as plotter:
        list(plotter.draw([_job(tmp_path / "first")]))
        (killed,) = plotter.process_ids()
        os.kill(killed, signal.SIGKILL)
        (path,) = plotter.draw([_job(tmp_path / "second")])
        assert path.is_file() and plotter.process_ids() != [killed]


def test_the_drawing_process_ends_when_its_flow_process_is_killed(tmp_path):
    pid_file = tmp_path / "pid"
    parent = subprocess.Popen([sys.executable, "-c", ORPHANING, str(pid_file)], cwd=PROJECT_ROOT)
    wait_until(pid_file.exists, 60, "the drawing process's start", parent, every=0.1)
    drawer = int(pid_file.read_text())
    parent.kill()
    parent.wait()
    wait_until(lambda: not _alive(drawer), 10, "the drawing process's end after its flow process's", every=0.2)


ORPHANING = """
import sys, time
from pathlib import Path
from forecaster.events.plotter import Plotter
if __name__ == "__main__":
    plotter = Plotter()
    plotter.start()
    Path(sys.argv[1] + ".tmp").write_text(str(plotter.process_ids()[0]))
    Path(sys.argv[1] + ".tmp").rename(sys.argv[1])
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
