"""scripts/gpu-run.sh's plumbing: parts chosen, the card described, the output packed.

Its notebooks and benchmarks are the runner's and the benchmarks' own code, tested elsewhere;
executing them here again would be a second pass over the notebooks.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile

import pytest
from conftest import HANG_S, REPO

pytestmark = pytest.mark.backend_independent


def test_gpu_script_describes_the_card_and_packs_its_output(tmp_path):
    (tmp_path / "scripts").mkdir()
    script = shutil.copy(REPO / "scripts" / "gpu-run.sh", tmp_path / "scripts")
    out, archive = tmp_path / "out", tmp_path / "gpu-run.tar.gz"
    done = subprocess.run(["bash", script], capture_output=True, text=True, timeout=HANG_S,
                          env={"PATH": "/usr/bin:/bin", "OUT": str(out),
                               "ARCHIVE": str(archive), "PARTS": "none"})
    assert done.returncode == 0, done.stderr
    described = (out / "gpu.txt").read_text()
    assert "no nvidia-smi: not a GPU machine" in described or "MiB" in described
    assert "gpu-run: every part passed" in done.stdout
    with tarfile.open(archive) as packed:
        assert "out/gpu.txt" in packed.getnames()
