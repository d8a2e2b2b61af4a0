"""A proxy in front of an S3 server that answers 503 SlowDown, as S3 does under load, to the first try of every
request whose method is listed, and passes everything else on unchanged. It shows that BackupFeed's S3 client tries
again. Prints "READY <port>" when it accepts connections, and "FAILED <METHOD> <PATH>" for each request it refused.
It exits by itself when its parent process is gone.

    python3 flaky_s3_proxy.py --upstream http://127.0.0.1:PORT --fail-methods PUT,POST
"""
import argparse, http.client, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

SLOW_DOWN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
             b'<Message>Please reduce your request rate.</Message><RequestId>flaky</RequestId></Error>')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--fail-methods", default="PUT,POST")
    arguments = parser.parse_args()
    upstream = urlsplit(arguments.upstream)
    fail_methods = set(arguments.fail_methods.split(","))
    seen = set()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = (self.command, self.path)
            with lock:
                first = request not in seen
                seen.add(request)
            if first and self.command in fail_methods:
                print(f"FAILED {self.command} {self.path}", flush=True)
                self.send_response(503)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(SLOW_DOWN)))
                self.end_headers()
                self.wfile.write(SLOW_DOWN)
                return
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=120)
            headers = {name: value for name, value in self.headers.items() if name.lower() != "connection"}
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                    self.send_header(name, value)
            # A HEAD answer has no body but tells the object's length.
            length = response.getheader("Content-Length", "0") if self.command == "HEAD" else str(len(data))
            self.send_header("Content-Length", length)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            connection.close()

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    print(f"READY {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
