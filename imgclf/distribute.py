"""Data-parallel training: the devices of one machine, or the processes of a SLURM job.

Each replica holds a copy of the model and takes a slice of every batch; gradients are averaged.

- One machine, several devices: TensorFlow's `MirroredStrategy`, JAX's
  `keras.distribution.DataParallel`.
- Several processes (`devices="slurm"`, one per SLURM task, on one node or many): TensorFlow's
  `MultiWorkerMirroredStrategy`, JAX's `keras.distribution.initialize` (which starts
  `jax.distributed`) and `DataParallel` over every device of every process.

Order matters with several processes: both engines must be set up before anything touches a
device (TensorFlow: "Collective ops must be configured at program startup"; JAX: `initialize`
before any computation). So a program calls `start_workers()` first, before it builds a
model; `python -m imgclf train --devices slurm` does. Rank 0 is the chief: it alone writes
results (`is_chief()`).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import keras
import numpy as np

from imgclf import _keras_compat

SLURM = "slurm"
#: Overrides the coordinator's port (the first of the ports the workers of a node listen on).
PORT_VARIABLE = "IMGCLF_PORT"


def local_devices(kind: str) -> list[str]:
    """The names of this machine's devices of `kind` ("gpu" or "cpu") that the backend sees.

    CPU devices are several only where they were split on purpose (TensorFlow logical devices,
    or XLA_FLAGS=--xla_force_host_platform_device_count=N for JAX): useful for tests.
    """
    if kind not in ("gpu", "cpu"):
        raise ValueError(f"device kind must be 'gpu' or 'cpu', got {kind!r}")
    backend = keras.config.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return [d.name for d in tf.config.list_logical_devices(kind.upper())]
    if backend == "jax":
        import jax

        try:
            return [f"{kind}:{d.id}" for d in jax.devices(kind)]
        except RuntimeError:  # no such platform
            return []
    return []


def choose(devices: str | list[str] = "auto") -> list[str] | str:
    """The devices to replicate over: [] means "no replication, the default device".

    `devices`: "auto" (every GPU, when there are at least two), "none", "cpu" or "gpu" (all
    local devices of that kind), "slurm" (every device of every task of this SLURM job step),
    or a list of device names.
    """
    if isinstance(devices, list):
        if not all(isinstance(d, str) and d for d in devices):
            raise TypeError(f"a list of devices must hold device names, got {devices!r}")
        return devices
    if devices == SLURM:
        slurm_task()  # fails here, with what is missing, outside a SLURM job
        return SLURM
    if devices == "none":
        return []
    if devices == "auto":
        gpus = local_devices("gpu")
        return gpus if len(gpus) > 1 else []
    if devices in ("cpu", "gpu"):
        return local_devices(devices)
    raise ValueError(f"devices must be 'auto', 'none', 'cpu', 'gpu', 'slurm' or a list of "
                     f"device names, got {devices!r}")


# --- SLURM: which task this process is, and where the others are ---------------------------


@dataclass(frozen=True)
class SlurmTask:
    """This process's place in a SLURM job step.

    Attributes:
        rank: this task's number, 0 .. size - 1 (`SLURM_PROCID`); rank 0 is the chief.
        size: the number of tasks of the step.
        hosts: the host of every task, by rank (SLURM's default block distribution: the first
            node's tasks first).
        port: the coordinator's port; the tasks of one host listen on port, port + 1, ...
    """

    rank: int
    size: int
    hosts: tuple[str, ...]
    port: int

    @property
    def chief(self) -> bool:
        return self.rank == 0

    @property
    def coordinator(self) -> str:
        """host:port of the chief, where JAX's coordination service listens."""
        return f"{self.hosts[0]}:{self.port}"

    def addresses(self) -> list[str]:
        """host:port of every task, by rank (TensorFlow's cluster)."""
        on_host: Counter[str] = Counter()
        found = []
        for host in self.hosts:
            found.append(f"{host}:{self.port + on_host[host]}")
            on_host[host] += 1
        return found


def expand_hostlist(hostlist: str) -> list[str]:
    """SLURM's compressed host list as host names: "gpu[01-03,07],login" ->
    ["gpu01", "gpu02", "gpu03", "gpu07", "login"] (zero padding kept)."""
    if not isinstance(hostlist, str):
        raise TypeError(f"hostlist must be SLURM's node list, a string, got {hostlist!r}")
    parts, depth, current = [], 0, ""
    for char in hostlist:
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    hosts = []
    unreadable = f"unreadable SLURM host list hostlist={hostlist!r}"
    for part in parts:
        match = re.fullmatch(r"([^\[\],]+)(?:\[([\d,-]+)\]([^\[\],]*))?", part)
        if not match:
            raise ValueError(f"{unreadable}: {part!r}")
        prefix, ranges, suffix = match[1], match[2], match[3] or ""
        if not ranges:
            hosts.append(prefix)
            continue
        for span in ranges.split(","):
            first, _, last = span.partition("-")
            if not first.isdigit() or (last and not last.isdigit()):
                raise ValueError(f"{unreadable}: range {span!r}")
            if last and int(last) < int(first):  # "node[3-1]" once listed no node at all
                raise ValueError(f"{unreadable}: the range {span!r} of {part!r} runs backwards "
                                 f"({first} > {last}); SLURM writes ranges low-high, e.g. "
                                 f"{prefix}[{last}-{first}]")
            for number in range(int(first), int(last or first) + 1):
                hosts.append(f"{prefix}{number:0{len(first)}d}{suffix}")
    return hosts


def expand_tasks_per_node(tasks: str) -> list[int]:
    """SLURM's tasks per node, one count per node: "2(x3),1" -> [2, 2, 2, 1]."""
    if not isinstance(tasks, str):
        raise TypeError(f"tasks must be SLURM's tasks per node, a string, got {tasks!r}")
    counts = []
    for part in tasks.split(","):
        match = re.fullmatch(r"(\d+)(?:\(x(\d+)\))?", part.strip())
        if not match:
            raise ValueError(f"unreadable SLURM tasks per node {tasks!r}: {part!r}")
        counts += [int(match[1])] * int(match[2] or 1)
    return counts


def slurm_task(environ: Mapping[str, str] | None = None) -> SlurmTask:
    """Read this task's place from SLURM's environment (`os.environ` unless given).

    Reads SLURM_JOB_ID, SLURM_PROCID, SLURM_STEP_NUM_TASKS (or SLURM_NTASKS),
    SLURM_STEP_NODELIST (or SLURM_JOB_NODELIST) and SLURM_STEP_TASKS_PER_NODE (or
    SLURM_TASKS_PER_NODE). The port is $IMGCLF_PORT, else derived from the job id, so that
    two jobs sharing a node do not collide.

    Raises:
        ValueError: outside a SLURM job, or a variable missing or unreadable.
    """
    if environ is not None and not isinstance(environ, Mapping):
        raise TypeError(f"environ must be a mapping of environment variables or None, got "
                        f"{type(environ).__name__}")
    env = os.environ if environ is None else environ

    def read(*names: str) -> str:
        for name in names:
            if env.get(name):
                return env[name]
        raise ValueError(f"devices='slurm' needs to run as a task of a SLURM job (srun): "
                         f"{' or '.join(names)} is not set")

    job = read("SLURM_JOB_ID")
    numbers = {}
    for key, names in (("rank", ("SLURM_PROCID",)),
                       ("size", ("SLURM_STEP_NUM_TASKS", "SLURM_NTASKS"))):
        text = read(*names)
        if not text.isdigit():
            raise ValueError(f"{names[0]} must be a whole number, got {text!r}")
        numbers[key] = int(text)
    rank, size = numbers["rank"], numbers["size"]
    nodes = expand_hostlist(read("SLURM_STEP_NODELIST", "SLURM_JOB_NODELIST"))
    per_node = expand_tasks_per_node(read("SLURM_STEP_TASKS_PER_NODE", "SLURM_TASKS_PER_NODE"))
    if len(per_node) != len(nodes):
        raise ValueError(f"SLURM lists {len(nodes)} nodes but tasks for {len(per_node)}")
    hosts = tuple(host for host, count in zip(nodes, per_node, strict=True)
                  for _ in range(count))
    if len(hosts) != size or not 0 <= rank < size:
        raise ValueError(f"SLURM's task {rank} of {size} does not fit its {len(hosts)} task "
                         f"slots on {', '.join(nodes)}")
    port_text = env.get(PORT_VARIABLE)
    if port_text:
        if not port_text.isdigit() or not 1024 <= int(port_text) <= 65535 - len(hosts):
            raise ValueError(f"{PORT_VARIABLE} must be a port in 1024..{65535 - len(hosts)}, "
                             f"got {port_text!r}")
        port = int(port_text)
    else:
        digits = re.sub(r"\D", "", job) or "0"
        port = 50000 + int(digits) % 1000 * 10
    return SlurmTask(rank=rank, size=size, hosts=hosts, port=port)


# --- Starting the engines of several processes ----------------------------------------------


@dataclass(frozen=True)
class Workers:
    """The started multi-process engine: this task, and TensorFlow's strategy (None on JAX)."""

    task: SlurmTask
    backend: str
    strategy: object | None = None


_started: Workers | None = None

TOO_LATE = ("the multi-worker engine must start before anything touches a device: call "
            "imgclf.distribute.start_workers() first, before building a model (python -m "
            "imgclf train --devices slurm does)")


def start_workers(environ: Mapping[str, str] | None = None) -> Workers:
    """Start the multi-process engine for this SLURM task, once per process; return it.

    TensorFlow: a `MultiWorkerMirroredStrategy` over every task's address. JAX:
    `keras.distribution.initialize` with the chief as coordinator.

    Raises:
        ValueError: outside a SLURM job (see `slurm_task`), or another backend.
        RuntimeError: called after a device was used, or a worker could not be reached.
    """
    global _started
    if _started is not None:
        return _started
    task = slurm_task(environ)
    backend = keras.config.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = len(tf.config.list_physical_devices("GPU"))
        resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
            tf.train.ClusterSpec({"worker": task.addresses()}), task_type="worker",
            task_id=task.rank, num_accelerators={"GPU": gpus}, rpc_layer="grpc")
        try:
            strategy = tf.distribute.MultiWorkerMirroredStrategy(cluster_resolver=resolver)
        except (RuntimeError, ValueError) as error:
            raise RuntimeError(f"{TOO_LATE} ({error})") from None
        _started = Workers(task, backend, strategy)
    elif backend == "jax":
        try:
            keras.distribution.initialize(task.coordinator, task.size, task.rank)
        except RuntimeError as error:
            raise RuntimeError(f"{TOO_LATE} ({error})") from None
        _started = Workers(task, backend)
    else:
        raise ValueError(f"several processes need TensorFlow or JAX, not {backend}")
    return _started


def started() -> Workers | None:
    """The engine `start_workers` started in this process, or None."""
    return _started


def is_chief() -> bool:
    """Whether this process writes results: always, unless it is a worker other than rank 0."""
    return _started is None or _started.task.chief


# --- Replication ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replication:
    """How a model is being replicated, for the training loop.

    Attributes:
        replicas: model copies in all (1: none).
        processes, process: how many processes take part, and which one this is.
        feeds_shard: whether this process must feed only its own shard of the data, with
            batches of batch_size / processes (JAX with several processes); TensorFlow's
            strategies split whole batches themselves.
        synchronize_batch_norm: whether BatchNormalization must be told to use the whole
            batch's statistics (TensorFlow: each replica otherwise keeps moving statistics of
            its own slice, and the workers' weights drift apart). JAX's DataParallel computes
            on the global batch anyway.
    """

    replicas: int = 1
    processes: int = 1
    process: int = 0
    feeds_shard: bool = False
    synchronize_batch_norm: bool = False

    def shard(self, array: np.ndarray) -> np.ndarray:
        """This process's share of `array` (N, ...): every `processes`-th element from
        `process` on, all shards of one length (so every process runs as many steps)."""
        if not self.feeds_shard:
            return array
        length = len(array) // self.processes
        if length == 0:
            raise ValueError(f"{len(array)} examples cannot be shared by {self.processes} "
                             f"processes")
        return array[self.process::self.processes][:length]

    def batch_size(self, global_batch_size: int) -> int:
        """The batch this process feeds per step, for a global batch of `global_batch_size`."""
        return global_batch_size // self.processes if self.feeds_shard else global_batch_size


@contextlib.contextmanager
def replicated(devices: list[str] | str) -> Iterator[Replication]:
    """Within this context, models are built and trained data-parallel over `devices`
    (a result of `choose`). Yields the `Replication`.
    """
    if devices != SLURM and not (isinstance(devices, list)
                                 and all(isinstance(d, str) for d in devices)):
        raise TypeError(f"devices must be what imgclf.distribute.choose(...) returns (a list "
                        f"of device names, or 'slurm'), got {devices!r}")
    if devices != SLURM and len(devices) < 2:
        yield Replication()
        return
    backend = keras.config.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        if devices == SLURM:
            workers = start_workers()
            with workers.strategy.scope(), _keras_compat.multi_worker_fixes():
                yield Replication(workers.strategy.num_replicas_in_sync, workers.task.size,
                                  workers.task.rank, synchronize_batch_norm=True)
        else:
            strategy = tf.distribute.MirroredStrategy(devices)
            with strategy.scope():
                yield Replication(strategy.num_replicas_in_sync, synchronize_batch_norm=True)
    elif backend == "jax":
        replication = Replication(len(devices))
        if devices == SLURM:
            workers = start_workers()
            devices = keras.distribution.list_devices()
            replication = Replication(len(devices), workers.task.size, workers.task.rank,
                                      feeds_shard=workers.task.size > 1)
        distribution = keras.distribution.DataParallel(devices=devices)
        # Every process feeds its own shard (Replication.shard): Keras only shards tf.data.
        distribution.auto_shard_dataset = False
        previous = keras.distribution.distribution()
        keras.distribution.set_distribution(distribution)
        try:
            yield replication
        finally:
            keras.distribution.set_distribution(previous)
    else:
        raise ValueError(f"data-parallel training needs TensorFlow or JAX, not {backend}")
