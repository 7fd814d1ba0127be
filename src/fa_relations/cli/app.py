"""The ``fa-relations`` command-line application and its command groups.

Command modules in this package register themselves on these Typer apps.
"""

from __future__ import annotations

import logging

import typer

from ..__about__ import __version__

app = typer.Typer(
    name="fa-relations",
    help="Persian text to entities and relation triples.",
    no_args_is_help=True,
    add_completion=False,
)
train_app = typer.Typer(help="Train models.", no_args_is_help=True)
evaluate_app = typer.Typer(help="Evaluate models on gold data.", no_args_is_help=True)
app.add_typer(train_app, name="train")
app.add_typer(evaluate_app, name="evaluate")


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"fa-relations {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Print the version and exit."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress details."),
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
