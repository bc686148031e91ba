"""Catalog versions kept by the operators (sidil.catalogos, the logic of the tab "Carga de catálogos"): which
catalogs (a seed YAML property), a new version validated (columns, types, every data test of the seeds run by
dbt on a scratch warehouse) before it becomes current, messages naming row and column, every version kept with
user, date and comment, the previous one restored in one click, the active folder dbt and the loaders read,
downloads that round-trip, hostile names and files."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from loaders import catalog as loader_catalog
from sidil import catalogos as cat
from sidil.interfaz.auditoria import eventos

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def versiones(tmp_path, monkeypatch):
    monkeypatch.setenv("SIDIL_CATALOGOS", str(tmp_path / "catalogos"))
    monkeypatch.setenv("SIDIL_AUDITORIA", str(tmp_path / "auditoria.log"))
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "wh" / "sidil.duckdb"))
    monkeypatch.delenv("SIDIL_SEMILLAS", raising=False)
    return tmp_path


def _csv(ruta: Path, columnas: list[str], filas: list[list[str]]) -> Path:
    with open(ruta, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(columnas)
        w.writerows(filas)
    return ruta


def _semilla(nombre: str) -> tuple[list[str], list[list[str]]]:
    with open(ROOT / "seeds" / f"{nombre}.csv", encoding="utf-8", newline="") as f:
        filas = list(csv.reader(f))
    return filas[0], filas[1:]


def _archivos_versiones(tmp: Path) -> list[str]:
    base = tmp / "catalogos"
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*.csv")) if base.exists() else []


def test_catalogos_que_mantiene_el_operador():
    cats = cat.catalogos()
    assert set(cats) >= {
        "campos_insumo",
        "indicadores",
        "niveles_agregacion",
        "dne_campos",
        "submaterias_modelo",
        "semaforos_reglas",
        "imss_metas_empleo_formal",
        "scian2018",
        "inegi_municipios",
        "calendario_publicacion",
    }
    assert "fuentes" not in cats and "mpr_columnas" not in cats  # not marked in the YAML
    assert cats["indicadores"].etiqueta == "Catálogo de indicadores"
    assert cats["imss_metas_empleo_formal"].column_types["meta_anual"] == "integer"


def test_sin_versiones_todo_queda_como_en_el_repositorio(versiones, monkeypatch):
    monkeypatch.setenv("SIDIL_SEMILLAS", "algo/viejo")
    activas = cat.preparar_semillas()
    assert set(activas.values()) == {"repositorio"} and set(activas) == set(cat.catalogos())
    assert "SIDIL_SEMILLAS" not in os.environ
    assert loader_catalog.seeds_dir() == ROOT / "seeds"
    assert cat.anterior("indicadores") is None
    with pytest.raises(cat.CatalogoError, match="no tiene una versión anterior"):
        cat.restaurar_anterior("indicadores", "olga")


def test_version_nueva_dbt_la_usa_y_se_restaura(versiones, tmp_path):
    columnas, filas = _semilla("submaterias_modelo")
    nueva = _csv(tmp_path / "nueva.csv", columnas, [*filas, ["999", "sí", "una submateria nueva"]])
    r = cat.cargar_version("submaterias_modelo", nueva, "submaterias corregidas.csv", "olga", "agrego la 999")
    assert r.ok and r.version == "v0001", r.mensajes
    assert r.mensajes[-1] == (
        "INFO: catálogo submaterias_modelo guardado como versión v0001 (11 filas); es la "
        "versión vigente desde la próxima ejecución."
    )
    assert cat.activa("submaterias_modelo") == "v0001" and cat.anterior("submaterias_modelo") == "repositorio"
    v = cat.versiones("submaterias_modelo")
    assert [(x["version"], x["activa"], x["anterior"]) for x in v] == [
        ("v0001", True, False),
        ("repositorio", False, True),
    ]
    assert (v[0]["usuario"], v[0]["comentario"], v[0]["archivo_original"], v[0]["filas"]) == (
        "olga",
        "agrego la 999",
        "submaterias corregidas.csv",
        11,
    )
    # the active folder: the repository's seeds with v0001 over them, inside the project, read by dbt
    activas = cat.preparar_semillas()
    assert activas["submaterias_modelo"] == "v0001" and activas["indicadores"] == "repositorio"
    relativa = os.environ["SIDIL_SEMILLAS"]
    assert relativa.startswith("target/semillas_activas/") and not Path(relativa).is_absolute()
    carpeta = ROOT / relativa
    assert (carpeta / "submaterias_modelo.csv").read_text(encoding="utf-8").endswith("999,sí,una submateria nueva\n")
    assert (carpeta / "indicadores.csv").read_bytes() == (ROOT / "seeds" / "indicadores.csv").read_bytes()
    assert (carpeta / "_seeds.yml").read_bytes() == (ROOT / "seeds" / "_seeds.yml").read_bytes()
    db = tmp_path / "dbt.duckdb"
    env = dict(os.environ, SIDIL_DB=str(db), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    res = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "seed",
            "--select",
            "submaterias_modelo",
            "--project-dir",
            str(ROOT),
            "--profiles-dir",
            str(ROOT),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stdout[-3000:]
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*), max(submateria_id) from staging.submaterias_modelo").fetchone() == (11, 999)
    con.close()
    assert (carpeta / "submaterias_modelo.csv").read_text(encoding="utf-8").endswith("una submateria nueva\n")
    # one click restores the previous version; the one after that is the one just replaced
    r = cat.restaurar_anterior("submaterias_modelo", "ana")
    assert r.ok and r.version == "repositorio"
    assert r.mensajes == ["INFO: catálogo submaterias_modelo: se restauró la versión repositorio (reemplaza a v0001)."]
    assert cat.activa("submaterias_modelo") == "repositorio" and cat.anterior("submaterias_modelo") == "v0001"
    assert cat.preparar_semillas()["submaterias_modelo"] == "repositorio" and "SIDIL_SEMILLAS" not in os.environ
    assert cat.restaurar_anterior("submaterias_modelo", "ana").version == "v0001"
    assert [(e["usuario"], e["accion"]) for e in eventos()] == [
        ("olga", "catalogo_cargado"),
        ("ana", "catalogo_restaurado"),
        ("ana", "catalogo_restaurado"),
    ]
    assert json.loads(eventos()[0]["detalle"])["version"] == "v0001"


def test_los_cargadores_leen_el_catalogo_de_campos_vigente(versiones, tmp_path):
    columnas, filas = _semilla("campos_insumo")
    fila = ["imss", "puestos", "dato_nuevo", "no", "no", "campo agregado por el operador"]
    r = cat.cargar_version("campos_insumo", _csv(tmp_path / "c.csv", columnas, [*filas, fila]), "c.csv", "olga", "")
    assert r.ok, r.mensajes
    assert "dato_nuevo" not in loader_catalog.known_fields("imss", "puestos")
    cat.preparar_semillas()
    assert "dato_nuevo" in loader_catalog.known_fields("imss", "puestos")
    cat.restaurar_anterior("campos_insumo", "olga")
    cat.preparar_semillas()
    assert "dato_nuevo" not in loader_catalog.known_fields("imss", "puestos")


def test_rechazos_con_fila_y_columna_por_dbt(versiones, tmp_path):
    """Values that parse but break the seeds' data tests: dbt says which test, the message names the rows."""
    columnas, filas = _semilla("submaterias_modelo")
    malas = [*filas, ["201", "sí", "repetida"], ["777", "quizás", "valor no admitido"]]
    antes = _archivos_versiones(tmp_path)
    r = cat.cargar_version("submaterias_modelo", _csv(tmp_path / "m.csv", columnas, malas), "m.csv", "olga", "")
    assert not r.ok
    assert "***ERROR***: columna submateria_id: cada valor debe ser único; se repiten '201' (filas 2, 12)" in r.mensajes
    assert "***ERROR***: columna modelar: valores no admitidos 'quizás' (fila 13); se admiten: sí, no" in r.mensajes
    assert r.mensajes[-1] == (
        "***ERROR***: el catálogo submaterias_modelo no cambió: sigue vigente la versión repositorio."
    )
    assert cat.activa("submaterias_modelo") == "repositorio" and _archivos_versiones(tmp_path) == antes
    assert [(e["usuario"], e["accion"]) for e in eventos()] == [("olga", "catalogo_rechazado")]


def test_rechazo_por_relacion_con_otro_catalogo(versiones, tmp_path):
    """A SCIAN version that drops a code another catalog uses is refused, naming that catalog and the code."""
    columnas, filas = _semilla("scian2018")
    i = columnas.index("codigo")
    usados = {r[columnas.index("scian2018_3")] if "scian2018_3" in columnas else None for r in filas}
    fraccion_cols, fraccion = _semilla("imss_fraccion_scian2018")
    codigo = fraccion[0][fraccion_cols.index("scian2018_3")]
    sin_codigo = [f for f in filas if f[i] != codigo]
    assert len(sin_codigo) == len(filas) - 1 and usados
    r = cat.cargar_version("scian2018", _csv(tmp_path / "s.csv", columnas, sin_codigo), "s.csv", "olga", "")
    assert not r.ok
    assert any(
        m.startswith(
            "***ERROR***: el catálogo imss_fraccion_scian2018 usa en su columna scian2018_3 valores "
            "que la nueva versión de scian2018 ya no tiene en la columna codigo"
        )
        and repr(codigo) in m
        for m in r.mensajes
    ), r.mensajes
    assert cat.activa("scian2018") == "repositorio"


@pytest.mark.parametrize(
    "caso,esperado",
    [
        ("falta_columna", "fila 1: faltan las columnas meta_anual"),
        ("columna_de_mas", "fila 1: columnas desconocidas 'meta_nueva'"),
        ("tipo", "fila 3, columna meta_anual: el valor 'mucho' no es un número entero"),
        ("fecha", "fila 2, columna vigente_desde: el valor '31/12/2020' no es una fecha AAAA-MM-DD"),
        ("vacio", "está vacío"),
        ("solo_encabezado", "solo tiene el encabezado"),
        ("fila_corta", "fila 4: tiene 2 valores y el encabezado 6 columnas"),
        ("extension", "no es CSV ni XLSX"),
        ("xlsx_falso", "no es un XLSX válido"),
    ],
)
def test_rechazos_de_forma_y_tipo(versiones, tmp_path, caso, esperado):
    columnas, filas = _semilla("imss_metas_empleo_formal")
    filas = [list(f) for f in filas]
    nombre, ruta = "metas.csv", tmp_path / "metas.csv"
    if caso == "falta_columna":
        _csv(ruta, columnas[:-1], [f[:-1] for f in filas])
    elif caso == "columna_de_mas":
        _csv(ruta, [*columnas, "meta_nueva"], [[*f, "1"] for f in filas])
    elif caso == "tipo":
        filas[1][columnas.index("meta_anual")] = "mucho"
        _csv(ruta, columnas, filas)
    elif caso == "fecha":
        filas[0][columnas.index("vigente_desde")] = "31/12/2020"
        _csv(ruta, columnas, filas)
    elif caso == "vacio":
        ruta.write_bytes(b"")
    elif caso == "solo_encabezado":
        _csv(ruta, columnas, [])
    elif caso == "fila_corta":
        filas[2] = filas[2][:2]
        _csv(ruta, columnas, filas)
    elif caso == "extension":
        nombre = "../../metas.exe"
        _csv(ruta, columnas, filas)
    elif caso == "xlsx_falso":
        nombre = "metas.xlsx"
        ruta.write_bytes(b"PK no es un libro")
    r = cat.cargar_version("imss_metas_empleo_formal", ruta, nombre, "olga", "")
    assert not r.ok
    assert any(esperado in m for m in r.mensajes), r.mensajes
    assert all(m.startswith(("***ERROR***: ", "***ADVERTENCIA***: ")) for m in r.mensajes)
    assert cat.activa("imss_metas_empleo_formal") == "repositorio" and _archivos_versiones(tmp_path) == []


@pytest.mark.parametrize(
    "nombre,version",
    [
        ("../../etc/passwd", "repositorio"),
        ("fuentes", "repositorio"),
        ("indicadores", "../../../etc/passwd"),
        ("indicadores", "v0001"),
    ],
)
def test_nombres_hostiles(versiones, nombre, version):
    with pytest.raises(cat.CatalogoError):
        cat.ruta_version(nombre, version)
    with pytest.raises(cat.CatalogoError):
        cat.exportar_csv(nombre, version)


def test_descargas_csv_y_xlsx_ida_y_vuelta(versiones, tmp_path):
    """The XLSX download keeps codes as text ('01'); uploading it back unchanged is accepted and gives the same
    rows; the CSV download neutralises a formula-like cell and the upload reads it back as it was."""
    columnas, filas = _semilla("imss_metas_empleo_formal")
    libro = openpyxl.load_workbook(io.BytesIO(cat.exportar_xlsx("imss_metas_empleo_formal", "repositorio")))
    hoja = libro.worksheets[0]
    valores = [[c.value for c in fila] for fila in hoja.iter_rows()]
    assert valores[0] == columnas and valores[1] == filas[0] and valores[1][0] == "01"
    ruta = tmp_path / "metas.xlsx"
    ruta.write_bytes(cat.exportar_xlsx("imss_metas_empleo_formal", "repositorio"))
    r = cat.cargar_version("imss_metas_empleo_formal", ruta, "metas.xlsx", "olga", "sin cambios")
    assert r.ok, r.mensajes
    assert cat._leer_csv_semilla(cat.ruta_version("imss_metas_empleo_formal", "v0001")) == (columnas, filas)
    # a formula-like comment in semaforos_reglas' description
    columnas, filas = _semilla("semaforos_reglas")
    d = columnas.index("descripcion")
    filas[0][d] = '=HYPERLINK("http://x")'
    r = cat.cargar_version("semaforos_reglas", _csv(tmp_path / "s.csv", columnas, filas), "s.csv", "olga", "")
    assert r.ok, r.mensajes
    descarga = cat.exportar_csv("semaforos_reglas", "v0001").decode("utf-8-sig")
    assert "'=HYPERLINK" in descarga
    ruta = tmp_path / "s2.csv"
    ruta.write_text(descarga, encoding="utf-8")
    cand = cat.leer_candidato("semaforos_reglas", ruta, "s2.csv")
    assert cand.filas[0][d] == '=HYPERLINK("http://x")'
    libro = openpyxl.load_workbook(io.BytesIO(cat.exportar_xlsx("semaforos_reglas", "v0001")))
    celda = libro.worksheets[0].cell(row=2, column=d + 1)
    assert celda.value == '=HYPERLINK("http://x")' and celda.data_type == "s"


@pytest.mark.parametrize("valor", ["x; drop table raw.load_manifest; --", 'col"', "Columna Nueva", "año"])
def test_un_nombre_que_llega_a_sql_debe_ser_seguro(versiones, tmp_path, valor):
    """dne_campos.columna becomes a warehouse column in the DNE models (macro atributos_dne): a value that could
    end a name or a statement is refused before dbt ever sees it."""
    columnas, filas = _semilla("dne_campos")
    i = columnas.index("columna")
    n = next(k for k, f in enumerate(filas) if f[i])
    filas[n][i] = valor
    r = cat.cargar_version("dne_campos", _csv(tmp_path / "d.csv", columnas, filas), "d.csv", "olga", "")
    assert not r.ok
    assert (
        f"***ERROR***: fila {n + 2}, columna columna: el valor {valor!r} no es un nombre válido (solo minúsculas "
        f"sin acentos, dígitos y _)" in r.mensajes
    )
    assert not any("dbt" in m for m in r.mensajes)  # refused before the data tests
    assert cat.activa("dne_campos") == "repositorio"
