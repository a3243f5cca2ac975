"""SigV4 signing against botocore's own signer (the oracle): the same headers and signature for the same
request, credentials and time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore import auth as botocore_auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from tessera.net.sigv4 import Credentials, canonical_query, sign

AT = datetime(2026, 11, 27, 17, 5, 9, tzinfo=UTC)


def botocore_headers(
    monkeypatch: pytest.MonkeyPatch, url: str, creds: Credentials, region: str, extra: dict[str, str]
) -> dict[str, str]:
    monkeypatch.setattr(botocore_auth, "get_current_datetime", lambda: AT.replace(tzinfo=None))
    request = AWSRequest(method="GET", url=url, headers=dict(extra))
    boto = BotoCredentials(creds.access_key_id, creds.secret_access_key, creds.session_token)
    botocore_auth.S3SigV4Auth(boto, "s3", region).add_auth(request)
    return {k.lower(): v for k, v in request.headers.items()}


@pytest.mark.parametrize(
    ("path", "params", "token", "extra"),
    [
        ("/bucket/", [("list-type", "2"), ("max-keys", "1000"), ("prefix", "images/")], None, {}),
        (
            "/bucket/",
            [("list-type", "2"), ("continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")],
            None,
            {},
        ),
        ("/bucket/images/a%20b%2Bc%C3%A9.png", [], "FwoGZXIvYXdzEJr//////////wEaDM", {}),
        ("/bucket/video.mp4", [], None, {"Range": "bytes=100-199"}),
    ],
)
def test_signature_equals_botocores(
    monkeypatch: pytest.MonkeyPatch, path: str, params: list[tuple[str, str]], token: str | None, extra: dict
) -> None:
    creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    base = f"http://127.0.0.1:9000{path}"
    url = f"{base}?{canonical_query(params)}" if params else base
    ours = sign("GET", base, params, creds, "eu-west-3", headers=extra, now=AT)
    theirs = botocore_headers(monkeypatch, url, creds, "eu-west-3", extra)
    assert ours["authorization"] == theirs["authorization"]
    for name in ("x-amz-date", "x-amz-content-sha256", "x-amz-security-token"):
        assert ours.get(name) == theirs.get(name)


def test_known_answer_from_the_aws_documentation() -> None:
    """AWS's own example (GET /test.txt with a range, S3 "Signature Calculations" page)."""
    creds = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    headers = sign(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        [],
        creds,
        "us-east-1",
        headers={"Range": "bytes=0-9"},
        now=datetime(2013, 5, 24, tzinfo=UTC),
    )
    assert headers["authorization"].endswith(
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )
