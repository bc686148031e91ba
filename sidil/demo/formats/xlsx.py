"""Deterministic single-sheet .xlsx writer for large tables, vectorised with pyarrow.

openpyxl (even write_only) formats every cell in Python, too slow for the half million rows of a riesgos cut,
so the sheet XML is built column by column with pyarrow compute and zipped with fixed entry dates and a fixed
docProps date. The result is an ordinary Office Open XML workbook (openpyxl, pandas and Excel read it):
strings are inline strings, numbers plain values, dates Excel serial numbers with a date style.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sidil.xlsx import letra_columna

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" '
    'Target="docProps/app.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    "</Relationships>"
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _escape(values: pa.Array) -> pa.Array:
    for old, new in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        values = pc.replace_substring(values, old, new)
    return values


def _cells(values: pa.Array, col: str, rows: pa.Array) -> pa.Array:
    """The `<c>` element of every row for one column (empty string for a null)."""
    ref = pc.binary_join_element_wise(pa.scalar(col), rows, "")
    t = values.type
    if pa.types.is_date(t) or pa.types.is_timestamp(t):
        days = pc.fill_null(values.cast(pa.date32()).cast(pa.int32()), 0).to_numpy()
        serial = pa.array(
            days.astype(np.int64) + (np.datetime64("1970-01-01", "D") - _EXCEL_EPOCH).astype(np.int64),
            mask=np.asarray(values.is_null()),
        )
        body = pc.binary_join_element_wise('<c r="', ref, '" s="1"><v>', serial.cast(pa.string()), "</v></c>", "")
    elif pa.types.is_integer(t) or pa.types.is_floating(t):
        body = pc.binary_join_element_wise('<c r="', ref, '"><v>', values.cast(pa.string()), "</v></c>", "")
    else:
        text = _escape(values.cast(pa.string()))
        body = pc.binary_join_element_wise('<c r="', ref, '" t="inlineStr"><is><t>', text, "</t></is></c>", "")
    return pc.fill_null(body, "")


def _sheet_xml(table: pa.Table) -> bytes:
    n = table.num_rows
    rows = pa.array(np.arange(2, n + 2)).cast(pa.string())
    letters = [letra_columna(k) for k in range(table.num_columns)]
    head = "".join(
        f'<c r="{c}1" t="inlineStr"><is><t>{name}</t></is></c>' for c, name in zip(letters, table.column_names)
    )
    parts = [pc.binary_join_element_wise('<row r="', rows, '">', "")]
    for k, name in enumerate(table.column_names):
        parts.append(_cells(table.column(name).combine_chunks(), letters[k], rows))
    parts.append(pa.array(["</row>"] * n) if n else pa.array([], pa.string()))
    body = pc.binary_join_element_wise(*parts, "")
    # The concatenated rows are the string array's data buffer between its first and last offsets.
    offsets = np.frombuffer(body.buffers()[1], dtype=np.int32)[body.offset : body.offset + n + 1]
    data = body.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]] if n else b""
    last = f"{letters[-1]}{n + 1}"
    return (
        (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="A1:{last}"/><sheetData><row r="1">{head}</row>'
        ).encode()
        + data
        + b"</sheetData></worksheet>"
    )


def write_xlsx(path: Path, table: pa.Table, sheet: str, when: dt.datetime, creator: str = "IMSS") -> Path:
    """Write `table` as the only sheet of an .xlsx workbook, dated `when` in its properties."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{creator}</dc:creator><cp:lastModifiedBy>{creator}</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    app = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Excel</Application></Properties>"
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    parts = [
        ("[Content_Types].xml", _CONTENT_TYPES.encode()),
        ("_rels/.rels", _RELS.encode()),
        ("docProps/app.xml", app.encode()),
        ("docProps/core.xml", core.encode()),
        ("xl/workbook.xml", workbook.encode()),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.encode()),
        ("xl/styles.xml", _STYLES.encode()),
        ("xl/worksheets/sheet1.xml", _sheet_xml(table)),
    ]
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, data, compresslevel=6)
    return path
