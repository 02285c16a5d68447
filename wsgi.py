"""The WSGI entry point: ``gunicorn wsgi:app``."""

from factcheck.app import create_app

app = create_app()
