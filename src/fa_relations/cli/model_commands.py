"""``fa-relations convert-checkpoint``: pickled model weights to safetensors, once."""

from __future__ import annotations

from pathlib import Path

import typer

from .app import app


@app.command("convert-checkpoint")
def convert_checkpoint_cmd(
    src: Path = typer.Argument(..., help="A built-in model folder with weights.pt, or a Hugging Face checkpoint with pytorch_model.bin."),
    dest: Path = typer.Argument(..., help="A new folder for the safetensors copy."),
) -> None:
    """Convert a model folder with pickled weights to safetensors (read once with torch's restricted loader)."""
    from ..ner.checkpoints import convert_checkpoint  # deferred: keeps `fa-relations --help` fast

    try:
        out = convert_checkpoint(src, dest)
    except (FileNotFoundError, FileExistsError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"written {out}")
