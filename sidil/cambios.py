"""What changed since the last successful build, so that `sidil run` builds only that and what depends on it.

Two kinds of change, each with its own evidence:
- **Data.** Every landing writes a `raw.load_manifest` row with its time (`cargado_en`). The raw tables that
  received rows after the last build started are the changed sources; their dbt descendants are rebuilt
  (`source:<fuente>.<tabla>+`). Incremental models then recompute only the periods whose inputs are newer.
- **Code and catalogs.** A fingerprint of the project's models, macros, tests, settings and the active seed
  folder says cheaply whether anything changed at all; only then does dbt's state comparison
  (`state:modified+` against the manifest saved after the last build) name the nodes. Those are rebuilt with
  `--full-refresh`, since a changed catalog or formula can change every period already computed.

The state lives beside the warehouse (`<carpeta del almacén>/estado_dbt/<nombre>/`): the manifest of the last
successful build and `construccion.json` (when it started, the fingerprint, the catalog versions). Without it,
or with `--completo`, everything is built.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from loaders.warehouse import db_path
from settings import PROJECT_DIR

# What dbt reads besides the seeds: a change in any of these files may change a model.
CODIGO = ("models", "macros", "tests/dbt")
AJUSTES = ("dbt_project.yml", "profiles.yml")
ESTADO = "construccion.json"
TIEMPOS = "tiempos_construccion.json"


def carpeta_estado(db: Path | None = None) -> Path:
    """Where the state of this warehouse's last successful build is kept."""
    db = Path(db) if db else db_path()
    return db.resolve().parent / "estado_dbt" / db.stem


def huella_proyecto() -> str:
    """sha256 over the files dbt reads to build: models, macros, singular tests, project and profile settings,
    and the active seed folder (an operator's catalog version changes it). About 1 MB of reading."""
    from sidil.catalogos import carpeta_semillas

    h = hashlib.sha256()
    archivos: list[tuple[str, Path]] = []
    for carpeta in CODIGO:
        archivos += [(p.relative_to(PROJECT_DIR).as_posix(), p) for p in (PROJECT_DIR / carpeta).rglob("*")]
    archivos += [(nombre, PROJECT_DIR / nombre) for nombre in AJUSTES]
    semillas = carpeta_semillas()
    archivos += [("seeds/" + p.relative_to(semillas).as_posix(), p) for p in semillas.rglob("*")]
    for nombre, p in sorted(archivos):
        if p.is_file() and p.suffix in (".sql", ".yml", ".yaml", ".md", ".csv"):
            h.update(nombre.encode() + b"\0")
            h.update(p.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


@dataclass
class Estado:
    """The last successful build of a warehouse."""

    inicio: datetime
    huella: str
    manifest: Path


def leer_estado(db: Path | None = None) -> Estado | None:
    carpeta = carpeta_estado(db)
    try:
        datos = json.loads((carpeta / ESTADO).read_text(encoding="utf-8"))
        estado = Estado(datetime.fromisoformat(datos["inicio"]), str(datos["huella"]), carpeta / "manifest.json")
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no state, or one written by another version: build everything
    return estado if estado.manifest.is_file() else None


def guardar_estado(inicio: datetime, huella: str, manifest: Path, db: Path | None = None) -> None:
    """Record a successful build (called only when every node of it passed). Written under temporary names
    and renamed, so a crash leaves the previous state or the new one, never half of each."""
    carpeta = carpeta_estado(db)
    carpeta.mkdir(parents=True, exist_ok=True)
    tmp = carpeta / "manifest.json.tmp"
    shutil.copyfile(manifest, tmp)
    tmp.replace(carpeta / "manifest.json")
    datos = {"inicio": inicio.isoformat(), "huella": huella}
    tmp = carpeta / (ESTADO + ".tmp")
    tmp.write_text(json.dumps(datos, indent=2) + "\n", encoding="utf-8")
    tmp.replace(carpeta / ESTADO)


def guardar_tiempos(segundos: dict[str, float], db: Path | None = None) -> None:
    """The last build's seconds per dbt node (tiempos_construccion.json, slowest first): where a refresh spends
    its time, for the data engineer and the refresh benchmark."""
    carpeta = carpeta_estado(db)
    carpeta.mkdir(parents=True, exist_ok=True)
    orden = dict(sorted(segundos.items(), key=lambda kv: -kv[1]))
    tmp = carpeta / (TIEMPOS + ".tmp")
    tmp.write_text(json.dumps(orden, indent=2) + "\n", encoding="utf-8")
    tmp.replace(carpeta / TIEMPOS)


@dataclass
class Cambios:
    """What the next build must cover."""

    completo: bool = False
    motivo: str = ""  # why everything is built, in Spanish
    fuentes: list[str] = field(default_factory=list)  # dbt selectors: source:<fuente>.<tabla>
    detalle_fuentes: list[str] = field(default_factory=list)  # Spanish lines: which table got what
    modificados: list[str] = field(default_factory=list)  # models and seeds whose code or content changed
    sin_fuente: list[str] = field(default_factory=list)  # raw tables landed that no dbt source reads

    @property
    def nada(self) -> bool:
        return not self.completo and not self.fuentes and not self.modificados


def fuentes_dbt(manifest: Path) -> dict[str, str]:
    """{raw table name: dbt selector} from a dbt manifest (sources in the raw schema)."""
    datos = json.loads(manifest.read_text(encoding="utf-8"))
    salida = {}
    for fuente in datos.get("sources", {}).values():
        if fuente.get("schema") == "raw":
            salida[fuente["identifier"]] = f"source:{fuente['source_name']}.{fuente['name']}"
    return salida


def cargas_desde(con, desde: datetime) -> list[tuple[str, str, int, list[str]]]:
    """(fuente, entidad, files, periods) landed or replaced after `desde`, from raw.load_manifest."""
    filas = con.execute(
        "select fuente, entidad, count(*), list(distinct periodo order by periodo) from raw.load_manifest "
        "where estado in ('cargado', 'reemplazado') and cargado_en >= ? group by fuente, entidad "
        "order by fuente, entidad",
        [desde],
    ).fetchall()
    return [(f, e, int(n), [p for p in periodos if p is not None]) for f, e, n, periodos in filas]


def modificados_dbt(estado: Estado) -> list[str]:
    """Models and seeds dbt's state comparison finds new or changed against the saved manifest (the names
    dbt ls prints). Tests are left out: a seed folder moved by an operator's catalog version renames the seed
    tests without changing anything they check."""
    from sidil.pipeline import dbt_listar

    return dbt_listar(
        "--select", "state:modified", "--state", str(estado.manifest.parent), "--resource-type", "model", "seed"
    )


def fuentes_imss(db: Path | None = None) -> list[str]:
    """The dbt selectors of the IMSS raw tables (a look-back run recomputes their recent months)."""
    estado = leer_estado(db)
    tablas = fuentes_dbt(estado.manifest) if estado else {}
    return [sel for tabla, sel in sorted(tablas.items()) if tabla.startswith("imss_")]


def detectar(completo: bool = False, db: Path | None = None) -> tuple[Cambios, str]:
    """What changed since the last successful build, and the project's fingerprint now. The warehouse is
    opened like every step opens it (not read-only: a read-only connection cannot join the one an earlier dbt
    call left open in this process) and closed before dbt is asked."""
    from loaders.warehouse import connect

    huella = huella_proyecto()
    if completo:
        return Cambios(completo=True, motivo="se pidió la construcción completa (--completo)"), huella
    estado = leer_estado(db)
    if estado is None:
        return Cambios(completo=True, motivo="no hay registro de una construcción anterior de este almacén"), huella
    cambios = Cambios()
    tablas = fuentes_dbt(estado.manifest)
    con = connect(path=db)
    try:
        cargas = cargas_desde(con, estado.inicio)
    finally:
        con.close()
    for fuente, entidad, n, periodos in cargas:
        tabla = f"{fuente}_{entidad}"
        cuales = ", ".join(periodos[:6]) + (f" y {len(periodos) - 6} más" if len(periodos) > 6 else "")
        if tabla not in tablas:
            cambios.sin_fuente.append(tabla)
            continue
        cambios.fuentes.append(tablas[tabla])
        cambios.detalle_fuentes.append(f"raw.{tabla}: {n} insumo(s) nuevo(s) o reemplazado(s) ({cuales})")
    if huella != estado.huella:
        cambios.modificados = modificados_dbt(estado)
    return cambios, huella


# --- the training tables --------------------------------------------------------------------------------------
# marts.entrenamiento and marts.entrenamiento_manual (and the history models that feed only them) are read by
# training alone, and cost most of a monthly build at production volume (the point-in-time and manual
# historical matching: 280 of 355 s measured). A run that does not train leaves them for the next training,
# which rebuilds them first (pipeline.entrenar).
TABLAS_ENTRENAMIENTO = ("model.sidil.entrenamiento", "model.sidil.entrenamiento_manual")
PENDIENTE = "entrenamiento_pendiente.json"


def solo_entrenamiento(manifest: Path) -> list[str]:
    """Names of the models whose only consumers are the training tables (those tables included), from a dbt
    manifest's child map: excluding them can never leave another model without its input. An exposure (the
    MPR, the plan, the interfaces: what Python reads) counts as a consumer outside the training tables."""
    datos = json.loads(manifest.read_text(encoding="utf-8"))
    hijos = datos.get("child_map", {})
    modelos = {n for n in datos.get("nodes", {}) if n.startswith("model.")}
    grupo = {n for n in TABLAS_ENTRENAMIENTO if n in modelos}
    if not grupo:
        return []
    crecio = True
    while crecio:
        crecio = False
        for n in sorted(modelos - grupo):
            consumidores = [c for c in hijos.get(n, []) if c.startswith(("model.", "exposure."))]
            if consumidores and all(c in grupo for c in consumidores):
                grupo.add(n)
                crecio = True
    return sorted(n.split(".")[-1] for n in grupo)


def marcar_entrenamiento_pendiente(modelos: list[str], db: Path | None = None) -> None:
    carpeta = carpeta_estado(db)
    carpeta.mkdir(parents=True, exist_ok=True)
    tmp = carpeta / (PENDIENTE + ".tmp")
    tmp.write_text(json.dumps({"modelos": modelos, "desde": datetime.now().isoformat()}, indent=2), encoding="utf-8")
    tmp.replace(carpeta / PENDIENTE)


def entrenamiento_pendiente(db: Path | None = None) -> list[str]:
    """The training-only models a run left behind (empty when the training tables are up to date)."""
    try:
        return list(json.loads((carpeta_estado(db) / PENDIENTE).read_text(encoding="utf-8"))["modelos"])
    except (OSError, ValueError, KeyError, TypeError):
        return []


def entrenamiento_al_dia(db: Path | None = None) -> None:
    (carpeta_estado(db) / PENDIENTE).unlink(missing_ok=True)
