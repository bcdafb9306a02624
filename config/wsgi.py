import os

from django.core.wsgi import get_wsgi_application

from config import startup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Exit code 3 is gunicorn's "worker failed to boot": the server stops instead of restarting
# workers that can never load the settings.
with startup.reported(exit_code=3):
    application = get_wsgi_application()
# A database down when a worker starts is reported but does not stop it: workers are also
# started while the server runs, and the site should come back by itself with the database.
startup.check_services(database_required=False)
