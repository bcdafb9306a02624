"""Hand-made .xlsx files: the smallest package openpyxl reads, with any sheet XML inside."""

import io
import zipfile

OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XML = '<?xml version="1.0" encoding="UTF-8"?>'
CONTENT_TYPES = (
    f"{XML}"
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OOXML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OOXML}.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'{XML}<Relationships xmlns="{PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'{XML}<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
    '<sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'{XML}<Relationships xmlns="{PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
HEADER = ("kpi_id", "period", "value", "note")


def column(index):
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cells(number, values):
    out = []
    for index, value in enumerate(values):
        ref = f"{column(index)}{number}"
        if isinstance(value, str):
            out.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
        else:
            out.append(f'<c r="{ref}"><v>{value}</v></c>')
    return f'<row r="{number}">{"".join(out)}</row>'


def sheet(rows_xml, dimension="A1:D1"):
    return (
        f'{XML}<worksheet xmlns="{MAIN}">'
        f'<dimension ref="{dimension}"/><sheetData>{rows_xml}</sheetData></worksheet>'
    )


def package(sheet_xml, extra=None):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def empty_rows_bomb(empty_rows):
    """A header, then this many empty (but present) rows, then one row of data at the end."""
    rows = [cells(1, HEADER)]
    rows.extend(f'<row r="{n}"/>' for n in range(2, empty_rows + 2))
    rows.append(cells(empty_rows + 2, (1, "2024-01-01", 5, "")))
    return package(sheet("".join(rows), dimension=f"A1:XFD{empty_rows + 2}"))


def huge_cell(characters):
    rows = cells(1, HEADER) + cells(2, (1, "2024-01-01", 5, "x" * characters))
    return package(sheet(rows))


def zip_bomb(padding_bytes):
    """A valid sheet followed by a comment of padding: tiny zipped, large unpacked."""
    rows = cells(1, HEADER) + cells(2, (1, "2024-01-01", 5, ""))
    xml = sheet(rows).replace("<sheetData>", f"<!--{' ' * padding_bytes}--><sheetData>")
    return package(xml)
