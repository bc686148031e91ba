"""What dbt puts in a model's Jinja context beyond sqlfluff's dbt builtins (ref, source, var, config, this,
is_incremental), for linting only: sqlfluff renders the SQL with these stand-ins and never runs it.

`execute` is False, as when dbt parses, so macros that read the warehouse (run_query, the column
introspection of enoe_columnas) take their parse-time branch and return empty lists."""

import datetime as _datetime
import re as _re
from types import SimpleNamespace as _Namespace

execute = False
project_name = "sidil"
# A dict answers both target.schema and target.get("user") in Jinja.
target = {"name": "lint", "type": "duckdb", "database": "sidil", "schema": "main", "user": "sidil"}
run_started_at = _datetime.datetime(2000, 1, 1)
graph = {"nodes": {}, "sources": {}}
modules = _Namespace(re=_re, datetime=_datetime)
# A raised compiler error would hide the file from the linter; the checks run in dbt, not here.
exceptions = _Namespace(raise_compiler_error=lambda *args, **kwargs: "", warn=lambda *args, **kwargs: "")


def _relacion(database=None, schema=None, identifier=None, **kwargs):
    return ".".join(p for p in (database, schema, identifier) if p)


def _quote(nombre):
    return '"' + str(nombre).replace('"', '""') + '"'


adapter = _Namespace(quote=_quote, get_columns_in_relation=lambda relacion: [])
api = _Namespace(Relation=_Namespace(create=_relacion))


def run_query(sql):
    return None
