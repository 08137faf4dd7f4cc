from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from app.service.webhook import Refused, parse, signature_ok
from tests.keys import SECRET


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_github_documented_test_vector() -> None:
    header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert signature_ok(b"Hello, World!", header, SECRET)
    assert not signature_ok(b"Hello, World?", header, SECRET)


def headers(body: bytes, **extra: str) -> dict[str, str]:
    base = {
        "x-hub-signature-256": sign(body),
        "x-github-event": "issues",
        "x-github-delivery": "d-1",
        "content-type": "application/json",
    }
    base.update(extra)
    return base


def test_parse_reads_event_delivery_and_installation() -> None:
    body = json.dumps({"action": "opened", "installation": {"id": 7}}).encode()
    delivery = parse(headers(body), body, SECRET)
    assert (delivery.id, delivery.name, delivery.installation_id) == ("d-1", "issues.opened", 7)


def test_form_encoded_payload_is_accepted() -> None:
    from urllib.parse import urlencode

    body = urlencode({"payload": json.dumps({"action": "closed"})}).encode()
    delivery = parse(headers(body, **{"content-type": "application/x-www-form-urlencoded"}), body, SECRET)
    assert delivery.name == "issues.closed"
    assert delivery.installation_id is None


@pytest.mark.parametrize(
    ("mutate", "status"),
    [
        (lambda h, b: h.pop("x-hub-signature-256"), 401),
        (lambda h, b: h.update({"x-hub-signature-256": sign(b, "other secret")}), 401),
        (lambda h, b: h.update({"x-hub-signature-256": sign(b"another body")}), 401),
        (lambda h, b: h.update({"x-hub-signature-256": "sha1=" + "0" * 40}), 401),
        (lambda h, b: h.update({"x-hub-signature-256": "garbage"}), 401),
        (lambda h, b: h.pop("x-github-event"), 400),
        (lambda h, b: h.pop("x-github-delivery"), 400),
        (lambda h, b: h.update({"content-type": "text/plain"}), 415),
    ],
)
def test_bad_requests_are_refused(mutate, status: int) -> None:  # type: ignore[no-untyped-def]
    body = b'{"action": "opened"}'
    h = headers(body)
    mutate(h, body)
    with pytest.raises(Refused) as refused:
        parse(h, body, SECRET)
    assert refused.value.status == status


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"", b'"text"'])
def test_malformed_payloads_are_400(body: bytes) -> None:
    with pytest.raises(Refused) as refused:
        parse(headers(body), body, SECRET)
    assert refused.value.status == 400
