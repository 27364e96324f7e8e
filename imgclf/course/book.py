"""The HTML book: staged from the executed notebooks, built by Jupyter Book with warnings as errors.

The book shows the outputs of one execution (`imgclf.course.execute.run_notebooks`); it never
executes a notebook itself. Staging puts the executed `.ipynb` where the `.md` source sits,
made ready for the page (`for_the_page`: papermill's injected parameters cell removed, each
figure's caption as its image's alt text); the page's Colab button is pointed at
`colab/NN-topic.ipynb` (`imgclf.course.sphinx_fixes`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from imgclf.course.execute import notebook_sources
from imgclf.course.records import load_records, seconds_table
from imgclf.course.solutions import without_solutions

BOOK_INPUTS = ("_config.yml", "_toc.yml", "book")
#: The tag papermill gives the cell it injects with a run's parameters.
INJECTED = "injected-parameters"


def for_the_page(notebook: dict) -> dict:
    """An executed notebook (nbformat JSON) as its page shows it: papermill's injected
    parameters cell removed from the page (the chapter's own parameters cell stays; Colab's
    edition never has the injected one), and every figure's image given its caption as alt
    text, which a screen reader reads instead of the image's file name. (A copy of the whole
    notebook in papermill's metadata, from runs of an older runner, is dropped.)"""
    papermill = notebook.get("metadata", {}).get("papermill", {})
    if not isinstance(papermill.get("input_path", ""), str):  # a run from before the runner
        del papermill["input_path"]  # stopped papermill keeping a copy of the notebook there
    for cell in notebook["cells"]:
        metadata = cell.setdefault("metadata", {})
        tags = metadata.setdefault("tags", [])
        if INJECTED in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
        caption = metadata.get("mystnb", {}).get("figure", {}).get("caption")
        if caption:
            image = metadata["mystnb"].setdefault("image", {})
            image.setdefault("alt", re.sub(r"\s+", " ", caption).strip())
    return notebook


def stage(runs_dir: Path | str, root: Path | str = ".", site: Path | str = "_build/site",
          student: bool = False) -> Path:
    """Copy the book's pages and the executed notebooks of `runs_dir` into `root/site`; for
    the `student` edition, without the solutions."""
    root, runs_dir, site = Path(root), Path(runs_dir), Path(root) / site
    missing = [s.stem for s in notebook_sources(root / "notebooks")
               if not (runs_dir / f"{s.stem}.ipynb").is_file()]
    if missing:
        raise FileNotFoundError(
            f"{runs_dir} has no executed notebook for {', '.join(missing)}: execute them first "
            f"(make notebooks, or python -m imgclf.course run-notebooks)"
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
        executed = for_the_page(json.loads((runs_dir / f"{source.stem}.ipynb").read_text()))
        if student:
            executed = without_solutions(executed)
        (site / "notebooks" / f"{source.stem}.ipynb").write_text(json.dumps(executed, indent=1))
    return site


#: What `build` can make: the HTML site, or Sphinx's check of every external link.
BUILDERS = {"html": "index.html", "linkcheck": "output.txt"}


def build(runs_dir: Path | str, root: Path | str = ".", output: Path | str | None = None,
          builder: str = "html", student: bool = False) -> Path:
    """Stage the book of `root` and build it into `output/_build/html` (`output` defaults to
    `root`; Jupyter Book writes every builder's output there); return the path of its
    index.html (html) or output.txt (linkcheck: one line per link that failed or moved).
    The `student` edition leaves the solutions out (`imgclf.course.solutions`).

    Warnings are errors (`-W -n --keep-going`). Raises RuntimeError when the build fails
    (for linkcheck: a broken link).
    """
    if builder not in BUILDERS:
        raise ValueError(f"builder must be one of {', '.join(BUILDERS)}, got {builder!r}")
    root = Path(root).resolve()
    output = Path(output).resolve() if output is not None else root
    site = stage(runs_dir, root, output / "_build" / "site", student=student)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(site), "--path-output", str(output),
               "--builder", builder, "-W", "-n", "--keep-going", "--all"]
    if subprocess.run(command).returncode != 0:
        raise RuntimeError(f"the book did not build ({builder}): see the warnings above")
    return output / "_build" / "html" / BUILDERS[builder]


#: Where `make student` puts the student edition: the HTML under _build/html, the Colab
#: notebooks under colab/.
STUDENT = Path("_build") / "student"


def build_student(runs_dir: Path | str, root: Path | str = ".") -> Path:
    """The student edition: the HTML book and the Colab notebooks without the solutions, in
    `root/STUDENT`; the exercises keep their self-checks (`imgclf.check`), which need no
    solution. Returns the path of its index.html."""
    import nbformat

    from imgclf.course import colab

    root = Path(root).resolve()
    output = root / STUDENT
    index = build(runs_dir, root, output, student=True)
    (output / "colab").mkdir(exist_ok=True)
    for source in notebook_sources(root / "notebooks"):
        notebook = colab.convert(source, root, solutions=False)
        (output / "colab" / f"{source.stem}.ipynb").write_text(nbformat.writes(notebook) + "\n")
    return index


def summary(runs_dir: Path | str, index: Path) -> str:
    """What `make book` prints at the end: the page to open and each notebook's seconds."""
    return f"{seconds_table(load_records(runs_dir))}\n\nThe book: {index}"
