"""The WSGI entry point: ``gunicorn wsgi:app``."""

from factcheck.app import create_app
from factcheck.commands.process_tuning import prepare_engine_process

app = create_app()
prepare_engine_process()
