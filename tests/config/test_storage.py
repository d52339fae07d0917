"""Private file storage (portal/storage.py): a local folder with no URL, or a private S3 bucket."""

import stat
import urllib.request
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from moto.server import ThreadedMotoServer

from portal.storage import PrivateFileSystemStorage, private_storage

PUBLIC_GRANTEES = {
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}


@pytest.fixture
def local_private_storage(settings, tmp_path):
    """The configured local private storage, pointed at a temporary folder."""
    configured = settings.STORAGES["private"]
    if configured["BACKEND"] != "portal.storage.PrivateFileSystemStorage":
        pytest.fail(f"Unexpected private storage in these tests' settings: {configured['BACKEND']}")
    local = {**configured, "OPTIONS": {**configured["OPTIONS"], "location": tmp_path / "private"}}
    settings.STORAGES = {**settings.STORAGES, "private": local, "default": local}
    return private_storage()


def test_private_and_default_storage_are_the_same_private_folder():
    """Files saved without naming a storage are private too: "default" is the private storage."""
    assert settings.STORAGES["default"] == settings.STORAGES["private"]


def test_local_storage_writes_owner_only_files(local_private_storage, tmp_path):
    """A saved file is readable and writable by the portal's own user only (0600), its folders 0700."""
    name = local_private_storage.save("evidence/2026/payroll.csv", ContentFile(b"lowest rate,12.60\n"))
    path = tmp_path / "private" / name
    assert path.read_bytes() == b"lowest rate,12.60\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with local_private_storage.open(name) as stored:
        assert stored.read() == b"lowest rate,12.60\n"


def test_local_storage_has_no_public_url(local_private_storage):
    """The local storage gives no URL for a file, so no private file can be reached by address."""
    assert isinstance(local_private_storage, PrivateFileSystemStorage)
    name = local_private_storage.save("evidence/policy.pdf", ContentFile(b"%PDF-1.7"))
    assert local_private_storage.base_url is None
    with pytest.raises(ValueError, match="no public URL"):
        local_private_storage.url(name)


def test_local_storage_never_overwrites(local_private_storage):
    """A second file with the same name gets a new name rather than replacing the first."""
    first = local_private_storage.save("evidence/policy.pdf", ContentFile(b"one"))
    second = local_private_storage.save("evidence/policy.pdf", ContentFile(b"two"))
    assert first != second
    assert local_private_storage.open(first).read() == b"one"


@pytest.fixture(scope="module")
def moto_endpoint():
    """moto's S3 running as a real HTTP server on a free loopback port."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_private_storage(moto_endpoint, load_settings, settings):
    """The private storage exactly as config/settings.py builds it from AWS_* variables, on moto."""
    variables = {
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "charter.example.gov.uk",
        "PAYMENT_GATEWAY": "test",
        "AWS_STORAGE_BUCKET_NAME": "charter-evidence",
        "AWS_S3_ENDPOINT_URL": moto_endpoint,
        "AWS_S3_REGION_NAME": "eu-west-2",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    production = load_settings(**variables)
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="eu-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket="charter-evidence", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    settings.STORAGES = production["STORAGES"]
    storage = private_storage()
    storage.s3_client = client
    yield storage
    for item in client.list_objects_v2(Bucket="charter-evidence").get("Contents", []):
        client.delete_object(Bucket="charter-evidence", Key=item["Key"])
    client.delete_bucket(Bucket="charter-evidence")


def test_s3_storage_writes_and_reads_through_django_storages(s3_private_storage):
    """With a bucket configured, private files are written to and read back from S3."""
    from storages.backends.s3 import S3Storage

    assert isinstance(s3_private_storage, S3Storage)
    name = s3_private_storage.save("evidence/payroll.csv", ContentFile(b"lowest rate,12.60\n"))
    assert s3_private_storage.exists(name)
    with s3_private_storage.open(name) as stored:
        assert stored.read() == b"lowest rate,12.60\n"
    stored_object = s3_private_storage.s3_client.get_object(Bucket="charter-evidence", Key=name)
    assert stored_object["Body"].read() == b"lowest rate,12.60\n"


def test_s3_objects_have_no_public_grant(s3_private_storage):
    """Objects are private: only the bucket's owner is granted anything, never all or any AWS users."""
    name = s3_private_storage.save("evidence/policy.pdf", ContentFile(b"%PDF-1.7"))
    acl = s3_private_storage.s3_client.get_object_acl(Bucket="charter-evidence", Key=name)
    grantees = {grant["Grantee"].get("URI") for grant in acl["Grants"]}
    assert not grantees & PUBLIC_GRANTEES
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]
    assert acl["Grants"][0]["Grantee"]["ID"] == acl["Owner"]["ID"]


def test_s3_urls_are_signed_and_short_lived(s3_private_storage):
    """A file's URL carries a signature and expires after five minutes; it fetches the file."""
    name = s3_private_storage.save("evidence/policy.pdf", ContentFile(b"%PDF-1.7"))
    url = s3_private_storage.url(name)
    query = parse_qs(urlsplit(url).query)
    assert "X-Amz-Signature" in query or "Signature" in query
    assert query.get("X-Amz-Expires") == ["300"] or "Expires" in query
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (moto on loopback)
        assert response.read() == b"%PDF-1.7"


def test_s3_storage_never_overwrites(s3_private_storage):
    """Two uploads with the same name are both kept."""
    first = s3_private_storage.save("evidence/policy.pdf", ContentFile(b"one"))
    second = s3_private_storage.save("evidence/policy.pdf", ContentFile(b"two"))
    assert first != second
    assert s3_private_storage.open(first).read() == b"one"
