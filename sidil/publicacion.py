"""Review and publication of the risk matrix: `sidil predict` writes the candidate MPR to
`salidas/mpr_revision/`; only `publicar` (the operators' "Enviar a consulta", `sidil publish`, `sidil run
--publicar`) copies it to `salidas/mpr/`, the folder the consultation interface reads, and archives it under
`salidas/mpr_publicadas/<version>/` with the send date, the user and the comment.

Files are copied under temporary names and renamed one by one, the Parquet last: the interface takes a new
snapshot when the Parquet changes, so it never pairs a new matrix with an old dictionary or date."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

from ml.paths import salidas

ARCHIVOS = ("mpr.csv", "mpr_diccionario.parquet", "mpr_metadatos.json", "mpr.parquet")  # the Parquet last
METADATOS = "mpr_metadatos.json"
PUBLICACION = "publicacion.json"


class SinCandidata(Exception):
    """There is no predicted matrix to publish; the message is for the user."""


def carpeta_revision() -> Path:
    return salidas() / "mpr_revision"


def carpeta_publicada() -> Path:
    return salidas() / "mpr"


def carpeta_archivo() -> Path:
    return salidas() / "mpr_publicadas"


def _leer_json(ruta: Path) -> dict | None:
    try:
        datos = json.loads(ruta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return datos if isinstance(datos, dict) else None


def vigente() -> dict | None:
    """Metadata of the matrix the consultation shows (None before the first publication)."""
    return _leer_json(carpeta_publicada() / METADATOS)


def candidata() -> dict | None:
    """Metadata of the matrix awaiting review, with `publicada` saying whether it is already the one the
    consultation shows (same model run and generation time). None when no prediction was made."""
    carpeta = carpeta_revision()
    meta = _leer_json(carpeta / METADATOS)
    if meta is None or not all((carpeta / a).exists() for a in ARCHIVOS):
        return None
    actual = vigente() or {}
    mismo = (actual.get("run_id"), actual.get("generado_en")) == (meta.get("run_id"), meta.get("generado_en"))
    return {**meta, "carpeta": str(carpeta), "publicada": mismo}


def publicaciones() -> list[dict]:
    """Every published version, newest first: its metadata with send date, user and comment."""
    raiz = carpeta_archivo()
    if not raiz.is_dir():
        return []
    out = [
        m
        for d in raiz.iterdir()
        if d.is_dir() and not d.name.startswith(".")
        if (m := _leer_json(d / PUBLICACION)) is not None
    ]
    return sorted(out, key=lambda m: (str(m.get("publicado_en", "")), str(m.get("version", ""))), reverse=True)


def _nueva_version(ahora: datetime) -> str:
    base = f"{ahora:%Y%m%d-%H%M%S}"
    version, n = base, 1
    while (carpeta_archivo() / version).exists():
        n += 1
        version = f"{base}-{n}"
    return version


def publicar(usuario: str, comentario: str = "") -> dict:
    """Publish the candidate matrix: archive it as a new version and make it the one the consultation reads.
    Returns the publication's metadata. Raises SinCandidata when there is nothing to publish."""
    cand = candidata()
    if cand is None:
        raise SinCandidata("No hay una MPR por revisar: ejecute primero la predicción (`sidil predict`).")
    ahora = datetime.now().replace(microsecond=0)
    version = _nueva_version(ahora)
    origen = carpeta_revision()
    meta = {k: v for k, v in cand.items() if k not in ("carpeta", "publicada")}
    meta.update(
        version=version, publicado_en=ahora.isoformat(), publicado_por=str(usuario), comentario=str(comentario or "")
    )
    texto_meta = json.dumps(meta, ensure_ascii=False, indent=1)

    # 1. The archive copy, complete before anything the consultation reads changes.
    archivo = carpeta_archivo() / version
    tmp_archivo = carpeta_archivo() / f".{version}.tmp"
    shutil.rmtree(tmp_archivo, ignore_errors=True)
    tmp_archivo.mkdir(parents=True)
    try:
        for nombre in ARCHIVOS:
            if nombre == METADATOS:
                (tmp_archivo / nombre).write_text(texto_meta, encoding="utf-8")
            else:
                shutil.copy2(origen / nombre, tmp_archivo / nombre)
        (tmp_archivo / PUBLICACION).write_text(texto_meta, encoding="utf-8")
        os.replace(tmp_archivo, archivo)
    finally:
        shutil.rmtree(tmp_archivo, ignore_errors=True)

    # 2. The consultation's folder, file by file (the Parquet last).
    destino = carpeta_publicada()
    destino.mkdir(parents=True, exist_ok=True)
    for nombre in ARCHIVOS:
        tmp = destino / f".{nombre}.tmp"
        try:
            shutil.copy2(archivo / nombre, tmp)
            os.replace(tmp, destino / nombre)
        finally:
            tmp.unlink(missing_ok=True)
    return meta
