"""Several processes training one model, as the tasks of a SLURM job do: two workers on this
machine, over loopback (127.0.0.1), each with the environment SLURM gives a task, each running
`python -m imgclf train --devices slurm`. On TensorFlow and on JAX.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest
from conftest import HANG_S, REPO, wait_until

from imgclf import distribute, train

# Each test names the backends it runs on: `make test-jax` leaves them to the first pass.
pytestmark = pytest.mark.backend_independent

WORKERS = 2
EPOCHS = 6


def free_ports(count: int) -> int:
    """The first of `count` consecutive ports that nothing listens on at 127.0.0.1."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count > 65535:
            continue
        try:
            for port in range(first, first + count):
                with socket.socket() as claim:
                    claim.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise RuntimeError(f"no {count} consecutive free ports on 127.0.0.1")


def slurm_environment(rank: int, port: int, backend: str) -> dict[str, str]:
    """What SLURM's srun gives task `rank` of a two-task step on one node, plus the backend."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    environment.update({
        "SLURM_JOB_ID": "4242", "SLURM_PROCID": str(rank), "SLURM_LOCALID": str(rank),
        "SLURM_NTASKS": str(WORKERS), "SLURM_STEP_NUM_TASKS": str(WORKERS),
        "SLURM_JOB_NODELIST": "127.0.0.1", "SLURM_STEP_NODELIST": "127.0.0.1",
        "SLURM_TASKS_PER_NODE": str(WORKERS), "SLURM_STEP_TASKS_PER_NODE": str(WORKERS),
        "SLURM_NNODES": "1",
        distribute.PORT_VARIABLE: str(port),
        "KERAS_BACKEND": backend, "JAX_PLATFORMS": "cpu", "CUDA_VISIBLE_DEVICES": "",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    })
    return environment


def launch(backend: str, out: Path, logs: Path) -> list[subprocess.Popen]:
    """Start both workers of one job step, each writing its output to logs/worker-N.txt."""
    port = free_ports(WORKERS)
    logs.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "imgclf", "train", "--model", "small_cnn",
               "--profile", "smoke", "--epochs", str(EPOCHS), "--devices", "slurm",
               "--out", str(out)]
    workers = []
    for rank in range(WORKERS):
        log = open(logs / f"worker-{rank}.txt", "w")  # noqa: SIM115 (closed by the process)
        workers.append(subprocess.Popen(command, cwd=REPO, stdout=log,
                                        stderr=subprocess.STDOUT,
                                        env=slurm_environment(rank, port, backend)))
        log.close()
    return workers


def epochs_logged(out: Path) -> int:
    try:
        return len(json.loads((out / "history.json").read_text()))
    except (OSError, ValueError):
        return 0


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_two_slurm_tasks_train_one_model_and_resume_after_a_kill(backend, tmp_path):
    out = tmp_path / "run"
    first = launch(backend, out, tmp_path / "first")
    try:
        # Kill one worker once an epoch is backed up, and the other with it (as SLURM ends a
        # step whose task died); the chief writes history.json after the backup.
        wait_until(lambda: epochs_logged(out) >= 1 or any(w.poll() is not None for w in first),
                   "the first epoch of the two workers")
        assert all(w.poll() is None for w in first), _logs(tmp_path / "first")
        first[1].send_signal(signal.SIGKILL)
        first[0].send_signal(signal.SIGKILL)
    finally:
        for worker in first:
            worker.kill()
            worker.wait()
    done_before = epochs_logged(out)
    assert 1 <= done_before < EPOCHS, "killed mid-run"
    assert not (out / "record.json").exists()

    second = launch(backend, out, tmp_path / "second")
    codes = [worker.wait(timeout=HANG_S) for worker in second]
    logs = _logs(tmp_path / "second")
    assert codes == [0, 0], logs

    record = json.loads((out / "record.json").read_text())
    assert record["replicas"] == WORKERS and record["processes"] == WORKERS
    assert record["epochs"] == EPOCHS, "the resumed run ends with every epoch"
    assert record["epochs_this_session"] == EPOCHS - done_before, "it resumed, not restarted"
    assert len(json.loads((out / "history.json").read_text())) == EPOCHS
    digests = {line.rsplit(" ", 1)[1] for line in logs.splitlines()
               if "weights sha256" in line}
    assert digests == {record["weights_sha256"]}, "both workers end with the same weights"
    saved = keras.saving.load_model(out / "model.keras", compile=False)
    assert train.weights_digest(saved) == record["weights_sha256"]
    assert [p.name for p in tmp_path.rglob("model.keras")] == ["model.keras"]
    assert [p.name for p in tmp_path.rglob("record.json")] == ["record.json"]
    assert not (out / "backup").exists(), "the chief removes its backup when training ends"


LATE_START = """
    import keras
    keras.ops.ones((2,)) + 1  # a device is used ...
    from imgclf import distribute
    distribute.start_workers()  # ... before the engine starts
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_starting_the_workers_after_a_device_was_used_says_what_to_do(backend):
    environment = slurm_environment(0, free_ports(1), backend)
    environment.update(SLURM_NTASKS="1", SLURM_STEP_NUM_TASKS="1",
                       SLURM_STEP_TASKS_PER_NODE="1", SLURM_TASKS_PER_NODE="1")
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(LATE_START)],
                          capture_output=True, text=True, env=environment, timeout=HANG_S)
    assert done.returncode == 1
    assert "must start before anything touches a device: call imgclf.distribute." \
           "start_workers() first" in done.stderr


TASK = {"SLURM_JOB_ID": "123", "SLURM_PROCID": "3", "SLURM_STEP_NUM_TASKS": "5",
        "SLURM_STEP_NODELIST": "gpu[07-08],login", "SLURM_STEP_TASKS_PER_NODE": "2(x2),1"}


def test_a_slurm_task_knows_its_rank_hosts_and_ports():
    task = distribute.slurm_task(TASK)
    assert (task.rank, task.size, task.chief) == (3, 5, False)
    assert task.hosts == ("gpu07", "gpu07", "gpu08", "gpu08", "login")
    assert task.port == 51230 and task.coordinator == "gpu07:51230"
    assert task.addresses() == ["gpu07:51230", "gpu07:51231", "gpu08:51230", "gpu08:51231",
                                "login:51230"]
    job_wide = {"SLURM_JOB_ID": "9", "SLURM_PROCID": "0", "SLURM_NTASKS": "2",
                "SLURM_JOB_NODELIST": "n1,n2", "SLURM_TASKS_PER_NODE": "1(x2)",
                distribute.PORT_VARIABLE: "40000"}
    task = distribute.slurm_task(job_wide)
    assert task.chief and task.hosts == ("n1", "n2") and task.port == 40000


@pytest.mark.parametrize("change, says", [
    ({"SLURM_JOB_ID": ""}, "SLURM_JOB_ID is not set"),
    ({"SLURM_PROCID": "x"}, "SLURM_PROCID must be a whole number, got 'x'"),
    ({"SLURM_PROCID": "5"}, "task 5 of 5 does not fit"),
    ({"SLURM_STEP_NUM_TASKS": "4"}, "task 3 of 4 does not fit its 5 task slots"),
    ({"SLURM_STEP_NODELIST": "gpu[07-"}, "unreadable SLURM host list hostlist='gpu[07-'"),
    ({"SLURM_STEP_TASKS_PER_NODE": "2(x)"}, "unreadable SLURM tasks per node '2(x)'"),
    ({"SLURM_STEP_TASKS_PER_NODE": "2"}, "SLURM lists 3 nodes but tasks for 1"),
    ({distribute.PORT_VARIABLE: "80"}, "IMGCLF_PORT must be a port in 1024..65530, got '80'"),
])
def test_a_broken_slurm_environment_says_what_is_wrong(change, says):
    with pytest.raises(ValueError) as error:
        distribute.slurm_task({**TASK, **change})
    assert says in str(error.value)


def test_each_process_feeds_an_equal_shard_of_the_data():
    replication = distribute.Replication(replicas=4, processes=2, process=1, feeds_shard=True)
    assert replication.shard(np.arange(7)).tolist() == [1, 3, 5]
    assert replication.batch_size(64) == 32
    single = distribute.Replication()
    assert single.shard(np.arange(7)).tolist() == list(range(7)) and single.batch_size(64) == 64
    with pytest.raises(ValueError, match="1 examples cannot be shared by 2 processes"):
        replication.shard(np.arange(1))


def _logs(folder: Path) -> str:
    return "\n".join(f"--- {path.name}\n{path.read_text()[-3000:]}"
                     for path in sorted(folder.glob("worker-*.txt")))
