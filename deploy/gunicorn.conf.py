# gunicorn settings of the gateway; the same file serves `make run` and the container.
import os

bind = os.environ.get("GATEWAY_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
worker_class = "gthread"          # gunicorn has no eventlet worker; RPC proxies are pooled per worker
reuse_port = True                 # each worker its own listening socket: the kernel spreads connections over them
workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
threads = int(os.environ.get("GATEWAY_THREADS", "8"))
timeout = 30
graceful_timeout = 10
accesslog = os.environ.get("GATEWAY_ACCESS_LOG", "-")
logger_class = "gateway.access_log.MaskingLogger"   # no reset token or calendar secret in the access log
errorlog = "-"


def on_starting(server):
    """The workers' shared write mark of the booking-list cache (gateway/read_cache.py): a file made
    once by the master, inherited by every worker through the environment."""
    import tempfile
    fd, path = tempfile.mkstemp(prefix="ims-gateway-writes-")
    os.close(fd)
    os.environ["GATEWAY_WRITE_MARK"] = path


def post_worker_init(worker):
    """Each worker's event feed starts now (gateway/event_feed.py): it loads auth's revocations in
    force before the first request needs them (gateway/revocations.py)."""
    from gateway.app import start_feed
    start_feed(worker.wsgi)


def on_exit(server):
    path = os.environ.get("GATEWAY_WRITE_MARK")
    if path and os.path.exists(path):
        os.unlink(path)


def post_fork(server, worker):
    """A worker dies with its master, as the master dies with `make run` (ims_common/process.py)."""
    from ims_common.process import die_with_parent
    die_with_parent(server.pid)
