"""`python -m imgclf`: data, settings, notebook execution and the book, from the command line."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

from imgclf import REPOSITORY, __version__, data, profiles


def _download(args) -> str:
    if (args.name is None) == (args.profile is None):
        raise ValueError("give a data set NAME or --profile P (the data set that profile uses)")
    name = args.name or profiles.resolve(args.profile).dataset
    return data.download(name, to=args.to, allow_network=not args.local_only)


def _settings(args) -> str:
    if args.cost:
        from imgclf import plans

        resolved = profiles.resolve(args.profile, args.dataset)
        budgets = profiles.GPU_BUDGET_SECONDS if resolved.profile == profiles.GPU_PROFILE \
            else None
        return str(plans.cost_table(resolved, budgets))
    settings = asdict(profiles.resolve(args.profile, args.dataset))
    if args.field:
        if args.field not in settings:
            raise ValueError(f"unknown field {args.field!r}; fields: {', '.join(settings)}")
        return str(settings[args.field])
    return json.dumps(settings, indent=2)


def _runs_dir(args) -> Path:
    return Path(args.out or Path("_build/runs") / profiles.resolve(args.profile).profile)


#: The file that marks the repository's root folder.
CONFIG = "_config.yml"


def _course(module: str):
    """A module of the course's tooling (imgclf.course), which a clone of the repository has
    and the installed package (what Colab installs) leaves out."""
    import importlib

    try:
        found = importlib.import_module(f"imgclf.course.{module}")
    except ModuleNotFoundError as error:
        if not error.name or not error.name.startswith("imgclf.course"):
            raise
        raise RuntimeError(
            "this command is part of the course's tooling (imgclf/course), which is in a clone "
            f"of the repository, not in the installed package: git clone "
            f"{REPOSITORY} && cd imgclf && make book") from None
    # The tooling reads and writes the repository's files by their relative paths: run
    # anywhere else, `results` once wrote a book/results.md into the current folder.
    if not (Path(CONFIG).is_file() and Path("notebooks").is_dir()):
        root = Path(found.__file__).resolve().parents[2]
        where = f": cd {root}" if (root / CONFIG).is_file() else ""
        raise RuntimeError(f"the course's tooling runs in the repository's root folder (the one "
                           f"with {CONFIG} and notebooks/), not in {Path.cwd()}{where}")
    return found


def _run_notebooks(args) -> str:
    nbval_check = _course("execute").nbval_check
    run_notebooks = _course("execute").run_notebooks
    seconds_table = _course("records").seconds_table

    out = _runs_dir(args)
    records = run_notebooks(args.profile, out, folder=args.notebooks, only=args.only,
                            dataset=args.dataset, reuse=not args.fresh)
    report = f"{seconds_table(records)}\n\nExecuted notebooks and run records: {out}"
    if args.nbval:
        print(report, flush=True)
        nbval_check(args.notebooks)
        return "nbval: the committed notebooks reproduce their checked outputs."
    return report


def _noise(args) -> str:
    noise = _course("noise")

    written = noise.measure(args.profile, list(range(args.seeds)), folder=args.notebooks,
                            only=args.only, dataset=args.dataset, fresh=args.fresh)
    return "wrote the seed records:\n  " + "\n  ".join(map(str, written))


def _results(args) -> str:
    results = _course("results")

    lines = []
    if args.keep:
        runs = Path(args.runs or Path("_build/runs") / args.keep)
        lines.append(f"kept the records of {runs} in {results.keep(runs, args.keep)}")
    lines.append(f"wrote {results.write()}")
    return "\n".join(lines)


def _repository(args) -> str:
    repository = _course("repository")

    named = repository.configured()
    lines = [f"the repository (_config.yml): {named.url}, ref {named.ref}"]
    if args.apply:
        lines += [f"rewrote {path}" for path in repository.apply()]
    found = repository.disagreements()
    if found:
        raise RuntimeError("these places disagree with _config.yml's repository section "
                           "(python -m imgclf repository --apply rewrites them):\n  "
                           + "\n  ".join(found))
    return "\n".join([*lines, "every place that names the repository agrees with it"])


def _release(args) -> str:
    tag = _course("repository").release()
    return (f"tagged {tag}: the install cells install it once it is pushed "
            f"(git push origin {tag})")


def _colab_stack(args) -> str:
    stack = _course("colabstack")
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


def _check_notebooks(args) -> str:
    _course("execute").nbval_check(args.notebooks)
    return "nbval: the committed notebooks reproduce their checked outputs."


def _check_colab(args) -> str:
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="imgclf-colab-"))
    report = _course("colablike").check(Path.cwd(), work, args.stack)
    shutil.rmtree(work, ignore_errors=True)  # reached on success only: a failure leaves it to read
    return report


def _build_book(args) -> str:
    book = _course("book")

    runs = _runs_dir(args)
    if args.student:
        built = book.build_student(runs)
        return f"{book.summary(runs, built)}\nIts Colab notebooks: {built.parents[2] / 'colab'}"
    built = book.build(runs, builder=args.builder)
    return book.summary(runs, built) if args.builder == "html" else f"linkcheck: {built}"


def _sync_notebooks(args) -> str:
    sync, colab = _course("pairs").sync, _course("colab")
    runs = _runs_dir(args)
    lines = []
    for source in _course("execute").notebook_sources(args.notebooks, args.only):
        lines.append(f"wrote {sync(source, runs / f'{source.stem}.ipynb')} (reference "
                     f"outputs from {runs})")
        lines.append(f"wrote {colab.write(source, args.notebooks.resolve().parent)} (for Colab)")
    return "\n".join(lines)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {text!r}")
    return value


def _train(args) -> str:
    from imgclf import atomic, distribute, models, train

    if args.devices == distribute.SLURM:
        # Before anything touches a device: both engines require it.
        workers = distribute.start_workers()
        print(f"SLURM task {workers.task.rank} of {workers.task.size} on "
              f"{workers.task.hosts[workers.task.rank]}; coordinator {workers.task.coordinator}",
              flush=True)
    if args.model not in models.names():
        raise ValueError(f"Unknown model {args.model!r}. Known models: "
                         f"{', '.join(models.names())}.")
    settings = profiles.resolve(args.profile, args.dataset)
    changes = {"epochs": args.epochs}
    if args.batch_size:
        changes["batch_size"] = args.batch_size
    if args.augment is not None:
        changes["augment"] = args.augment
    cfg = train.config(settings, **changes)
    record_path = args.out / "record.json"
    if record_path.exists():
        done = atomic.read_json(record_path, f"remove it, or the folder {args.out}, to train "
                                             f"the run again")
        if done.get("epochs") == cfg.epochs and done.get("model") == args.model:
            return f"{args.out} already holds a finished run: {_summary(done)}"
    dataset = data.load(settings.dataset).subset(settings.train_size, settings.test_size,
                                                 seed=settings.seed)
    # Fail on bad arguments (too small an input, ...) before any file is written.
    models.get(args.model, input_shape=dataset.image_shape, num_classes=dataset.num_classes)
    trained = train.fit(
        lambda: models.get(args.model, input_shape=dataset.image_shape,
                           num_classes=dataset.num_classes),
        dataset, cfg, out_dir=args.out, name=args.model, devices=args.devices)
    written = ("Model, history and run record: " if distribute.is_chief()
               else "The chief wrote the model, history and run record to ")
    return f"{_summary(trained.record)}\n{written}{args.out}"


def _summary(record: dict) -> str:
    test = record.get("test_accuracy")
    return (f"{record['model']} on {record['dataset']}: {record['epochs']} epochs "
            f"({record.get('epochs_this_session', record['epochs'])} in this session), "
            f"{record.get('replicas', 1)} replicas, test accuracy {test:.4f}, "
            f"{record['seconds']:.1f} s in the last session, "
            f"{record['images_per_second']:,.0f} images/s; "
            f"weights sha256 {record.get('weights_sha256', 'not recorded')}")


def _weights(args) -> str:
    import numpy as np

    from imgclf import applications, models

    model = models.pretrained(args.name)
    headless = models.pretrained(args.name, include_top=False, pooling="avg")
    applications.decode(np.full((1, 1000), 1e-3))
    return (f"The ImageNet weights of {args.name}, with and without its classifier, and the "
            f"ImageNet class names are in the Keras cache ({model.count_params():,} and "
            f"{headless.count_params():,} parameters loaded into imgclf's {args.name}).")


def parser(prog: str = "python -m imgclf") -> argparse.ArgumentParser:
    """The command line's parser; `prog` is the name shown in usage and errors."""
    if not isinstance(prog, str) or not prog.strip():
        raise ValueError(f"prog must be the program's name, got {prog!r}")
    top = argparse.ArgumentParser(prog=prog, description=__doc__)
    top.add_argument("--version", action="version",
                     version=f"%(prog)s {__version__} (Keras {_keras_version()})")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    download = commands.add_parser(
        "download", help="find or fetch a data set (for offline compute nodes: --to DIR)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Find a data set on this machine or download it, verify it, and say where "
                    "it is.\nWith --to DIR the files are put in DIR, to be used elsewhere "
                    "with IMGCLF_DATA_DIR=DIR.\n\nData sets:\n" + "\n".join(
                        f"  {name:14} {data.spec(name).description}" for name in data.names()))
    download.add_argument("name", nargs="?", help=f"one of: {', '.join(data.names())}")
    download.add_argument("--profile", choices=profiles.CHOICES,
                          help="instead of NAME: the data set this profile uses")
    download.add_argument("--to", type=Path, help="folder to put the data set in")
    download.add_argument("--local-only", action="store_true",
                          help="only look on this machine, never download")
    download.set_defaults(run=_download)

    training = commands.add_parser(
        "train", help="train a model as a batch job (resumes when rerun on the same --out)",
        description="Train a network of imgclf.models on a data set with imgclf.train. "
                    "Writes model.keras, history.json and record.json to --out; killed and "
                    "rerun with the same --out, it resumes from the last completed epoch.")
    training.add_argument("--model", required=True, help="a name from imgclf.models.names()")
    training.add_argument("--dataset", help=f"one of: {', '.join(data.names())} "
                                            "(default: the profile's)")
    training.add_argument("--epochs", required=True, type=_positive)
    training.add_argument("--out", required=True, type=Path, help="folder for the results")
    training.add_argument("--profile", default="auto", choices=profiles.CHOICES)
    training.add_argument("--batch-size", type=_positive)
    training.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None,
                          help="random crops and flips (default: the profile's choice)")
    training.add_argument("--devices", default="auto",
                          choices=("auto", "none", "cpu", "gpu", "slurm"),
                          help="data-parallel over these devices (auto: every local GPU, "
                               "when there are several; slurm: every GPU of the job's nodes)")
    training.set_defaults(run=_train)

    weights = commands.add_parser(
        "weights", help="fetch a network's ImageNet weights into the Keras cache",
        description="Load the ImageNet weights of a network into imgclf's own version of it, "
                    "downloading them into the Keras cache (~/.keras/models) if needed.")
    weights.add_argument("name", help="vgg16, vgg19, resnet50, resnet101, resnet152, "
                                      "inception_v3, xception or mobilenet")
    weights.set_defaults(run=_weights)

    settings = commands.add_parser("settings", help="print the settings a profile resolves to")
    settings.add_argument("--profile", default="auto", choices=profiles.CHOICES)
    settings.add_argument("--dataset", help=f"one of: {', '.join(data.names())}")
    settings.add_argument("--field", help="print only this field")
    settings.add_argument("--cost", action="store_true",
                          help="print each chapter's training multiply-adds and estimated "
                               "minutes on a T4, an A100 and an H100 (imgclf.cost)")
    settings.set_defaults(run=_settings)

    for name, run, help_text in (
        ("run-notebooks", _run_notebooks, "execute every notebook with papermill"),
        ("build-book", _build_book, "build the HTML book from executed notebooks"),
        ("sync-notebooks", _sync_notebooks,
         "rewrite each .ipynb from its .md, with the reference outputs of its checked cells "
         "taken from executed notebooks, and its Colab notebook (colab/NN-topic.ipynb)"),
    ):
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.add_argument("--profile", default="auto", choices=profiles.CHOICES)
        command.add_argument("--out", type=Path,
                             help="executed notebooks and records (default _build/runs/PROFILE)")
        command.set_defaults(run=run)
        if name == "build-book":
            command.add_argument("--builder", default="html", choices=("html", "linkcheck"),
                                 help="the HTML site (default), or Sphinx's check of every "
                                      "external link")
            command.add_argument("--student", action="store_true",
                                 help="the student edition, without the solutions (HTML and "
                                      "Colab notebooks, in _build/student)")
        else:
            command.add_argument("--notebooks", type=Path, default=Path("notebooks"))
            command.add_argument("--only", nargs="+", metavar="NN",
                                 help="only the notebooks whose names start with these")
        if name == "run-notebooks":
            command.add_argument("--dataset", choices=data.names(),
                                 help="instead of the profile's data set")
            command.add_argument("--nbval", action="store_true",
                                 help="then check the committed notebooks with nbval")
            command.add_argument("--fresh", action="store_true",
                                 help="execute every notebook, even those that finished "
                                      "earlier with the same inputs")

    noise = commands.add_parser(
        "noise", help="measure the seed-to-seed spread of the chapters' comparisons",
        description="Execute every chapter that compares something in the profile (an order "
                    "or compare list in notebooks/expected.toml) once per seed, and write one "
                    "seed record per chapter into imgclf/spread/PROFILE/DATASET/, which the "
                    "chapters' sentences and the expected-results check read. Finished seeds "
                    "are kept in _build/noise/ and reused unless --fresh.")
    noise.add_argument("--profile", default="auto", choices=profiles.CHOICES)
    noise.add_argument("--dataset", choices=data.names(), help="instead of the profile's")
    noise.add_argument("--seeds", type=_positive, default=3,
                       help="how many seeds, 0 to N-1 (at least 3; default 3)")
    noise.add_argument("--notebooks", type=Path, default=Path("notebooks"))
    noise.add_argument("--only", nargs="+", metavar="NN",
                       help="only the chapters whose names start with these")
    noise.add_argument("--fresh", action="store_true", help="run every seed again")
    noise.set_defaults(run=_noise)

    results_page = commands.add_parser(
        "results", help="render book/results.md from the kept run records",
        description="Render book/results.md from the run records kept in book/results/. With "
                    "--keep PROFILE, first replace that profile's kept records with a run's.")
    results_page.add_argument("--keep", choices=profiles.PROFILES,
                              help="keep this profile's latest run records first")
    results_page.add_argument("--runs", type=Path,
                              help="where that run's records are (default _build/runs/PROFILE)")
    results_page.set_defaults(run=_results)

    named = commands.add_parser(
        "repository", help="the repository _config.yml names, and the places derived from it",
        description="Print the repository and ref that _config.yml's repository section names, "
                    "and check every place derived from it (install cells, links, the "
                    "package's REPOSITORY, pyproject's URLs, the release tag); --apply "
                    "rewrites them first.")
    named.add_argument("--apply", action="store_true",
                       help="rewrite the derived places from _config.yml first")
    named.set_defaults(run=_repository)
    release = commands.add_parser(
        "release", help="tag the commit the install cells pin (make release)",
        description="Tag the current commit v + imgclf.__version__, the release every install "
                    "cell installs, after checking that the working tree is committed, that "
                    "every pin agrees and that the tag is new.")
    release.set_defaults(run=_release)

    check_notebooks = commands.add_parser(
        "check-notebooks", help="nbval: the committed notebooks' checked outputs reproduce",
        description="Re-execute the committed notebooks in the smoke profile with nbval and "
                    "compare the outputs of the cells tagged nbval-check-output.")
    check_notebooks.add_argument("--notebooks", type=Path, default=Path("notebooks"))
    check_notebooks.set_defaults(run=_check_notebooks)
    check_colab = commands.add_parser(
        "check-colab", help="run every Colab notebook as Colab would, with nbval",
        description="In a fresh environment over this one's packages, with google.colab faked: "
                    "each colab/NN-topic.ipynb, copied outside the repository, installs imgclf "
                    "from a clone of the working tree with its own install cell and runs top "
                    "to bottom in the smoke profile; nbval compares its checked outputs.")
    check_colab.add_argument("--stack", type=Path,
                             help="the Python of an environment with Colab's versions "
                                  "(requirements/colab.txt; make test-nbval builds "
                                  ".venv-colab); default: this environment's own")
    check_colab.set_defaults(run=_check_colab)
    stack = commands.add_parser(
        "colab-stack", help="Colab's published versions (requirements/colab.txt)",
        description="Compare requirements/colab.txt with a fresh copy of Colab's "
                    "pip-freeze.gpu.txt (googlecolab/backend-info), or rewrite it from one; "
                    "--find-python prints a Python 3.13 to build Colab's stack with.")
    stack.add_argument("--freeze", type=Path, help="Colab's pip-freeze.gpu.txt")
    stack.add_argument("--date", help="the date Colab published it (YYYY-MM-DD), for --write")
    stack.add_argument("--python", help="the runtime's Python version (os-info-gpu.txt), "
                                        "for --write")
    stack.add_argument("--write", action="store_true",
                       help="rewrite requirements/colab.txt from --freeze")
    stack.add_argument("--find-python", action="store_true",
                       help="print a Python 3.13 interpreter ($PYTHON313, pyenv, PATH)")
    stack.set_defaults(run=_colab_stack)
    return top


def _keras_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("keras")
    except metadata.PackageNotFoundError:
        return "not installed"


def program_name(argv0: str | None = None) -> str:
    """How the user called us: "python -m imgclf", or the console script's name."""
    if argv0 is not None and not isinstance(argv0, str):
        raise TypeError(f"argv0 must be a string (sys.argv[0]) or None, got {argv0!r}")
    name = Path(sys.argv[0] if argv0 is None else argv0).name
    return "python -m imgclf" if name in ("__main__.py", "-m", "") else name


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    prog = program_name()
    args = parser(prog).parse_args(argv)
    try:
        print(args.run(args), flush=True)
    except (ValueError, OSError, RuntimeError) as error:
        print(f"{prog} {args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog} {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0
