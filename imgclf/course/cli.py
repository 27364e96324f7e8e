"""`python -m imgclf.course`: the course's tooling, run in a clone of the repository: execute
the notebooks, build the book, sync the notebook pairs and the Colab notebooks, keep runs and
render the results page, measure the seeds' spread, check and release.

The learners' own commands (download, train, weights, settings) are `python -m imgclf`'s.
Each command here has one small function that adds its parser and one that runs it.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from imgclf import atomic, data, profiles
from imgclf._command import positive, run_command

PROG = "python -m imgclf.course"
#: The file that marks the repository's root folder.
CONFIG = "_config.yml"


def _in_the_repository() -> None:
    """The tooling reads and writes the repository's files by their relative paths: run
    anywhere else, `results` once wrote a book/results.md into the current folder."""
    if not (Path(CONFIG).is_file() and Path("notebooks").is_dir()):
        root = Path(__file__).resolve().parents[2]
        where = f": cd {root}" if (root / CONFIG).is_file() else ""
        raise RuntimeError(f"the course's tooling runs in the repository's root folder (the one "
                           f"with {CONFIG} and notebooks/), not in {Path.cwd()}{where}")


def _runs_dir(args) -> Path:
    return Path(args.out or Path("_build/runs") / profiles.resolve(args.profile).profile)


def _add_runs(command: argparse.ArgumentParser) -> None:
    command.add_argument("--profile", default="auto", choices=profiles.CHOICES)
    command.add_argument("--out", type=Path,
                         help="executed notebooks and records (default _build/runs/PROFILE)")


def _add_notebooks(command: argparse.ArgumentParser, what: str = "notebooks") -> None:
    command.add_argument("--notebooks", type=Path, default=Path("notebooks"))
    command.add_argument("--only", nargs="+", metavar="NN",
                         help=f"only the {what} whose names start with these")


# --- run-notebooks --------------------------------------------------------------------------

def _run_notebooks(args) -> str:
    from imgclf.course.execute import nbval_check, run_notebooks
    from imgclf.course.records import seconds_table

    out = _runs_dir(args)
    records = run_notebooks(args.profile, out, folder=args.notebooks, only=args.only,
                            dataset=args.dataset, reuse=not args.fresh)
    report = f"{seconds_table(records)}\n\nExecuted notebooks and run records: {out}"
    if args.nbval:
        print(report, flush=True)
        nbval_check(args.notebooks)
        return "nbval: the committed notebooks reproduce their checked outputs."
    return report


def _run_notebooks_parser(commands) -> None:
    command = commands.add_parser("run-notebooks", help="execute every notebook with papermill",
                                  description="execute every notebook with papermill")
    _add_runs(command)
    _add_notebooks(command)
    command.add_argument("--dataset", choices=data.names(),
                         help="instead of the profile's data set")
    command.add_argument("--nbval", action="store_true",
                         help="then check the committed notebooks with nbval")
    command.add_argument("--fresh", action="store_true",
                         help="execute every notebook, even those that finished earlier with "
                              "the same inputs")
    command.set_defaults(run=_run_notebooks)


# --- build-book -----------------------------------------------------------------------------

def _build_book(args) -> str:
    from imgclf.course import book

    runs = _runs_dir(args)
    if args.student:
        built = book.build_student(runs)
        return f"{book.summary(runs, built)}\nIts Colab notebooks: {built.parents[2] / 'colab'}"
    built = book.build(runs, builder=args.builder)
    return book.summary(runs, built) if args.builder == "html" else f"linkcheck: {built}"


def _build_book_parser(commands) -> None:
    command = commands.add_parser("build-book",
                                  help="build the HTML book from executed notebooks",
                                  description="build the HTML book from executed notebooks")
    _add_runs(command)
    command.add_argument("--builder", default="html", choices=("html", "linkcheck"),
                         help="the HTML site (default), or Sphinx's check of every external "
                              "link")
    command.add_argument("--student", action="store_true",
                         help="the student edition, without the solutions (HTML and Colab "
                              "notebooks, in _build/student)")
    command.set_defaults(run=_build_book)


# --- sync-notebooks -------------------------------------------------------------------------

def _sync_notebooks(args) -> str:
    from imgclf.course import colab
    from imgclf.course.execute import notebook_sources
    from imgclf.course.pairs import sync

    runs = _runs_dir(args)
    lines = []
    for source in notebook_sources(args.notebooks, args.only):
        lines.append(f"wrote {sync(source, runs / f'{source.stem}.ipynb')} (reference "
                     f"outputs from {runs})")
        lines.append(f"wrote {colab.write(source, args.notebooks.resolve().parent)} (for Colab)")
    return "\n".join(lines)


def _sync_notebooks_parser(commands) -> None:
    what = ("rewrite each .ipynb from its .md, with the reference outputs of its checked cells "
            "taken from executed notebooks, and its Colab notebook (colab/NN-topic.ipynb)")
    command = commands.add_parser("sync-notebooks", help=what, description=what)
    _add_runs(command)
    _add_notebooks(command)
    command.set_defaults(run=_sync_notebooks)


# --- noise ----------------------------------------------------------------------------------

def _noise(args) -> str:
    from imgclf.course import noise

    written = noise.measure(args.profile, list(range(args.seeds)), folder=args.notebooks,
                            only=args.only, dataset=args.dataset, fresh=args.fresh)
    return "wrote the seed records:\n  " + "\n  ".join(map(str, written))


def _noise_parser(commands) -> None:
    command = commands.add_parser(
        "noise", help="measure the seed-to-seed spread of the chapters' comparisons",
        description="Execute every chapter that compares something in the profile (an order "
                    "or compare list in notebooks/expected.toml) once per seed, and write one "
                    "seed record per chapter into imgclf/spread/PROFILE/DATASET/, which the "
                    "chapters' sentences and the expected-results check read. Finished seeds "
                    "are kept in _build/noise/ and reused unless --fresh.")
    command.add_argument("--profile", default="auto", choices=profiles.CHOICES)
    command.add_argument("--dataset", choices=data.names(), help="instead of the profile's")
    command.add_argument("--seeds", type=positive, default=3,
                         help="how many seeds, 0 to N-1 (at least 3; default 3)")
    _add_notebooks(command, "chapters")
    command.add_argument("--fresh", action="store_true", help="run every seed again")
    command.set_defaults(run=_noise)


# --- results --------------------------------------------------------------------------------

def _results(args) -> str:
    from imgclf.course import results

    lines = []
    if args.keep:
        runs = Path(args.runs or Path("_build/runs") / args.keep)
        lines.append(f"kept the records of {runs} in {results.keep(runs, args.keep)}")
    lines.append(f"wrote {results.write()}")
    return "\n".join(lines)


def _results_parser(commands) -> None:
    command = commands.add_parser(
        "results", help="render book/results.md from the kept run records",
        description="Render book/results.md from the run records kept in book/results/. With "
                    "--keep PROFILE, first replace that profile's kept records with a run's.")
    command.add_argument("--keep", choices=profiles.PROFILES,
                         help="keep this profile's latest run records first")
    command.add_argument("--runs", type=Path,
                         help="where that run's records are (default _build/runs/PROFILE)")
    command.set_defaults(run=_results)


# --- repository and release -----------------------------------------------------------------

def _repository(args) -> str:
    from imgclf.course import repository

    named = repository.configured()
    lines = [f"the repository (_config.yml): {named.url}, ref {named.ref}"]
    if args.apply:
        lines += [f"rewrote {path}" for path in repository.apply()]
    found = repository.disagreements()
    if found:
        raise RuntimeError("these places disagree with _config.yml's repository section "
                           f"({PROG} repository --apply rewrites them):\n  "
                           + "\n  ".join(found))
    return "\n".join([*lines, "every place that names the repository agrees with it"])


def _repository_parser(commands) -> None:
    command = commands.add_parser(
        "repository", help="the repository _config.yml names, and the places derived from it",
        description="Print the repository and ref that _config.yml's repository section names, "
                    "and check every place derived from it (install cells, links, the "
                    "package's REPOSITORY, pyproject's URLs, the release tag); --apply "
                    "rewrites them first.")
    command.add_argument("--apply", action="store_true",
                         help="rewrite the derived places from _config.yml first")
    command.set_defaults(run=_repository)


def _release(args) -> str:
    from imgclf.course import repository

    tag = repository.release()
    return (f"tagged {tag}: the install cells install it once it is pushed "
            f"(git push origin {tag})")


def _release_parser(commands) -> None:
    command = commands.add_parser(
        "release", help="tag the commit the install cells pin (make release)",
        description="Tag the current commit v + imgclf.__version__, the release every install "
                    "cell installs, after checking that the working tree is committed, that "
                    "every pin agrees and that the tag is new.")
    command.set_defaults(run=_release)


# --- checks of the notebooks and of Colab's stack -------------------------------------------

def _check_notebooks(args) -> str:
    from imgclf.course.execute import nbval_check

    nbval_check(args.notebooks)
    return "nbval: the committed notebooks reproduce their checked outputs."


def _check_notebooks_parser(commands) -> None:
    command = commands.add_parser(
        "check-notebooks", help="nbval: the committed notebooks' checked outputs reproduce",
        description="Re-execute the committed notebooks in the smoke profile with nbval and "
                    "compare the outputs of the cells tagged nbval-check-output.")
    command.add_argument("--notebooks", type=Path, default=Path("notebooks"))
    command.set_defaults(run=_check_notebooks)


def _check_colab(args) -> str:
    import tempfile

    from imgclf.course import colablike

    work = Path(tempfile.mkdtemp(prefix="imgclf-colab-"))
    report = colablike.check(Path.cwd(), work, args.stack)
    shutil.rmtree(work, ignore_errors=True)  # reached on success only: a failure leaves it to read
    return report


def _check_colab_parser(commands) -> None:
    command = commands.add_parser(
        "check-colab", help="run every Colab notebook as Colab would, with nbval",
        description="In a fresh environment over this one's packages, with google.colab faked: "
                    "each colab/NN-topic.ipynb, copied outside the repository, installs imgclf "
                    "from a clone of the working tree with its own install cell and runs top "
                    "to bottom in the smoke profile; nbval compares its checked outputs.")
    command.add_argument("--stack", type=Path,
                         help="the Python of an environment with Colab's versions "
                              "(requirements/colab.txt; make test-nbval builds .venv-colab); "
                              "default: this environment's own")
    command.set_defaults(run=_check_colab)


def _colab_stack(args) -> str:
    from imgclf.course import colabstack as stack

    if args.find_python:
        found = stack.python313()
        if found is None or not found.exists():
            raise RuntimeError(f"no Python {stack.PYTHON} to build Colab's stack with: set "
                               f"PYTHON313=/path/to/python{stack.PYTHON}, or install it "
                               f"(pyenv install {stack.PYTHON}, or Debian/Ubuntu's "
                               f"python{stack.PYTHON})")
        return str(found)
    if args.freeze is None:
        raise ValueError("colab-stack needs --freeze FILE (Colab's pip-freeze.gpu.txt) or "
                         "--find-python")
    freeze = args.freeze.read_text()
    if args.write:
        if not args.date or not args.python:
            raise ValueError("--write needs --date YYYY-MM-DD and --python X.Y.Z (from Colab's "
                             "os-info-gpu.txt)")
        stack.REQUIREMENTS.write_text(stack.requirements(freeze, args.date, args.python))
        return f"wrote {stack.REQUIREMENTS}"
    changed = stack.differences(stack.REQUIREMENTS.read_text(), freeze)
    if changed:
        raise RuntimeError(f"Colab's versions moved since {stack.REQUIREMENTS} was written "
                           f"({len(changed)} packages); rewrite it with --write, then run make "
                           f"test-nbval:\n  " + "\n  ".join(changed[:40]))
    return f"{stack.REQUIREMENTS} matches Colab's freeze"


def _colab_stack_parser(commands) -> None:
    command = commands.add_parser(
        "colab-stack", help="Colab's published versions (requirements/colab.txt)",
        description="Compare requirements/colab.txt with a fresh copy of Colab's "
                    "pip-freeze.gpu.txt (googlecolab/backend-info), or rewrite it from one; "
                    "--find-python prints a Python 3.13 to build Colab's stack with.")
    command.add_argument("--freeze", type=Path, help="Colab's pip-freeze.gpu.txt")
    command.add_argument("--date", help="the date Colab published it (YYYY-MM-DD), for --write")
    command.add_argument("--python", help="the runtime's Python version (os-info-gpu.txt), "
                                          "for --write")
    command.add_argument("--write", action="store_true",
                         help="rewrite requirements/colab.txt from --freeze")
    command.add_argument("--find-python", action="store_true",
                         help="print a Python 3.13 interpreter ($PYTHON313, pyenv, PATH)")
    command.set_defaults(run=_colab_stack)


def _expected(args) -> str:
    from imgclf.course import expected

    target = Path("notebooks") / expected.EXPECTED_FILE
    text = expected.generated()
    if args.write:
        if not target.exists() or target.read_text() != text:
            atomic.write_bytes(target, text.encode())
            return f"rewrote {target} from the chapters' modules"
        return f"{target} already matches the chapters' modules"
    if not target.exists() or target.read_text() != text:
        raise RuntimeError(f"{target} differs from the chapters' modules (imgclf/chapters, "
                           f"EXPECTED): {PROG} expected --write rewrites it")
    return f"{target} matches the chapters' modules"


def _expected_parser(commands) -> None:
    command = commands.add_parser(
        "expected", help="notebooks/expected.toml, from the chapters' modules",
        description="Check that notebooks/expected.toml is the one the chapters' modules "
                    "make (each module's EXPECTED ranges and claims); --write rewrites it.")
    command.add_argument("--write", action="store_true", help="rewrite it")
    command.set_defaults(run=_expected)


COMMANDS = (_run_notebooks_parser, _build_book_parser, _sync_notebooks_parser, _noise_parser,
            _results_parser, _repository_parser, _release_parser, _check_notebooks_parser,
            _check_colab_parser, _colab_stack_parser, _expected_parser)


def parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The tooling's parser, one subcommand per function of COMMANDS."""
    top = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one tooling command in the repository's root folder; 1 (and one line on stderr)
    when it fails, 2 for a bad command line."""
    args = parser().parse_args(argv)
    return run_command(PROG, args, before=_in_the_repository)
