"""`python -m imgclf`: what a learner runs from the command line: find or fetch a data set,
train a network as a batch job, fetch ImageNet weights, print a profile's settings.

The course's tooling (executing the notebooks, building the book, ...) is `python -m
imgclf.course`, in a clone of the repository. Each command here has one small function that
adds its parser and one that runs it.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from imgclf import REPOSITORY, __version__, data, profiles
from imgclf._command import positive, run_command


def _download(args) -> str:
    if (args.name is None) == (args.profile is None):
        raise ValueError("give a data set NAME or --profile P (the data set that profile uses)")
    name = args.name or profiles.resolve(args.profile).dataset
    return data.download(name, to=args.to, allow_network=not args.local_only)


def _download_parser(commands) -> None:
    command = commands.add_parser(
        "download", help="find or fetch a data set (for offline compute nodes: --to DIR)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Find a data set on this machine or download it, verify it, and say where "
                    "it is.\nWith --to DIR the files are put in DIR, to be used elsewhere "
                    "with IMGCLF_DATA_DIR=DIR.\n\nData sets:\n" + "\n".join(
                        f"  {name:14} {data.spec(name).description}" for name in data.names()))
    command.add_argument("name", nargs="?", help=f"one of: {', '.join(data.names())}")
    command.add_argument("--profile", choices=profiles.CHOICES,
                         help="instead of NAME: the data set this profile uses")
    command.add_argument("--to", type=Path, help="folder to put the data set in")
    command.add_argument("--local-only", action="store_true",
                         help="only look on this machine, never download")
    command.set_defaults(run=_download)


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


def _train_parser(commands) -> None:
    command = commands.add_parser(
        "train", help="train a model as a batch job (resumes when rerun on the same --out)",
        description="Train a network of imgclf.models on a data set with imgclf.train. "
                    "Writes model.keras, history.json and record.json to --out; killed and "
                    "rerun with the same --out, it resumes from the last completed epoch.")
    command.add_argument("--model", required=True, help="a name from imgclf.models.names()")
    command.add_argument("--dataset", help=f"one of: {', '.join(data.names())} "
                                           "(default: the profile's)")
    command.add_argument("--epochs", required=True, type=positive)
    command.add_argument("--out", required=True, type=Path, help="folder for the results")
    command.add_argument("--profile", default="auto", choices=profiles.CHOICES)
    command.add_argument("--batch-size", type=positive)
    command.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None,
                         help="random crops and flips (default: the profile's choice)")
    command.add_argument("--devices", default="auto",
                         choices=("auto", "none", "cpu", "gpu", "slurm"),
                         help="data-parallel over these devices (auto: every local GPU, when "
                              "there are several; slurm: every GPU of the job's nodes)")
    command.set_defaults(run=_train)


def _weights(args) -> str:
    import numpy as np

    from imgclf import applications, models

    model = models.pretrained(args.name)
    headless = models.pretrained(args.name, include_top=False, pooling="avg")
    applications.decode(np.full((1, 1000), 1e-3))
    return (f"The ImageNet weights of {args.name}, with and without its classifier, and the "
            f"ImageNet class names are in the Keras cache ({model.count_params():,} and "
            f"{headless.count_params():,} parameters loaded into imgclf's {args.name}).")


def _weights_parser(commands) -> None:
    command = commands.add_parser(
        "weights", help="fetch a network's ImageNet weights into the Keras cache",
        description="Load the ImageNet weights of a network into imgclf's own version of it, "
                    "downloading them into the Keras cache (~/.keras/models) if needed.")
    command.add_argument("name", help="vgg16, vgg19, resnet50, resnet101, resnet152, "
                                      "inception_v3, xception or mobilenet")
    command.set_defaults(run=_weights)


def _settings(args) -> str:
    if args.cost:
        from imgclf import cost

        resolved = profiles.resolve(args.profile, args.dataset)
        budgets = profiles.GPU_BUDGET_SECONDS if resolved.profile == profiles.GPU_PROFILE \
            else None
        return str(cost.chapters_table(resolved, budgets))
    settings = asdict(profiles.resolve(args.profile, args.dataset))
    if args.field:
        if args.field not in settings:
            raise ValueError(f"unknown field {args.field!r}; fields: {', '.join(settings)}")
        return str(settings[args.field])
    return json.dumps(settings, indent=2)


def _settings_parser(commands) -> None:
    command = commands.add_parser("settings", help="print the settings a profile resolves to")
    command.add_argument("--profile", default="auto", choices=profiles.CHOICES)
    command.add_argument("--dataset", help=f"one of: {', '.join(data.names())}")
    command.add_argument("--field", help="print only this field")
    command.add_argument("--cost", action="store_true",
                         help="print each chapter's training multiply-adds and estimated "
                              "minutes on a T4, an A100 and an H100 (imgclf.cost)")
    command.set_defaults(run=_settings)


COMMANDS = (_download_parser, _train_parser, _weights_parser, _settings_parser)
#: The course's tooling commands (`python -m imgclf.course`), named here only to point there.
TOOLING = ("run-notebooks", "build-book", "sync-notebooks", "noise", "results", "repository",
           "release", "check-notebooks", "check-colab", "colab-stack", "expected")


def parser(prog: str = "python -m imgclf") -> argparse.ArgumentParser:
    """The command line's parser, one subcommand per function of COMMANDS; `prog` is the name
    shown in usage and errors."""
    if not isinstance(prog, str) or not prog.strip():
        raise ValueError(f"prog must be the program's name, got {prog!r}")
    top = argparse.ArgumentParser(
        prog=prog, description=__doc__.split("\n\n")[0],
        epilog="The course's tooling (run-notebooks, build-book, sync-notebooks, results, "
               "noise, ...) is python -m imgclf.course, in a clone of the repository.")
    top.add_argument("--version", action="version",
                     version=f"%(prog)s {__version__} (Keras {_keras_version()})")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(commands)
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
    """Run one command; 1 (and one line on stderr) when it fails, 2 for a bad command line."""
    prog = program_name()
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in TOOLING:
        print(f"{prog}: {argv[0]} is part of the course's tooling (imgclf/course), which is in "
              f"a clone of the repository, not in the installed package: python -m "
              f"imgclf.course {argv[0]} there (git clone {REPOSITORY} && cd imgclf)",
              file=sys.stderr)
        return 2
    return run_command(prog, parser(prog).parse_args(argv))
