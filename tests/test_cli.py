"""`python -m imgclf`: what a user sees, run as a separate process."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import HANG_S, REPO, write_fashion

# The same on every Keras backend: `make test-jax` leaves it to the TensorFlow pass.
pytestmark = pytest.mark.backend_independent

OFFLINE_SITE = REPO / "tests" / "offline"


def imgclf(*args, offline=False, env=None, timeout=HANG_S):
    """Run `python -m imgclf ARGS`; `timeout` only stops a hung command (it is no budget:
    machines differ fivefold in speed)."""
    environment = {**os.environ, **(env or {})}
    if offline:
        environment["PYTHONPATH"] = os.pathsep.join(
            [str(OFFLINE_SITE), environment.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "imgclf", *args], capture_output=True,
                          text=True, env=environment, cwd=REPO, timeout=timeout)


def test_download_without_network_fails_with_one_clear_message():
    done = imgclf("download", "cifar10", offline=True)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    message = done.stderr[done.stderr.index("imgclf download:"):]
    assert "'cifar10' is not on this machine and could not be downloaded" in message
    for expected in ("$IMGCLF_DATA_DIR/cifar-10-batches-py", "cifar-10-batches-py-target",
                     "Network is unreachable", "python -m imgclf download cifar10 --to DIR"):
        assert expected in message
    assert len(message.splitlines()) < 15


def test_truncated_file_in_data_dir_is_reported_by_path(tmp_path):
    folder = tmp_path / "fashion-mnist"
    write_fashion(folder)
    images = folder / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:100])
    done = imgclf("download", "fashion_mnist", env={"IMGCLF_DATA_DIR": str(tmp_path)})
    assert done.returncode == 1
    assert f"{images} is corrupt" in done.stderr and "Traceback" not in done.stderr


def test_download_for_a_profile_and_the_shipped_sample():
    done = imgclf("download", "--profile", "smoke")
    assert done.returncode == 0 and "'sample' ships inside imgclf" in done.stdout


def test_settings_of_a_profile():
    done = imgclf("settings", "--profile", "smoke", "--field", "dataset")
    assert done.returncode == 0 and done.stdout.strip() == "sample"
    done = imgclf("settings", "--profile", "quick", "--dataset", "cifar10", "--field", "dataset")
    assert done.stdout.strip() == "cifar10"


def test_the_learners_command_points_to_every_tooling_command_and_only_those():
    """`python -m imgclf` names the tooling's commands (the installed package has no
    imgclf.course to ask), to send a learner there: the names must be the tooling's own."""
    from imgclf import cli
    from imgclf.course import cli as course_cli

    def commands(parser) -> set[str]:  # argparse has no public way to list subcommands
        return {name for action in parser._actions
                if isinstance(action, argparse._SubParsersAction) for name in action.choices}

    assert set(cli.TOOLING) == commands(course_cli.parser())
    assert not set(cli.TOOLING) & commands(cli.parser())


def test_version_and_the_name_the_user_called():
    done = imgclf("--version")
    assert done.returncode == 0
    assert re.fullmatch(r"python -m imgclf \d+\.\d+\.\d+ \(Keras 3\.\d+\.\d+\)\n", done.stdout)
    script = Path(sys.executable).with_name("imgclf")  # the console script pip installed
    done = subprocess.run([str(script), "settings", "--profile", "fast"], capture_output=True,
                          text=True, timeout=HANG_S)
    assert done.returncode == 2 and done.stderr.splitlines()[-1].startswith("imgclf settings:")
    done = subprocess.run([str(script), "download", "imagenet"], capture_output=True, text=True,
                          timeout=HANG_S)
    assert done.returncode == 1 and done.stderr.startswith("imgclf download: Unknown data set")


def test_download_help_lists_every_data_set_with_what_it_holds():
    done = imgclf("download", "--help")
    assert done.returncode == 0
    for line in ("cifar10        CIFAR-10: 60,000 32x32 colour images of 10 classes",
                 "fashion_mnist  Fashion-MNIST: 70,000 28x28 grey images"):
        assert line in done.stdout


@pytest.mark.integration
def test_settings_cost_prints_every_chapter_estimate_and_the_gpu_budget(capsys):
    """In this process, where the plans' networks are built once (test_plans builds them
    too)."""
    from imgclf import cli

    assert cli.main(["settings", "--profile", "quick", "--cost"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("The quick profile on fashion_mnist: estimated by imgclf.cost")
    for column in ("T4 minutes", "H100 minutes", "within T4 10.0 min, H100 90 s"):
        assert column in lines[1]
    rows = [line for line in lines if re.match(r"0\d-", line)]
    assert len(rows) == 8 and all(row.rstrip().endswith("yes") for row in rows)
    assert cli.main(["settings", "--profile", "full", "--cost"]) == 0
    full = capsys.readouterr().out
    assert "within" not in full and "05-resnet" in full


def test_a_tooling_command_outside_the_repository_refuses_and_writes_nothing(tmp_path):
    """`results` run elsewhere once exited 0 with a book/results.md written there."""
    done = subprocess.run([sys.executable, "-m", "imgclf.course", "results"], capture_output=True,
                          text=True, cwd=tmp_path, timeout=HANG_S)
    assert done.returncode != 0
    assert "runs in the repository's root folder" in done.stderr
    assert f"cd {REPO}" in done.stderr
    assert list(tmp_path.iterdir()) == []
