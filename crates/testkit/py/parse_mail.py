"""Reads a message as Python's own `email` package does (policy.default,
RFC 2047 and MIME decoding), and prints what a mail client would show, as
JSON: decoded headers, the text and HTML bodies, each attachment's name,
type, size and SHA-256, and the parser's defects."""

import email
import email.policy
import hashlib
import json
import sys

raw = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(raw, policy=email.policy.default)


def mailbox(header):
    value = msg[header]
    if value is None:
        return None
    addresses = value.addresses
    return [{"name": a.display_name, "address": a.addr_spec} for a in addresses]


text = msg.get_body(preferencelist=("plain",))
html = msg.get_body(preferencelist=("html",))
attachments = []
for part in msg.iter_attachments():
    data = part.get_content()
    if isinstance(data, str):
        data = data.encode()
    attachments.append(
        {
            "filename": part.get_filename(),
            "content_type": part.get_content_type(),
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    )
defects = [repr(d) for d in msg.defects]
for part in msg.walk():
    defects += [repr(d) for d in part.defects]
print(
    json.dumps(
        {
            "subject": str(msg["Subject"]),
            "from": mailbox("From"),
            "to": mailbox("To"),
            "reply_to": mailbox("Reply-To"),
            "message_id": str(msg["Message-ID"]),
            "date": str(msg["Date"]) if msg["Date"] else None,
            "content_type": msg.get_content_type(),
            "text": text.get_content() if text else None,
            "html": html.get_content() if html else None,
            "attachments": attachments,
            "defects": defects,
            "raw_ascii": all(b < 128 for b in raw),
        }
    )
)
