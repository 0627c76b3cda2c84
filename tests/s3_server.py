"""An S3-compatible server in this process (moto's), for the s3:// bundle store: requests go
over HTTP through s3fs and botocore, as they would to MinIO or AWS."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

BUCKET = "enablement-bundles"
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",  # moto accepts any credentials: no real account
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextmanager
def s3_server() -> Iterator[str]:
    """A running server with BUCKET; the environment names it (AWS_ENDPOINT_URL, credentials)
    while the context lasts. Yields the endpoint URL."""
    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    saved = {name: os.environ.get(name) for name in [*ENVIRONMENT, "AWS_ENDPOINT_URL"]}
    os.environ.update(ENVIRONMENT | {"AWS_ENDPOINT_URL": endpoint})
    try:
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        server.stop()
