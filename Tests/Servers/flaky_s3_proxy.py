"""A proxy in front of an S3 server that misbehaves as a real one can, to show what BackupFeed's S3 client does:

- with --fail-methods PUT,POST it answers 503 SlowDown, as S3 does under load, to the first try of every request
  with one of those methods (printing "FAILED <METHOD> <PATH>"), and passes the second on;
- with --corrupt it damages what it passes back: the first byte of every GET body is flipped, and the SHA-256 a
  CopyObject answer reports is replaced, as if the stored object were not the one written.

Prints "READY <port>" when it accepts connections. It exits by itself when its parent process is gone.

    python3 flaky_s3_proxy.py --upstream http://127.0.0.1:PORT [--fail-methods PUT,POST] [--corrupt]
"""
import argparse, http.client, os, re, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

SLOW_DOWN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
             b'<Message>Please reduce your request rate.</Message><RequestId>flaky</RequestId></Error>')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--fail-methods", default="")
    parser.add_argument("--corrupt", action="store_true")
    arguments = parser.parse_args()
    upstream = urlsplit(arguments.upstream)
    fail_methods = set(filter(None, arguments.fail_methods.split(",")))
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
            if arguments.corrupt and self.command == "GET" and data and response.status in (200, 206):
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            if arguments.corrupt and self.command == "PUT" and "x-amz-copy-source" in self.headers:
                data = re.sub(rb"<ChecksumSHA256>[^<]*</ChecksumSHA256>",
                              b"<ChecksumSHA256>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=</ChecksumSHA256>", data)
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
