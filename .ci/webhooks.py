"""Real webhook deliveries are accepted by a Standard Webhooks verifier from a registry (the
`standardwebhooks` Python package), and a tampered one is refused.

Usage: python webhooks.py BASE_URL OPERATOR_TOKEN BTC_TOKEN (the server must allow private
webhook targets: the receiver listens on 127.0.0.1)."""

import base64
import http.server
import json
import queue
import sys
import threading
import urllib.request

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

base, operator, btc = sys.argv[1], sys.argv[2], sys.argv[3]
SECRET = "a-long-random-shared-secret-for-ci"
deliveries: "queue.Queue[tuple[dict[str, str], bytes]]" = queue.Queue()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        deliveries.put(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()


def call(method: str, path: str, token: str, body: dict, content_type: str = "application/json") -> dict:
    request = urllib.request.Request(
        base + path,
        method=method,
        data=json.dumps(body).encode(),
        headers={"authorization": f"Bearer {token}", "content-type": content_type},
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"{}")


def check(condition: bool, what: str) -> None:
    if not condition:
        sys.exit(f"webhooks: {what}")
    print(f"ok: {what}")


call("POST", "/api/v1/webhooks", operator, {
    "url": f"http://127.0.0.1:{server.server_port}/hooks/ndp", "secret": SECRET, "ministry": "BTC",
})
call("PATCH", "/api/v1/platforms/tabmis", btc, {"status": "piloting"}, "application/merge-patch+json")
headers, body = deliveries.get(timeout=60)
for name in ["webhook-id", "webhook-timestamp", "webhook-signature", "x-ndp-signature"]:
    check(name in headers, f"the delivery carries {name}")
# A Standard Webhooks library takes the secret as "whsec_" and its bytes in base64.
verifier = Webhook("whsec_" + base64.b64encode(SECRET.encode()).decode())
payload = verifier.verify(body, headers)
check(payload["key"] == "tabmis", "standardwebhooks verifies a real delivery")
try:
    verifier.verify(body.replace(b"tabmis", b"tabmiz"), headers)
    check(False, "a tampered body is refused")
except WebhookVerificationError:
    check(True, "a tampered body is refused")
try:
    Webhook("whsec_" + base64.b64encode(b"another-secret-of-the-same-size!!!").decode()).verify(body, headers)
    check(False, "another secret is refused")
except WebhookVerificationError:
    check(True, "another secret is refused")
print("webhooks: Standard Webhooks verifier accepts the registry's deliveries")
