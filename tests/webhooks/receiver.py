"""A webhook receiver for the tests, run as its own process:

    python receiver.py PORT LOG [FAILURES [FAILURE_STATUS]]

It appends each POST it gets to LOG as one JSON line (headers and body) and answers 204; the
first FAILURES requests are answered FAILURE_STATUS (500) instead, and recorded too.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, LOG = int(sys.argv[1]), sys.argv[2]
FAILURES = int(sys.argv[3]) if len(sys.argv) > 3 else 0
FAILURE_STATUS = int(sys.argv[4]) if len(sys.argv) > 4 else 500
lock = threading.Lock()
seen = [0]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            seen[0] += 1
            status = FAILURE_STATUS if seen[0] <= FAILURES else 204
            with open(LOG, "a", encoding="utf-8") as log:
                record = {
                    "path": self.path,
                    "headers": dict(self.headers.items()),
                    "body": body.decode("utf-8"),
                    "status": status,
                }
                log.write(json.dumps(record) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
