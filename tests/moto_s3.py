"""A real local S3 for the tests and benchmarks: `moto_server` started as a separate process on a free port.

With `check_signatures`, moto checks every request's signature against an IAM user's access key (made in
moto's first unauthenticated calls), so that a wrongly signed request is refused as AWS would refuse it.
moto 5.2's check gets a query value with an encoded `/` wrong (it refuses boto3's own ListObjectsV2 with
`Prefix="images/"`), so signature-checking tests list without a prefix; the others run without the check."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import httpx

REGION = "us-east-1"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@dataclass
class MotoS3:
    endpoint: str
    access_key_id: str
    secret_access_key: str

    def client(self) -> Any:
        """A boto3 S3 client with the access key (to make buckets and objects)."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def moto_s3(*, check_signatures: bool = False) -> Iterator[MotoS3]:
    port = _free_port()
    env = dict(os.environ)
    if check_signatures:
        # moto checks signatures after its first three calls, which make the IAM user, its key and its policy.
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"
    process = subprocess.Popen(
        ["moto_server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{endpoint}/moto-api/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        else:
            raise RuntimeError("moto_server did not start")
        setup = {
            "endpoint_url": endpoint,
            "region_name": REGION,
            "aws_access_key_id": "x",
            "aws_secret_access_key": "x",
        }
        iam = boto3.client("iam", **setup)
        iam.create_user(UserName="tessera")
        key = iam.create_access_key(UserName="tessera")["AccessKey"]
        iam.put_user_policy(UserName="tessera", PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL))
        yield MotoS3(endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
