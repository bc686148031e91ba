"""Deterministic compressed containers: gzip streams and 7z archives with fixed timestamps.

The same content always gives the same bytes: gzip headers carry mtime 0 and no file name, 7z entries carry
a fixed date (the reference period of the delivery) instead of the time of writing.
"""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from pathlib import Path
from typing import BinaryIO

import py7zr
from py7zr.helpers import ArchiveTimestamp

# Fast LZMA2 preset: the real deliveries are ordinary 7-Zip archives; the level is not visible to a reader.
SEVENZIP_FILTERS = [{"id": py7zr.FILTER_LZMA2, "preset": 1}]


def open_gzip(path: Path, level: int = 6) -> BinaryIO:
    """A binary stream that writes a gzip file with mtime 0 and an empty name field (byte-reproducible)."""
    raw = open(path, "wb")
    gz = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=level, mtime=0)
    # Closing the gzip stream does not close a fileobj it did not open: close both together.
    close = gz.close

    def _close() -> None:
        close()
        raw.close()

    gz.close = _close  # type: ignore[method-assign]
    return gz


def gzip_file(src: Path, dest: Path, level: int = 6) -> Path:
    """Compress `src` into `dest` (.gz) deterministically."""
    with open(src, "rb") as fin:
        out = open_gzip(dest, level)
        try:
            shutil.copyfileobj(fin, out, 8 << 20)
        finally:
            out.close()
    return dest


class _FixedTime7z(py7zr.SevenZipFile):
    """SevenZipFile whose streamed entries carry a fixed timestamp instead of 'now'."""

    fixed: float = 0.0

    def _make_file_info_from_name(self, bio, size, arcname):  # type: ignore[override]
        info = py7zr.SevenZipFile._make_file_info_from_name(bio, size, arcname)
        stamp = ArchiveTimestamp.from_datetime(self.fixed)
        info["creationtime"] = stamp
        info["lastwritetime"] = stamp
        info["lastaccesstime"] = stamp
        return info


def sevenzip_file(src: Path, dest: Path, arcname: str, when: dt.datetime) -> Path:
    """Put `src` into a new .7z archive `dest` as `arcname`, dated `when` (UTC), deterministically."""
    with open(src, "rb") as fin, _FixedTime7z(dest, "w", filters=SEVENZIP_FILTERS) as archive:
        archive.fixed = when.replace(tzinfo=dt.timezone.utc).timestamp()
        archive.writef(fin, arcname)
    return dest
