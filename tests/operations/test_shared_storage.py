"""Two web hosts, one S3-compatible bucket: a file uploaded through one host is read through
the other. The bucket is a real S3 API (moto in server mode) on a local port; host A is this
process, host B a separate process configured by environment variables alone."""

import json
import os
import subprocess
import sys
import uuid

import boto3
import environ
import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer

from config import storage
from governance import services
from governance.models import Evidence
from kpis import periods
from kpis.models import Measurement, MeasurementImport
from tests import db as test_db
from tests.governance.conftest import start_checklist
from tests.kpis.conftest import make_kpi
from tests.outbox.conftest import free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_clock]
PDF = b"%PDF-1.7\nsigned heads of terms"


@pytest.fixture
def bucket(tmp_path):
    """A local S3 server and an empty bucket; the variables a host would be given."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    # moto keeps its buckets for the life of the process, across servers: a bucket per test.
    name = f"concord-files-{uuid.uuid4().hex[:12]}"
    variables = {
        "AWS_STORAGE_BUCKET_NAME": name,
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_LOCATION": "uploads",
    }
    client = boto3.client(
        "s3",
        endpoint_url=variables["AWS_S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=name)
    try:
        yield variables, client
    finally:
        for key in keys(client, name):
            client.delete_object(Bucket=name, Key=key)
        client.delete_bucket(Bucket=name)
        server.stop()


@pytest.fixture
def host_a(bucket, settings, monkeypatch):
    """This process as a web host on the bucket: its STORAGES built from the variables."""
    variables, _ = bucket
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": storage.default_storage(environ.Env())}
    assert type(storages["default"]).__name__ == "S3Storage"
    return variables


HOST_B = """
import json, sys, django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
user_pk, path, method = int(sys.argv[1]), sys.argv[2], sys.argv[3]
client = Client()
client.force_login(get_user_model().objects.get(pk=user_pk))
response = client.get(path) if method == "get" else client.post(path)
body = b"".join(response.streaming_content) if response.streaming else response.content
print(json.dumps({"status": response.status_code, "body": body.decode("latin-1")}))
"""


def on_host_b(variables, tmp_path, user, path, method="get"):
    """A request served by a second host: another process, another (empty) media folder."""
    env = {
        **os.environ,
        **variables,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "TEST_DATABASE_URL": test_db.url(),
        "TEST_REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(tmp_path / "host-b-media"),
    }
    result = subprocess.run(
        [sys.executable, "-c", HOST_B, str(user.pk), path, method],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def keys(client, bucket):
    listing = client.list_objects_v2(Bucket=bucket)
    return [item["Key"] for item in listing.get("Contents", [])]


def test_evidence_uploaded_on_one_host_is_read_on_another(
    client, bucket, host_a, partnership, manager, viewer, tmp_path
):
    _, s3 = bucket
    item = start_checklist(partnership, manager).items.order_by("order").first()
    client.force_login(manager)
    url = reverse("governance:dd_evidence_upload", args=[partnership.pk, item.pk])
    response = client.post(url, {"file": SimpleUploadedFile("terms.pdf", PDF)})
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert keys(s3, host_a["AWS_STORAGE_BUCKET_NAME"]) == [f"uploads/{evidence.file.name}"]
    assert not (tmp_path / "media").exists()  # nothing on host A's disk

    download = reverse("governance:dd_evidence_download", args=[partnership.pk, evidence.pk])
    answer = on_host_b(host_a, tmp_path, viewer, download)
    assert answer["status"] == 200
    assert answer["body"].encode("latin-1") == PDF

    # Removed on host A: gone from the bucket, so host B has nothing to serve.
    services.evidence_remove(evidence=evidence)
    assert keys(s3, host_a["AWS_STORAGE_BUCKET_NAME"]) == []


def test_an_import_uploaded_on_one_host_is_applied_on_another(
    client, bucket, host_a, partnership, manager, tmp_path
):
    _, s3 = bucket
    kpi = make_kpi(partnership, name="Revenue")
    period = periods.previous_period(kpi.current_period(timezone.localdate()), kpi.frequency)
    content = f"kpi_id,period,value\n{kpi.pk},{period.isoformat()},42\n".encode()
    client.force_login(manager)
    response = client.post(
        reverse("kpis:import_start"), {"file": SimpleUploadedFile("m.csv", content)}
    )
    assert response.status_code == 302
    batch = MeasurementImport.objects.get()
    assert batch.state == MeasurementImport.State.READY, batch.message
    assert keys(s3, host_a["AWS_STORAGE_BUCKET_NAME"]) == [f"uploads/{batch.file.name}"]

    answer = on_host_b(
        host_a, tmp_path, manager, reverse("kpis:import_confirm", args=[batch.pk]), "post"
    )
    assert answer["status"] == 302
    batch.refresh_from_db()
    assert batch.state == MeasurementImport.State.DONE, batch.message
    assert Measurement.objects.get(kpi=kpi).value == 42
