"""Private file storage: evidence, certificates and anything else no one may fetch by address.

Features store files through `private_storage()` and hand them out only through views that check
who is asking. Locally that is a folder with no URL; in production, a private S3-compatible bucket.
"""

from django.core.files.storage import FileSystemStorage, Storage, storages


class PrivateFileSystemStorage(FileSystemStorage):
    """A local folder whose files have no URL: `url()` refuses rather than give a guessable path."""

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError(
            "Private files have no public URL: serve them through a view that checks permission "
            "(or, on S3, a signed URL from private_storage().url())."
        )


def private_storage() -> Storage:
    """The storage for private files (STORAGES["private"]): a local folder, or S3 when configured."""
    return storages["private"]
