"""The SELECT list that lands a file's columns under their catalog names.

Source columns are referred to by position (`c0`, `c1`, ... from loaders.textfile.position_name), target
names come from the field catalog, and the names of fields the catalog does not know travel as a query
named parameter `$extras` (data), so nothing a header says is ever SQL.
"""

from __future__ import annotations

from loaders.catalog import EXTRAS_COLUMN, SOURCES_WITH_EXTRAS, HeaderPlan, known_fields
from loaders.sql import ident
from loaders.textfile import position_name


def source_column(plan: HeaderPlan, name: str, alias: str = "") -> str:
    """The SQL reference to a catalog field in the file (by position), or a NULL text when it is absent."""
    if name not in plan.known:
        return "null::varchar"
    return f"{alias + '.' if alias else ''}{position_name(plan.known[name])}"


def select_items(
    plan: HeaderPlan,
    fuente: str,
    entidad: str,
    alias: str = "",
    every_field: bool = True,
    exclude: tuple[str, ...] = (),
    casts: dict[str, str] | None = None,
) -> tuple[list[str], dict]:
    """(SELECT items, named parameters) for the non-personal catalog fields: every one of them (absent ones as
    NULL text, so a raw table of a text source always has the catalog's columns) or only those present
    (typed survey files, whose types come from the file). `casts` gives a type for some fields (text read
    from a CSV into a column a DBF quarter made numeric; blank -> NULL). Sources with extras add one map
    column holding the fields the catalog does not know."""
    items, params = [], {}
    for campo in known_fields(fuente, entidad).values():
        if campo.personal or campo.nombre in exclude or (not every_field and campo.nombre not in plan.known):
            continue
        ref = source_column(plan, campo.nombre, alias)
        if casts and campo.nombre in casts and campo.nombre in plan.known:
            ref = f"cast(nullif(trim({ref}), '') as {casts[campo.nombre]})"
        items.append(f"{ref} as {ident(campo.nombre)}")
    if fuente in SOURCES_WITH_EXTRAS:
        if plan.extras:
            refs = ", ".join(f"{alias + '.' if alias else ''}{position_name(i)}::varchar" for i in plan.extras.values())
            items.append(f"map($extras::varchar[], [{refs}]) as {ident(EXTRAS_COLUMN)}")
            params["extras"] = list(plan.extras)
        else:
            items.append(f"null::map(varchar, varchar) as {ident(EXTRAS_COLUMN)}")
    return items, params


def landing_columns(archivo: str, periodo_sql: str = "") -> tuple[str, dict]:
    """The columns every raw row carries: its file (a parameter) and when it was landed."""
    return f"{periodo_sql}$archivo as archivo, current_localtimestamp() as cargado_en", {"archivo": archivo}
