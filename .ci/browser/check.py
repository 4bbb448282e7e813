"""A page on another origin calls the API from headless Chromium (CORS): serves page.html on
PAGE_PORT, opens it in Chromium with a fresh profile, and reads the results from the DOM.

Usage: python check.py API_BASE PAGE_PORT BTC_TOKEN (the API allows http://localhost:PAGE_PORT)."""

import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse

api, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
here = os.path.dirname(os.path.abspath(__file__))
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


handler = functools.partial(Quiet, directory=here)
server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
threading.Thread(target=server.serve_forever, daemon=True).start()

browser = shutil.which("chromium") or shutil.which("chromium-browser")
if not browser:
    sys.exit("browser: chromium is not installed")
query = urllib.parse.urlencode({"api": api, "token": token})
with tempfile.TemporaryDirectory() as profile:
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--virtual-time-budget=20000", "--dump-dom", f"http://localhost:{port}/page.html?{query}"],
        capture_output=True, text=True, timeout=120,
    )
dom = result.stdout
lines = [l for l in dom.split("<pre id=\"out\">", 1)[-1].split("</pre>", 1)[0].splitlines() if l]
print("\n".join(lines))
if "DONE" not in lines or any(l.startswith("FAIL") for l in lines) or len(lines) < 9:
    sys.exit("browser: the cross-origin page did not pass\n" + result.stderr[-2000:])
print("browser: a page on another origin uses the API from headless Chromium")
