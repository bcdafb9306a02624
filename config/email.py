"""Turn an ``EMAIL_URL`` into a Django 6.1 ``MAILERS`` entry.

Supported forms:
    smtp://user:password@host:587        (STARTTLS with ?tls=1, implicit TLS with smtps://)
    console://                            (print messages to stdout)
    file:///path/to/folder                (one .log file per message)
    locmem://                             (kept in memory, for tests)
"""

from urllib.parse import parse_qs, unquote, urlsplit

BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}


def mailer_from_url(url: str) -> dict:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in BACKENDS:
        raise ValueError(
            f"EMAIL_URL scheme {scheme!r} is not supported; use one of {', '.join(BACKENDS)}."
        )
    config = {"BACKEND": BACKENDS[scheme]}
    options = {}
    if scheme in ("smtp", "smtps"):
        query = parse_qs(parts.query)
        options["host"] = parts.hostname or "localhost"
        options["port"] = parts.port or (465 if scheme == "smtps" else 25)
        if parts.username:
            options["username"] = unquote(parts.username)
            options["password"] = unquote(parts.password or "")
        if scheme == "smtps":
            options["use_ssl"] = True
        elif query.get("tls", ["0"])[0] in ("1", "true", "yes"):
            options["use_tls"] = True
        options["timeout"] = int(query.get("timeout", ["10"])[0])
    elif scheme == "file":
        options["file_path"] = unquote(parts.path) or "var/mail"
    if options:
        config["OPTIONS"] = options
    return config
