"""Colab, imitated: every chapter run as a learner's *Run all* runs it.

`run_chapters` is `make test`'s one execution of the chapters: each chapter's MyST source,
solutions included, in the environment described below, through the course's runner
(papermill, run records, expected ranges); `checked_differences` then compares its checked
cells with the Colab notebook's committed outputs as nbval would. `check` is `make
test-nbval`: nbval on the Colab notebooks themselves, solutions unrun. For each of
`colab/NN-topic.ipynb` (or chapter):

- the environment is Colab's: Python 3.13 with Colab's published versions of TensorFlow,
  Keras, NumPy, matplotlib and the rest (`requirements/colab.txt`, installed by `make
  test-nbval` into `.venv-colab`, `check_stack` checks them). A fresh virtual environment sees
  those packages through one `.pth` line, but not an `imgclf` (a `.pth` line adds a folder,
  not the `.pth` files inside it). Unlike Colab, it holds a setuptools >= 77 for pip to build
  imgclf with: Colab's pip fetches one from PyPI, and the imitation has no package index;
- `google.colab` is importable and imported at start-up (a stand-in module), so the notebook's
  install cell runs, as it does in Colab and nowhere else;
- the repository is a clone of the working tree, committed, and the install cell's requirement
  points at it (`imgclf @ git+file://localhost/<clone>@<commit>`): pip builds imgclf from it and
  installs it plain, not editable, into the environment, with no package index;
- the notebook is copied to a folder outside the repository and executed top to bottom in the
  smoke profile by nbval, which compares the outputs of the cells tagged `nbval-check-output`
  with the committed ones. Solutions, folded into markdown, do not run, as in Colab.

Afterwards the environment's `imgclf` must be the plain install of the clone's commit.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from imgclf.course import colabstack
from imgclf.course.colab import FOLDER
from imgclf.course.pairs import CHECKED_TAG, tags
from imgclf.course.repository import INSTALL, configured

STAND_IN = '"""A stand-in for Colab\'s module: its presence says "this runs in Colab"."""\n'


@dataclass(frozen=True)
class ColabLike:
    """A prepared imitation: the environment's Python, the clone, and the install requirement."""

    python: Path
    clone: Path
    commit: str
    requirement: str


def _git(*args, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"git {' '.join(args)} failed in {cwd}: {done.stderr.strip()}")
    return done.stdout


def clone_working_tree(root: Path, destination: Path) -> tuple[Path, str]:
    """A git clone of `root` with its working tree's changes committed on top (tracked and
    untracked files that git does not ignore): what pip installs is what is being tested.
    Returns (the clone, its commit)."""
    clone = destination / "repository"
    _git("clone", "-q", "--no-hardlinks", str(root), str(clone), cwd=destination)
    listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=root)
    for name in filter(None, listed.split("\0")):
        source, target = root / name, clone / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        elif target.exists():  # deleted in the working tree
            target.unlink()
    _git("add", "-A", cwd=clone)
    if _git("status", "--porcelain", cwd=clone).strip():
        _git("-c", "user.name=imgclf tests", "-c", "user.email=tests@imgclf.invalid",
             "commit", "-q", "-m", "the working tree under test", cwd=clone)
    return clone, _git("rev-parse", "HEAD", cwd=clone).strip()


def _site_folders(python: Path | str) -> list[str]:
    done = subprocess.run([str(python), "-c", "import sysconfig, json; p = sysconfig.get_paths()"
                           "; print(json.dumps(sorted({p['purelib'], p['platlib']})))"],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def environment(destination: Path, stack: Path | None = None) -> Path:
    """A virtual environment over the packages of `stack` (a Python whose environment holds
    Colab's versions, `make test-nbval`'s `.venv-colab`), or of this environment when None:
    without their imgclf, on the same Python, with `google.colab` imported at start-up.
    Returns its Python."""
    folder = destination / "env"
    base = stack or sys.executable
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    site = Path(_site_folders(python)[0])
    (site / "course-environment.pth").write_text("\n".join(_site_folders(base)) + "\n")
    stand_in = site / "google" / "colab"
    stand_in.mkdir(parents=True)
    (stand_in / "__init__.py").write_text(STAND_IN)
    (site / "zz-google-colab.pth").write_text("import google.colab\n")
    return python


def prepare(root: Path, work: Path, stack: Path | None = None) -> ColabLike:
    """The environment (over `stack`'s packages, see `environment`), the clone and the
    requirement, in the empty folder `work`."""
    work.mkdir(parents=True, exist_ok=True)
    clone, commit = clone_working_tree(root, work)
    python = environment(work, stack)
    return ColabLike(python, clone, commit, f"imgclf @ git+file://localhost{clone}@{commit}")


def _pointed_at_clone(text: str, sources: list[str], where: Path, named,
                      colab: ColabLike) -> str:
    """`text` (a notebook's, or its MyST source's) with the requirement of its install cell,
    found in `sources` (its cells' code), replaced by the clone's.

    Raises:
        ValueError: no install cell that installs the repository that `_config.yml` names, at
            its release tag (`repository.release`).
    """
    found = next(filter(None, map(INSTALL.search, sources)), None)
    if not found or not found[0].startswith(f"imgclf @ git+{named.url}@") or \
            (named.pin and found["ref"] != named.pin):
        raise ValueError(f"{where} does not install {named.install!r}: run make sync")
    return text.replace(found[0], colab.requirement)


def copy_notebooks(root: Path, colab: ColabLike, destination: Path) -> list[Path]:
    """The Colab notebooks, copied to `destination` with the install cell's requirement
    pointing at the clone.

    Raises:
        ValueError: a notebook whose install cell does not install the repository that
            `_config.yml` names, at its release tag (`repository.release`).
    """
    named = configured(root)
    destination.mkdir(parents=True, exist_ok=True)
    copies = []
    for notebook in sorted((root / FOLDER).glob("[0-9][0-9]-*.ipynb")):
        text = notebook.read_text()
        sources = ["".join(cell["source"]) for cell in json.loads(text).get("cells", [])]
        copy = destination / notebook.name
        copy.write_text(_pointed_at_clone(text, sources, notebook, named, colab))
        copies.append(copy)
    if not copies:
        raise FileNotFoundError(f"no Colab notebooks in {root / FOLDER}: run make sync")
    return copies


def copy_chapters(root: Path, colab: ColabLike, destination: Path) -> Path:
    """The chapters' MyST sources (`notebooks/NN-topic.md`, solutions included) and their
    expected ranges, copied to `destination` with the install cell's requirement pointing at
    the clone: what `execute.run_notebooks` runs in the environment. Returns `destination`.

    Raises:
        ValueError: as `copy_notebooks`.
    """
    from imgclf.course.execute import notebook_sources

    named = configured(root)
    destination.mkdir(parents=True, exist_ok=True)
    for source in notebook_sources(root / "notebooks"):
        text = source.read_text()
        (destination / source.name).write_text(
            _pointed_at_clone(text, [text], source, named, colab))
    shutil.copy2(root / "notebooks" / "expected.toml", destination / "expected.toml")
    return destination


def kernel(colab: ColabLike, folder: Path) -> str:
    """The environment's Python as a Jupyter kernel, "imgclf-colab-like", in `folder/kernels`:
    with `folder` on `$JUPYTER_PATH`, papermill starts it by that name. Returns the name."""
    name = "imgclf-colab-like"
    spec = folder / "kernels" / name
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(colab.python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (Colab-like)", "language": "python"}))
    return name


def environment_variables(pythonpath: tuple[Path, ...] = ()) -> dict[str, str]:
    """The environment a Colab-like kernel runs in: this process's, less what would let it
    see this environment's packages (`$PYTHONPATH` becomes `pythonpath`, e.g. a folder whose
    sitecustomize blocks the network), in the smoke profile, and with pip told to find every
    dependency installed, as in Colab, with no package index."""
    variables = {key: value for key, value in os.environ.items()
                 if key not in ("PYTHONPATH", "VIRTUAL_ENV", "IMGCLF_DATASET")}
    variables.update({
        "IMGCLF_PROFILE": "smoke",
        "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    })
    if pythonpath:
        variables["PYTHONPATH"] = os.pathsep.join(map(str, pythonpath))
    return variables


def run_chapters(root: Path | str, work: Path | str, out: Path | str,
                 stack: Path | None = None,
                 pythonpath: tuple[Path, ...] = ()) -> tuple[ColabLike, list[dict]]:
    """Every chapter executed once in the smoke profile, as in Colab: in the Colab-like
    environment over `stack`'s packages (this environment's when None), whose install cell
    installs imgclf from a clone of the working tree, from a folder outside the repository.
    `make test` reads this one execution for everything: the run records and expected ranges,
    the book and the browser, and the checked outputs of the Colab notebooks
    (`checked_differences`), whose code cells are these chapters' outside the solutions
    (`colab.convert`). The executed notebooks and records go to `out` (see
    `execute.run_notebooks`). Returns the environment and the records."""
    from imgclf.course.execute import environment, run_notebooks

    root, work = Path(root).resolve(), Path(work).resolve()
    if work.is_relative_to(root):
        raise ValueError(f"{work} is inside the repository; Colab's folder is not")
    colab = prepare(root, work, stack)
    folder = copy_chapters(root, colab, work / "notebooks")
    name = kernel(colab, work / "jupyter")
    variables = environment_variables(pythonpath)
    variables["JUPYTER_PATH"] = os.pathsep.join(
        filter(None, [str(work / "jupyter"), os.environ.get("JUPYTER_PATH")]))
    cleared = {key: "" for key in ("PYTHONPATH", "VIRTUAL_ENV", "IMGCLF_DATASET")
               if key in os.environ and key not in variables}
    with environment({**variables, **cleared}):
        records = run_notebooks("smoke", out, folder=folder, kernel=name, reuse=False)
    return colab, records


def checked_differences(executed: dict, committed: dict) -> list[str]:
    """How the outputs of the cells tagged `nbval-check-output` in `executed` (a chapter's
    executed notebook, nbformat JSON) differ from those committed in `committed` (its Colab
    notebook), compared as `nbval --nbval-lax` compares them: streams coalesced, images,
    metadata and execution counts left out. Cells are matched by their source. An empty list
    means they agree."""
    import copy

    import nbformat
    from nbformat.v4.rwbase import rejoin_lines
    from nbval.plugin import coalesce_streams, transform_streams_for_comparison

    skipped = {"metadata", "traceback", "prompt_number", "output_type", "name",
               "execution_count", "application/vnd.jupyter.widget-view+json",
               "image/png", "image/jpeg"}

    def flattened(outputs: list) -> dict[str, list]:
        found: dict[str, list] = {}
        for output in transform_streams_for_comparison(coalesce_streams(outputs)):
            for key, value in output.items():
                if key == "data":
                    for kind, data in value.items():
                        if kind not in skipped:
                            found.setdefault(kind, []).append(data)
                elif key not in skipped:
                    found.setdefault(key, []).append(value)
        return found

    def checked(notebook: dict) -> dict[str, list]:
        # As nbformat reads a file: multi-line strings stored as lists of lines joined.
        read = rejoin_lines(nbformat.from_dict(copy.deepcopy(notebook)))
        return {cell.source.strip(): cell.outputs for cell in read.cells
                if cell.cell_type == "code" and CHECKED_TAG in tags(cell)}

    ran, wanted = checked(executed), checked(committed)
    differences = [f"a checked cell of the Colab notebook did not run: {source[:80]!r}"
                   for source in wanted if source not in ran]
    for source, outputs in wanted.items():
        if source in ran and flattened(ran[source]) != flattened(outputs):
            differences.append(f"the outputs of {source[:80]!r} differ: "
                               f"{flattened(ran[source])} against {flattened(outputs)}")
    return differences


def stack_versions(python: Path | str) -> dict[str, str]:
    """Python's version and those of `colabstack.WATCHED` in the environment of `python`."""
    probe = ("import json, platform; from importlib import metadata; "
             f"names = {list(colabstack.WATCHED)!r}; "
             "print(json.dumps({'python': platform.python_version(), **{n: metadata.version(n) "
             "for n in names}}))")
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{python} lacks one of {', '.join(colabstack.WATCHED)}: "
                           f"{done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def check_stack(root: Path, stack: Path) -> str:
    """One line naming the stack's versions; raises RuntimeError unless they are those of
    `requirements/colab.txt` (Python: the same minor version)."""
    wanted = colabstack.pins((root / colabstack.REQUIREMENTS).read_text())
    published = colabstack.published((root / colabstack.REQUIREMENTS).read_text())
    found = stack_versions(stack)
    wrong = [f"{name} {found[name]} (Colab: {wanted[name]})" for name in colabstack.WATCHED
             if found[name] != wanted[name]]
    if not found["python"].startswith(colabstack.PYTHON + "."):
        wrong.append(f"Python {found['python']} (Colab: {published['python']})")
    if wrong:
        raise RuntimeError(f"{stack} is not Colab's stack of {colabstack.REQUIREMENTS}: "
                           f"{', '.join(wrong)}; make test-nbval reinstalls it")
    return (f"Colab's stack ({colabstack.REQUIREMENTS}, published {published['date']}): Python "
            f"{found['python']} (Colab: {published['python']}), "
            + ", ".join(f"{name} {found[name]}" for name in colabstack.WATCHED))


def check(root: Path | str, work: Path | str, stack: Path | None = None) -> str:
    """Run every Colab notebook as Colab would (module docstring) in the empty folder `work`,
    over the packages of `stack` (Colab's versions, `check_stack`), or of this environment
    when None.

    Raises:
        RuntimeError: a notebook failed, a checked output differs, or the environment's
            imgclf is not the plain install of the clone's commit.
    """
    root, work = Path(root).resolve(), Path(work).resolve()
    if work.is_relative_to(root):
        raise ValueError(f"{work} is inside the repository; Colab's folder is not")
    stack_line = check_stack(root, stack) if stack else \
        "this environment's own versions (not Colab's: no --stack given)"
    print(stack_line, flush=True)
    colab = prepare(root, work, stack)
    copies = copy_notebooks(root, colab, work / "notebooks")
    variables = environment_variables()
    command = [str(colab.python), "-m", "pytest", "--nbval-lax", "--nbval-current-env",
               "-p", "no:cacheprovider", "-q", *map(str, copies)]
    print("Colab-like nbval: " + " ".join(command[1:]), flush=True)
    done = subprocess.run(command, cwd=work / "notebooks", env=variables)
    if done.returncode:
        raise RuntimeError(f"the Colab notebooks did not run as in Colab, or their checked "
                           f"outputs differ (pytest exit status {done.returncode})")
    return "\n".join([stack_line, installed(colab, variables),
                      told_without_gpu(colab, variables)])


def told_without_gpu(colab: ColabLike, environment_variables: dict) -> str:
    """What the install cell's last line says on a CPU-only runtime, with the GPU hidden as
    Colab's CPU runtime has none; raises RuntimeError unless it says so and how to switch."""
    hidden = {**environment_variables, "CUDA_VISIBLE_DEVICES": "-1"}
    done = subprocess.run([str(colab.python), "-c", "from imgclf import profiles; "
                           "print(profiles.runtime_report())"], capture_output=True, text=True,
                          env=hidden, cwd=colab.python.parent)
    line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if done.returncode or "No GPU in this runtime" not in line or \
            "Change runtime type" not in line:
        raise RuntimeError(f"on a runtime without a GPU, the install cell does not say so and "
                           f"how to get one: {line or done.stderr[-1000:]}")
    return f"Colab-like, GPU hidden: the install cell says {line!r}"


def installed(colab: ColabLike, environment_variables: dict) -> str:
    """Where the environment's imgclf comes from; raises RuntimeError unless it is a plain
    install of the clone's commit."""
    probe = ("import imgclf, json; from importlib import metadata; "
             "d = metadata.distribution('imgclf'); "
             "print(json.dumps([imgclf.__file__, d.read_text('direct_url.json')]))")
    done = subprocess.run([str(colab.python), "-c", probe], capture_output=True, text=True,
                          env=environment_variables, cwd=colab.python.parent)
    if done.returncode:
        raise RuntimeError(f"imgclf does not import in the Colab-like environment: "
                           f"{done.stderr[-1000:]}")
    location, direct_url = json.loads(done.stdout)
    origin = json.loads(direct_url or "{}")
    commit = origin.get("vcs_info", {}).get("commit_id")
    if not Path(location).is_relative_to(colab.python.parent.parent) or commit != colab.commit \
            or origin.get("dir_info", {}).get("editable"):
        raise RuntimeError(f"the environment's imgclf is {location} ({direct_url}), not a "
                           f"plain install of {colab.clone} at {colab.commit}")
    return (f"Colab-like: every Colab notebook ran in the smoke profile, imgclf installed by its "
            f"install cell from {origin.get('url')} at {commit[:12]} into {location}")
