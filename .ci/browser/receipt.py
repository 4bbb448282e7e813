"""An overlap-check receipt as a province prints it: headless Chromium opens the receipt's page
(Accept: text/html, as a browser asks), the rendered DOM must show the verdict, the platform and
the receipt id in Vietnamese with the plan's title escaped, and print to PDF must give a PDF whose
text (pdftotext) still reads in Vietnamese.

Usage: python receipt.py API_BASE"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

api = sys.argv[1]
plan = {
    "title": "Gói thầu số 02: Phần mềm hóa đơn điện tử <dùng chung> của tỉnh Quảng Ngãi",
    "requester": {"province": "Quảng Ngãi", "unit": "Sở Tài chính"},
}
request = urllib.request.Request(
    f"{api}/api/v1/overlap-checks", data=json.dumps(plan).encode(),
    headers={"Content-Type": "application/json"}, method="POST",
)
receipt = json.load(urllib.request.urlopen(request, timeout=30))
rid = receipt["id"]
browser = shutil.which("chromium") or shutil.which("chromium-browser")
if not browser:
    sys.exit("receipt: chromium is not installed")
flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
url = f"{api}/api/v1/overlap-checks/{rid}"
with tempfile.TemporaryDirectory() as work:
    dom = subprocess.run(
        [browser, *flags, f"--user-data-dir={work}/a", "--dump-dom", url],
        capture_output=True, text=True, timeout=120,
    ).stdout
    pdf = os.path.join(work, "receipt.pdf")
    subprocess.run(
        [browser, *flags, f"--user-data-dir={work}/b", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", url],
        capture_output=True, text=True, timeout=120,
    )
    with open(pdf, "rb") as f:
        head = f.read(5)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"], capture_output=True,
                          text=True, timeout=60).stdout
problems = []
for needle in ["PHIẾU KIỂM TRA TRÙNG LẶP", "CÓ KHẢ NĂNG TRÙNG LẶP", "Nền tảng hóa đơn điện tử",
               rid, "&lt;dùng chung&gt;", "Quảng Ngãi — Sở Tài chính"]:
    if needle not in dom:
        problems.append(f"the page lacks {needle!r}")
if "<dùng chung>" in dom:
    problems.append("the title is not escaped")
if head != b"%PDF-":
    problems.append("print to PDF gave no PDF")
for needle in ["PHIẾU KIỂM TRA", "CÓ KHẢ NĂNG TRÙNG LẶP", rid[:8]]:
    if needle not in text:
        problems.append(f"the PDF's text lacks {needle!r}")
if problems:
    sys.exit("receipt: " + "; ".join(problems))
print(f"receipt: {rid} renders in Chromium and prints to PDF in Vietnamese")
