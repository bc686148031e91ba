"""The `sidil` command. Messages for analysts are in Spanish."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

app = typer.Typer(
    help="SIDIL: sistema de inteligencia para la inspección laboral (STPS).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()


@app.callback()
def main() -> None:
    """SIDIL: sistema de inteligencia para la inspección laboral (STPS)."""


@app.command()
def demo(
    scale: str = typer.Option("small", "--scale", help="Tamaño: tiny (pruebas), small (demostración) o full "
                                                        "(volúmenes de producción)."),
    seed: int = typer.Option(20261122, "--seed", help="Semilla: la misma semilla da archivos idénticos."),
    out: Path = typer.Option(Path("demo_data"), "--out", help="Carpeta de salida; una demostración anterior en ella se reemplaza."),
) -> None:
    """Genera insumos sintéticos en los formatos reales (ENOE, IMSS, Censo, DNE, SIAPI-SIPAS) y truth/."""
    from sidil.demo.generate import generate
    from sidil.demo.scales import SCALES

    if scale not in SCALES:
        console.print(f"***ERROR***: escala desconocida {scale!r}; use una de: {', '.join(SCALES)}")
        raise typer.Exit(2)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:

        def on_source(name: str, n_files: int):
            task = progress.add_task(f"INFO: generando {name}", total=n_files)
            return lambda _file: progress.advance(task)

        try:
            summary = generate(scale, seed, out, on_source)
        except FileExistsError as exc:
            console.print(f"***ERROR***: {exc}")
            raise typer.Exit(2) from None
    n = sum(len(v) for v in summary["archivos"].values())
    console.print(f"INFO: {n} archivos de insumo generados en {out.resolve()} (escala {scale}, semilla {seed}).")


if __name__ == "__main__":
    app()
