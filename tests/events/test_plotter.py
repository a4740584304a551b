"""Question plots drawn in a process of their own: the same plot as drawn here, and a dead drawer replaced."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import psutil

from forecaster.events.plotter import Plotter, PlotJob, draw
from forecaster.settings import PROJECT_ROOT
from tests.processes import wait_until
from tests.events.factories import PLOT_QUESTION, plot_rows


def _job(out_dir) -> PlotJob:
    ensemble, agents = plot_rows(2)
    return PlotJob(PLOT_QUESTION, tuple(ensemble), tuple(agents), out_dir)


def test_the_drawing_process_draws_the_plot_drawn_here(tmp_path):
    here = draw(_job(tmp_path / "here")).read_bytes()
    with Plotter() as plotter:
        (there,) = plotter.draw([_job(tmp_path / "there")])
    assert there.read_bytes() == here


def test_a_killed_drawing_process_is_replaced_and_the_plot_still_drawn(tmp_path):
    with Plotter() as plotter:
        plotter.draw([_job(tmp_path / "first")])
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
