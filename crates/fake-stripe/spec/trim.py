#!/usr/bin/env python3
"""Copy into this directory the parts of Stripe's published spec that
fake-stripe serves, so the repository is self-contained.

Inputs (read-only, outside the repo): ../shared/stripe/
  sdk_params.2026-10-28.endive.json  request parameters of every endpoint
  fixtures3.2025-11.json             Stripe's example objects
Outputs (committed):
  params.json    the request-parameter schemas of ENDPOINTS, unchanged
  fixtures.json  the example objects in OBJECTS, unchanged

Run from the repository root after adding an endpoint:
  python3 crates/fake-stripe/spec/trim.py ../shared/stripe
"""
import json
import sys
from pathlib import Path

ENDPOINTS = [
    ("/v1/account", "get"),
    ("/v1/payment_links", "post"),
    ("/v1/payment_links/{payment_link}", "get"),
    ("/v1/payment_links/{payment_link}", "post"),
    ("/v1/checkout/sessions", "get"),
    ("/v1/checkout/sessions", "post"),
    ("/v1/checkout/sessions/{session}", "get"),
    ("/v1/checkout/sessions/{session}/expire", "post"),
    ("/v1/payment_intents/{intent}", "get"),
    ("/v1/charges/{charge}", "get"),
    ("/v1/balance_transactions/{id}", "get"),
    ("/v1/refunds", "get"),
    ("/v1/refunds", "post"),
    ("/v1/refunds/{refund}", "get"),
    ("/v1/events", "get"),
    ("/v1/events/{id}", "get"),
    ("/v1/webhook_endpoints", "get"),
    ("/v1/webhook_endpoints", "post"),
    ("/v1/webhook_endpoints/{webhook_endpoint}", "get"),
    ("/v1/webhook_endpoints/{webhook_endpoint}", "post"),
    ("/v1/webhook_endpoints/{webhook_endpoint}", "delete"),
]
OBJECTS = [
    "account",
    "payment_link",
    "checkout.session",
    "payment_intent",
    "charge",
    "balance_transaction",
    "refund",
    "event",
    "webhook_endpoint",
]

src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/stripe")
out = Path(__file__).resolve().parent

params = json.loads((src / "sdk_params.2026-10-28.endive.json").read_text())
paths = {}
for path, method in ENDPOINTS:
    paths.setdefault(path, {})[method] = params["paths"][path][method]
(out / "params.json").write_text(
    json.dumps({"info": params["info"], "paths": paths}, indent=1, sort_keys=True) + "\n"
)

fixtures = json.loads((src / "fixtures3.2025-11.json").read_text())["resources"]
(out / "fixtures.json").write_text(
    json.dumps({name: fixtures[name] for name in OBJECTS}, indent=1, sort_keys=True) + "\n"
)
