"""The exports open right in third-party spreadsheet software: LibreOffice (headless) opens the CSV
and the workbook with every Vietnamese name intact, and openpyxl reads the workbook: a bold,
frozen header row, column widths, dates as dates, one row per platform.

Usage: python spreadsheets.py BASE_URL WORKDIR (soffice on the PATH, openpyxl importable)."""

import csv
import datetime
import json
import os
import subprocess
import sys
import urllib.request

import openpyxl

base, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)


def fetch(path: str) -> bytes:
    with urllib.request.urlopen(base + path) as response:
        return response.read()


def check(condition: bool, what: str) -> None:
    if not condition:
        sys.exit(f"spreadsheets: {what}")
    print(f"ok: {what}")


# What the API says, page by page: every platform's Vietnamese name.
names: dict[str, str] = {}
page = 1
while True:
    body = json.loads(fetch(f"/api/v1/platforms?per_page=100&page={page}"))
    names.update({p["code"]: p["name_vi"] for p in body["items"]})
    if page * 100 >= body["total"]:
        break
    page += 1

csv_path, xlsx_path = os.path.join(work, "platforms.csv"), os.path.join(work, "platforms.xlsx")
raw = fetch("/api/v1/platforms/export?format=csv")
check(raw.startswith(b"\xef\xbb\xbf"), "the CSV starts with a UTF-8 byte-order mark")
check(raw.count(b"\n") == raw.count(b"\r\n"), "the CSV ends every line with CRLF")
open(csv_path, "wb").write(raw)
open(xlsx_path, "wb").write(fetch("/api/v1/platforms/export?format=xlsx"))


def libreoffice(source: str, target_dir: str, infilter: str | None) -> str:
    """Converts `source` to a UTF-8 CSV with LibreOffice and returns its path."""
    command = ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{work}/lo-profile"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", target_dir, source]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    return os.path.join(target_dir, os.path.splitext(os.path.basename(source))[0] + ".csv")


def rows_of(path: str) -> dict[str, list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    return {row[header.index("code")]: row for row in rows[1:]}, header


# LibreOffice opens the workbook as it is, and the CSV as a UTF-8 CSV (LibreOffice 7.4 headless
# ignores the byte-order mark and reads a CSV in the system's charset unless told).
for source, infilter in [(xlsx_path, None), (csv_path, "CSV:44,34,76,1")]:
    out = libreoffice(source, os.path.join(work, "lo-" + os.path.basename(source).replace(".", "-")), infilter)
    rows, header = rows_of(out)
    intact = sum(1 for code, name in names.items() if code in rows and rows[code][header.index("name_vi")] == name)
    check(intact == len(names), f"LibreOffice opens {os.path.basename(source)}: {intact} of {len(names)} Vietnamese names intact")

# openpyxl reads the workbook.
book = openpyxl.load_workbook(xlsx_path)
sheet = book.active
header = [cell.value for cell in sheet[1]]
check(header[:3] == ["code", "name_vi", "name_en"], "openpyxl reads the header row")
check(all(cell.font.bold for cell in sheet[1]), "the header row is bold")
check(sheet.freeze_panes == "A2", "the header row is frozen")
check(sheet.column_dimensions["B"].width and sheet.column_dimensions["B"].width > 30, "name_vi has a wide column")
check(sheet.max_row == len(names) + 1, f"{sheet.max_row - 1} rows, one per platform")
by_code = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
check(all(by_code[c][1] == n for c, n in names.items()), "every Vietnamese name intact in openpyxl")
updated = header.index("updated_at")
check(all(isinstance(r[updated], datetime.datetime) for r in by_code.values()), "updated_at cells are dates")
dated = header.index("legal_basis_date")
check(any(isinstance(r[dated], datetime.datetime) for r in by_code.values()), "legal_basis_date cells are dates")
print("spreadsheets: LibreOffice and openpyxl open the exports")
