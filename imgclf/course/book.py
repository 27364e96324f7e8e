"""The HTML book: staged from the executed notebooks, built by Jupyter Book with warnings as errors.

The book shows the outputs of one execution (`imgclf.course.execute.run_notebooks`); it never
executes a notebook itself. Staging puts the executed `.ipynb` where the `.md` source sits;
the page's Colab button is pointed at `colab/NN-topic.ipynb` (`imgclf.course.sphinx_fixes`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from imgclf.course.execute import notebook_sources
from imgclf.course.records import load_records, seconds_table

BOOK_INPUTS = ("_config.yml", "_toc.yml", "book")


def stage(runs_dir: Path | str, root: Path | str = ".", site: Path | str = "_build/site") -> Path:
    """Copy the book's pages and the executed notebooks of `runs_dir` into `root/site`."""
    root, runs_dir, site = Path(root), Path(runs_dir), Path(root) / site
    missing = [s.stem for s in notebook_sources(root / "notebooks")
               if not (runs_dir / f"{s.stem}.ipynb").is_file()]
    if missing:
        raise FileNotFoundError(
            f"{runs_dir} has no executed notebook for {', '.join(missing)}: execute them first "
            f"(make notebooks, or python -m imgclf run-notebooks)"
        )
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    for name in BOOK_INPUTS:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, site / name)
        else:
            shutil.copy2(source, site / name)
    (site / "notebooks").mkdir()
    for source in notebook_sources(root / "notebooks"):
        shutil.copy2(runs_dir / f"{source.stem}.ipynb", site / "notebooks" / f"{source.stem}.ipynb")
    return site


#: What `build` can make: the HTML site, or Sphinx's check of every external link.
BUILDERS = {"html": "index.html", "linkcheck": "output.txt"}


def build(runs_dir: Path | str, root: Path | str = ".", output: Path | str | None = None,
          builder: str = "html") -> Path:
    """Stage the book of `root` and build it into `output/_build/html` (`output` defaults to
    `root`; Jupyter Book writes every builder's output there); return the path of its
    index.html (html) or output.txt (linkcheck: one line per link that failed or moved).

    Warnings are errors (`-W -n --keep-going`). Raises RuntimeError when the build fails
    (for linkcheck: a broken link).
    """
    if builder not in BUILDERS:
        raise ValueError(f"builder must be one of {', '.join(BUILDERS)}, got {builder!r}")
    root = Path(root).resolve()
    output = Path(output).resolve() if output is not None else root
    site = stage(runs_dir, root, output / "_build" / "site")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(site), "--path-output", str(output),
               "--builder", builder, "-W", "-n", "--keep-going", "--all"]
    if subprocess.run(command).returncode != 0:
        raise RuntimeError(f"the book did not build ({builder}): see the warnings above")
    return output / "_build" / "html" / BUILDERS[builder]


def summary(runs_dir: Path | str, index: Path) -> str:
    """What `make book` prints at the end: the page to open and each notebook's seconds."""
    return f"{seconds_table(load_records(runs_dir))}\n\nThe book: {index}"
