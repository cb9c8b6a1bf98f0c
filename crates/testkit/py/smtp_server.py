"""A real SMTP server for Acquit's tests (aiosmtpd), on 127.0.0.1.

--mode starttls: plain connection, STARTTLS required before anything else;
--mode tls: TLS from the first byte (SMTPS). AUTH (PLAIN, LOGIN) is required,
checked against --user and the password in $SMTP_TEST_PASSWORD. The
certificate (for 127.0.0.1 and localhost) comes from a throwaway CA made by
trustme; its PEM is written to DIR/ca.pem. A recipient at denied.example is
refused with 550 5.7.1, as a server refusing to relay does.

Each message accepted is written to DIR/NNN.eml as received (DIR/NNN.json
first: the envelope and the login), then DIR/ready.json names the port.
"""

import argparse
import asyncio
import json
import os
import ssl
import warnings

import trustme
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Saver:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().endswith("@denied.example"):
            return "550 5.7.1 Relaying denied"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.folder, f"{self.count:03}")
        with open(base + ".json", "w") as f:
            json.dump(
                {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "login": session.auth_data.login.decode()
                    if isinstance(session.auth_data, LoginPassword)
                    else None,
                },
                f,
            )
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 Message accepted"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--mode", choices=["starttls", "tls"], required=True)
    parser.add_argument("--user", required=True)
    args = parser.parse_args()
    password = os.environ["SMTP_TEST_PASSWORD"].encode()

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca.cert_pem.write_to_path(os.path.join(args.dir, "ca.pem"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == args.user.encode()
            and auth_data.password == password
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    # Implicit TLS: the whole session is encrypted, AUTH included.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    # aiosmtpd's own use of its deprecated attribute.
    warnings.filterwarnings("ignore", message="Session.login_data is deprecated")
    handler = Saver(args.dir)

    def factory():
        if args.mode == "starttls":
            return SMTP(
                handler,
                hostname="smtp.test",
                tls_context=context,
                require_starttls=True,
                auth_required=True,
                auth_require_tls=True,
                authenticator=authenticator,
            )
        return SMTP(
            handler,
            hostname="smtp.test",
            auth_required=True,
            auth_require_tls=False,
            authenticator=authenticator,
        )

    async def serve():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            factory,
            host="127.0.0.1",
            port=0,
            ssl=context if args.mode == "tls" else None,
        )
        port = server.sockets[0].getsockname()[1]
        ready = os.path.join(args.dir, "ready.json")
        with open(ready + ".tmp", "w") as f:
            json.dump({"port": port}, f)
        os.rename(ready + ".tmp", ready)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
