"""An HTTPS server on 127.0.0.1 for the HTTP clients' TLS tests.

Its certificate (for 127.0.0.1 and localhost) comes from a throwaway CA made
by trustme; the CA's PEM is written to DIR/ca.pem, then DIR/ready.json holds
the port. GET / answers 200 "hello over TLS"; every request is appended to
DIR/requests.jsonl (method, path, user agent, TLS version).
"""

import argparse
import http.server
import json
import os
import ssl

import trustme


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca.cert_pem.write_to_path(os.path.join(args.dir, "ca.pem"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            with open(os.path.join(args.dir, "requests.jsonl"), "a") as f:
                line = {
                    "method": "GET",
                    "path": self.path,
                    "user_agent": self.headers.get("User-Agent"),
                    "tls": self.connection.version(),
                }
                f.write(json.dumps(line) + "\n")
            body = b"hello over TLS"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # The handshake runs in accept(): a client refusing the certificate is an
    # ssl.SSLError there, which socketserver drops quietly (an OSError).
    server.socket = context.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    ready = os.path.join(args.dir, "ready.json")
    with open(ready + ".tmp", "w") as f:
        json.dump({"port": port}, f)
    os.rename(ready + ".tmp", ready)
    server.serve_forever()


if __name__ == "__main__":
    main()
