"""Errors a loader reports to the analyst: always naming the file and, when known, the row and field."""

from __future__ import annotations


class LoadError(Exception):
    """A file (or database table) could not be landed. Nothing of it was written."""

    def __init__(self, archivo: str, mensaje: str, fila: int | None = None, campo: str | None = None):
        self.archivo = archivo
        self.fila = fila
        self.campo = campo
        self.mensaje = mensaje
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [f"archivo {self.archivo}"]
        if self.fila is not None:
            where.append(f"fila {self.fila}")
        if self.campo is not None:
            where.append(f"campo {self.campo}")
        return f"{', '.join(where)}: {self.mensaje}"


class WarehouseBusy(Exception):
    """Another process holds the DuckDB write lock."""
