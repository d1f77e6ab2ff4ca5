"""Schemathesis hooks for .ci/schemathesis.

Schemathesis draws header values from a small pool and reuses them across unrelated
requests. A real client never does that with `Idempotency-Key`: a key names one logical
request, and the server rightly answers a repeat with the first result (so a monitor
created, then deleted, then "created" again with the same key and body comes back as the
deleted one). Every well-formed key is therefore made unique per request; malformed keys
are kept, so their rejection is still tested. Replays themselves are tested in
tests/api.rs.
"""

import re
import uuid

import schemathesis

WELL_FORMED = re.compile(r"^[!-~]{1,255}$")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and WELL_FORMED.match(str(headers[name])):
            headers[name] = str(uuid.uuid4())
    return None
