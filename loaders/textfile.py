"""Delimited text files (.tab, .csv, .txt, gzipped or inside a .7z or .rar) as a DuckDB relation, streamed.

DuckDB reads the file itself (parallel, never through pandas). The header, delimiter and encoding are
decided here from the first line, and every column is declared as text, so DuckDB's sniffer never
guesses on a small or odd file. A row with too many or too few fields, or bytes that are not in the
file's encoding, stops the file with the line and field named.
"""

from __future__ import annotations

import contextlib
import gzip
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from loaders.errors import LoadError
from loaders.sql import literal


@dataclass(frozen=True)
class TextLayout:
    path: Path  # the plain or gzipped text file DuckDB reads
    columns: list[str]  # header names as the file writes them (data: never pasted into SQL)
    delimiter: str
    encoding: str
    compression: str  # none | gzip
    quoted: bool


EXTRACT_PREFIX = "sidil_7z_"


def extraction_root() -> Path:
    """Where archives are extracted: beside the warehouse, never inside an input folder (a run killed
    mid-extraction must not leave a second file for a period among the inputs)."""
    from loaders.warehouse import db_path

    root = db_path().resolve().parent / "extraccion"
    root.mkdir(parents=True, exist_ok=True)
    return root


def remove_leftovers(input_root: Path, log) -> None:
    """Delete extraction folders a killed run left behind: SIDIL's own (by prefix) under the extraction
    root, and those earlier versions made inside the input folder."""
    for folder in [*extraction_root().glob(EXTRACT_PREFIX + "*"), *input_root.rglob(EXTRACT_PREFIX + "*")]:
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            log(f"INFO: se borró la carpeta temporal {folder} que dejó una carga interrumpida.")


def _extract_7z(path: Path, archivo: str, tmp: Path) -> str:
    import py7zr

    try:
        with py7zr.SevenZipFile(path, "r") as archive:
            names = [n for n in archive.getnames() if not n.endswith("/")]
            if len(names) != 1:
                raise LoadError(archivo, f"el archivo .7z debe contener un solo archivo y contiene {len(names)}")
            archive.extractall(path=tmp)
    except LoadError:
        raise
    except Exception as exc:  # py7zr raises several types for damaged archives
        raise LoadError(archivo, f"el archivo .7z está dañado o truncado ({type(exc).__name__}: {exc})") from None
    return names[0]


def _extract_rar(path: Path, archivo: str, tmp: Path) -> str:
    """The one file of a RAR archive (RAR 4 or 5), streamed out through libarchive (the system's
    libarchive13 reads the compressed formats natively; no `unrar` binary is needed)."""
    import libarchive

    target = tmp / "contenido"
    found: list[str] = []
    try:
        with libarchive.file_reader(str(path)) as archive:
            for entry in archive:
                if entry.isdir:
                    continue
                found.append(entry.pathname)
                if len(found) > 1:
                    break
                with open(target, "wb") as out:  # the member's own name never becomes a path
                    for block in entry.get_blocks():
                        out.write(block)
    except Exception as exc:  # libarchive.ArchiveError and OS errors for damaged or unsupported archives
        raise LoadError(
            archivo,
            f"el archivo .rar está dañado, truncado o no se puede leer "
            f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})",
        ) from None
    if len(found) != 1:
        raise LoadError(
            archivo,
            f"el archivo .rar debe contener un solo archivo y contiene {len(found)}"
            f"{' o más' if len(found) > 1 else ''}",
        )
    return target.name


@contextlib.contextmanager
def plain_file(path: Path, archivo: str) -> Iterator[Path]:
    """The text file inside a .7z or .rar archive (extracted to a temporary folder beside the warehouse,
    removed afterwards), or the file itself."""
    suffix = path.suffix.lower()
    if suffix not in (".7z", ".rar"):
        yield path
        return
    tmp = Path(tempfile.mkdtemp(prefix=EXTRACT_PREFIX, dir=extraction_root()))
    try:
        name = (_extract_7z if suffix == ".7z" else _extract_rar)(path, archivo, tmp)
        inner = (tmp / name).resolve()
        if tmp.resolve() not in inner.parents or not inner.is_file():  # a name like ../../x
            raise LoadError(archivo, f"el archivo comprimido contiene una ruta no permitida ({name!r})")
        yield inner
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


SAMPLE_BYTES = 4 << 20


def _sample(path: Path, compression: str, archivo: str) -> bytes:
    """The first bytes of the (decompressed) file: header and enough rows to tell the encoding."""
    opener = gzip.open if compression == "gzip" else open
    try:
        with opener(path, "rb") as f:
            return f.read(SAMPLE_BYTES)
    except (OSError, EOFError) as exc:
        raise LoadError(archivo, f"el archivo comprimido está dañado o truncado ({exc})") from None


def _looks_utf8(sample: bytes) -> bool:
    """Non-ASCII text that decodes as UTF-8 (a character cut at the end of the sample is fine)."""
    if not any(b >= 0x80 for b in sample):
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 3


UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _mixed_encodings(sample: bytes, delimiter: bytes, columns: list[str], archivo: str) -> None:
    """Refuse a file that mixes UTF-8 text with bytes that are not UTF-8 (e.g. latin-1 rows appended to a
    UTF-8 file): whichever encoding is chosen, some rows would land garbled."""
    try:
        sample.decode("utf-8")
        return
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 or not UTF8_MULTIBYTE.search(sample[: exc.start]):
            return
        line_start = sample.rfind(b"\n", 0, exc.start) + 1
        fila = sample.count(b"\n", 0, exc.start) + 1
        idx = sample.count(delimiter, line_start, exc.start)
        campo = columns[idx] if idx < len(columns) else None
        raise LoadError(
            archivo,
            "el archivo mezcla texto UTF-8 con bytes que no son UTF-8 (codificación equivocada en parte del archivo)",
            fila=fila,
            campo=campo,
        ) from None


def layout(path: Path, archivo: str, encoding: str = "utf-8") -> TextLayout:
    """Header, delimiter and quoting of a text file. `encoding` is what the source catalog declares
    (utf-8, latin-1, or auto: decided from the first megabytes). DuckDB rejects bytes that are not UTF-8
    in a UTF-8 file, and a file declared latin-1 that is really UTF-8 is refused here (it would
    otherwise land with garbled accents)."""
    compression = "gzip" if path.suffix.lower() == ".gz" else "none"
    sample = _sample(path, compression, archivo)
    head = sample.split(b"\n", 1)[0].rstrip(b"\r")
    if not head:
        raise LoadError(archivo, "el archivo está vacío (no tiene encabezado)", fila=1)
    if encoding == "auto":  # deliveries that changed encoding over time: tell from the first megabytes
        encoding = "utf-8" if _looks_utf8(sample) or not any(b >= 0x80 for b in sample) else "latin-1"
    elif encoding == "latin-1" and _looks_utf8(sample):
        raise LoadError(
            archivo,
            "el archivo está en UTF-8 y el catálogo de fuentes (seeds/fuentes.csv) dice "
            "latin-1: codificación equivocada",
        )
    try:
        text = head.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError:
        raise LoadError(archivo, f"el encabezado no está en {encoding} (codificación equivocada)", fila=1) from None
    delimiter = "\t" if "\t" in text else ("|" if text.count("|") > text.count(",") else ",")
    quoted = delimiter == ","  # comma files quote the fields that contain commas; tab files never quote
    columns = [c.strip().strip('"').strip() for c in text.split(delimiter)]
    if len(columns) == 1:
        raise LoadError(
            archivo,
            f"no se reconoce el delimitador: el encabezado no tiene tabuladores, comas ni barras ({text[:80]!r})",
            fila=1,
        )
    _mixed_encodings(sample, delimiter.encode(), columns, archivo)
    return TextLayout(path, columns, delimiter, encoding, compression, quoted)


def position_name(i: int) -> str:
    """The name a file's i-th column (0-based) has in SQL: its position, never what its header says."""
    return f"c{i}"


def _read_sql(lay: TextLayout, rejects: str | None) -> str:
    """read_csv over the file, every column text and named by position. Delimiter, encoding and
    compression come from fixed sets; the path is escaped."""
    assert lay.delimiter in ("\t", "|", ",") and lay.encoding in ("utf-8", "latin-1")
    assert lay.compression in ("none", "gzip")
    cols = "{" + ", ".join(f"'{position_name(i)}': 'VARCHAR'" for i in range(len(lay.columns))) + "}"
    opts = [
        "header = true",
        "auto_detect = false",
        f"columns = {cols}",
        f"delim = '{lay.delimiter}'",
        f"compression = '{lay.compression}'",
        f"encoding = '{lay.encoding}'",
        "quote = '\"', escape = '\"'" if lay.quoted else "quote = '', escape = ''",
    ]
    if rejects:
        opts.append(
            f"store_rejects = true, rejects_table = '{rejects}_err', rejects_scan = '{rejects}_scan', "
            f"rejects_limit = 1000"
        )
    return f"read_csv({literal(str(lay.path))}, {', '.join(opts)})"


NUL_MARKER = "sidil: bytes nulos"


def relation_sql(lay: TextLayout) -> str:
    """SQL reading the file with every column as text, named c0, c1, ... by position. A value holding a
    NUL byte (a damaged delivery: DuckDB would land it) stops the query with NUL_MARKER; `find_nul` then
    names its row and field. Checking inside the one read costs far less than a second pass."""
    cols = [position_name(i) for i in range(len(lay.columns))]
    guard = " or ".join(f"coalesce(contains({c}, chr(0)), false)" for c in cols)
    return f"(select * from {_read_sql(lay, None)} where case when {guard} then error('{NUL_MARKER}') else true end)"


def find_nul(lay: TextLayout, archivo: str) -> None:
    """Refuse a file with NUL bytes (a damaged delivery: DuckDB would land them inside the values),
    naming the row and field of the first one. Runs only after the read found one (see relation_sql)."""
    opener = gzip.open if lay.compression == "gzip" else open
    lines, tail = 0, b""
    try:
        with opener(lay.path, "rb") as f:
            while block := f.read(16 << 20):
                at = block.find(b"\0")
                if at < 0:
                    lines += block.count(b"\n")
                    tail = block[block.rfind(b"\n") + 1 :] if b"\n" in block else tail + block
                    continue
                line_start = block.rfind(b"\n", 0, at) + 1
                row_text = (tail if line_start == 0 else b"") + block[line_start:at]
                fila = lines + block.count(b"\n", 0, at) + 1
                idx = row_text.count(lay.delimiter.encode())
                campo = lay.columns[idx] if idx < len(lay.columns) else f"campo {idx + 1}"
                raise LoadError(
                    archivo,
                    "el archivo contiene bytes nulos (\\0): entrega dañada; pida el archivo de nuevo",
                    fila=fila,
                    campo=campo,
                )
    except (OSError, EOFError) as exc:
        raise LoadError(archivo, f"el archivo comprimido está dañado o truncado ({exc})") from None


def explain_failure(
    con: duckdb.DuckDBPyConnection,
    lay: TextLayout,
    archivo: str,
    exc: Exception,
    redact: Callable[[str | None], str | None],
) -> tuple[LoadError, list[tuple[int | None, str | None, str | None, str]]]:
    """After a strict read failed: re-read keeping the rejected rows, and name the first one's line and
    field. The rejected lines pass through `redact` (personal identifiers become pseudonyms) before they
    are kept or shown."""
    if NUL_MARKER in str(exc):
        find_nul(lay, archivo)  # raises, naming row and field
        return LoadError(archivo, "el archivo contiene bytes nulos (\\0): entrega dañada"), []
    sql = _read_sql(lay, "sidil_rej")
    rows: list[tuple[int | None, str | None, str | None, str]] = []
    con = con.cursor()  # its own transaction: the caller's failed one accepts no more statements
    n = len(lay.columns)
    try:
        every_column = ", ".join(position_name(i) for i in range(n))  # count(*) alone would not decode
        con.execute(f"select sum(length(concat_ws('', {every_column}))) from {sql}").fetchall()
        found = con.execute(
            "select line, column_idx, column_name, error_type, csv_line, error_message from sidil_rej_err "
            "order by line limit 1000"
        ).fetchall()
        for line, idx, name, etype, csv_line, msg in found:
            at = re.fullmatch(r"c(\d+)", name or "")  # the column's position name (see position_name)
            position = int(at.group(1)) if at else (idx - 1 if idx else None)
            campo = lay.columns[position] if position is not None and 0 <= position < n else None
            if etype == "TOO MANY COLUMNS":
                campo = f"campo {n + 1} (sobrante; el encabezado tiene {n})"
            first = (msg or "").split("\n", 1)[0]
            rows.append(
                (
                    int(line) if line is not None else None,
                    campo,
                    redact((csv_line or "").strip("\r\n")[:500]),
                    redact(f"{etype}: {first}"),
                )
            )
    except duckdb.Error:
        pass
    finally:
        for t in ("sidil_rej_err", "sidil_rej_scan"):
            with contextlib.suppress(duckdb.Error):
                con.execute(f"drop table if exists {t}")
    if rows:
        line, campo, _valor, error = rows[0]
        kind = error.split(":", 1)[0]
        mensaje = {
            "TOO MANY COLUMNS": "la fila tiene más campos que el encabezado (¿delimitador equivocado o campo con "
            "tabulador?)",
            "MISSING COLUMNS": "la fila tiene menos campos que el encabezado (¿archivo truncado?)",
            "INVALID ENCODING": f"bytes que no son {lay.encoding} (codificación equivocada)",
            "UNQUOTED VALUE": "comillas sin cerrar o mal colocadas",
            "LINE SIZE OVER MAXIMUM": "la fila es demasiado larga (más de 2 MB: ¿falta el fin de línea o un "
            "delimitador?)",
        }.get(kind, error)
        return LoadError(archivo, f"{mensaje}; {len(rows)} fila(s) rechazada(s)", fila=line, campo=campo), rows
    text = redact(str(exc).split("\n", 1)[0])
    return LoadError(archivo, f"no se pudo leer el archivo ({text})"), rows
