# gunicorn settings of the gateway; the same file serves `make run` and the container.
import os

bind = os.environ.get("GATEWAY_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
worker_class = "gthread"          # gunicorn has no eventlet worker; RPC proxies are pooled per worker
workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
threads = int(os.environ.get("GATEWAY_THREADS", "8"))
timeout = 30
graceful_timeout = 10
accesslog = os.environ.get("GATEWAY_ACCESS_LOG", "-")
errorlog = "-"
