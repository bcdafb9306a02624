"""Where uploaded files live: the local folder (MEDIA_ROOT) or an S3-compatible bucket.

Several web hosts and workers must see the same files (evidence uploaded on one host is read on
another; an import uploaded by a web host is checked by a worker elsewhere), so setting
``AWS_STORAGE_BUCKET_NAME`` puts every upload in that bucket through django-storages. Every
read and write goes through Django's storage API, so nothing else changes. Files are private:
no URL to the bucket is ever handed to a browser; the app's views stream them after checking
access.
"""

from .startup import ConfigurationError

FILESYSTEM = {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def default_storage(env):
    bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
    if not bucket:
        return FILESYSTEM
    options = {
        "bucket_name": bucket,
        # Names are never reused, as on the local disk: a second upload of m.csv gets its own.
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
        "location": env.str("AWS_LOCATION", default=""),
    }
    for variable, option in (
        ("AWS_S3_ENDPOINT_URL", "endpoint_url"),
        ("AWS_S3_REGION_NAME", "region_name"),
        ("AWS_ACCESS_KEY_ID", "access_key"),
        ("AWS_SECRET_ACCESS_KEY", "secret_key"),
        ("AWS_S3_ADDRESSING_STYLE", "addressing_style"),
    ):
        value = env.str(variable, default="")
        if value:
            options[option] = value
    if options.get("endpoint_url", "x").split("://")[0] not in ("http", "https", "x"):
        raise ConfigurationError(
            "AWS_S3_ENDPOINT_URL must be an http:// or https:// URL of the S3-compatible "
            f"server, not {options['endpoint_url']!r}."
        )
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
