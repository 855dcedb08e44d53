"""`gunicorn -c deploy/gunicorn.conf.py gateway.wsgi:app`. Nothing connects here: the RPC pool
opens its connections on first use, inside each worker."""
import logging

from gateway.app import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
app = create_app()
