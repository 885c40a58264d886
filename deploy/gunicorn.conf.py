"""gunicorn settings for Touchpoint behind nginx (deploy/nginx.conf).

Run: gunicorn -c deploy/gunicorn.conf.py 'app:create_app()'
Anything here can be overridden on the command line (e.g. --bind) or with
GUNICORN_CMD_ARGS; WEB_CONCURRENCY sets the number of workers, WORKER_SOCKETS_DIR where
their own sockets are (below).
"""

import contextlib
import multiprocessing
import os
import socket

# Only nginx talks to gunicorn: listen on loopback. nginx buffers whole requests
# (slow clients never reach a worker), so every thread here is always busy doing work.
bind = ["127.0.0.1:8000"]

# gthread: each worker process runs `threads` request threads. Database and search
# calls release the GIL, so a few threads per process keep a CPU busy; processes give
# parallelism across CPUs. 2 x CPUs + 1 processes is gunicorn's advice for mixed loads.
# The workers of a host run one writing request at a time between them
# (TOUCHPOINT_WRITE_GATE_CONCURRENCY, app/write_gate.py); writers waiting for their turn
# hold a thread but no CPU, so 8 threads leave readers most of them even while several
# people post to the same process.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
threads = 8
# One connection per request, and a worker takes a connection only when it has a thread
# free for it. nginx picks the worker of each new connection (least_conn over the workers'
# own sockets, below), so a new connection per request re-balances the load at every
# request. A gthread worker otherwise accepts whatever comes and queues
# it behind its own busy threads, and nginx's kept-alive upstream connections (nginx kept
# 16 a process, gunicorn 75 s) stayed with the worker that accepted them: one worker served
# 1,328 reads of a run while another served 770 (bench/behind_nginx.py, uncached, 32
# connections, 5 workers), and the requests pinned to the crowded one waited longest.
# Without it the spread was 356 to 324. A loopback connection costs nginx and gunicorn
# far less than the ~8 ms CPU of a rendered page (reads per gunicorn CPU second within
# the noise of the shared machine that measured it).
keepalive = 0
worker_connections = threads

# A worker that has not answered its master for 30 s is killed and replaced; nginx's
# proxy_read_timeout (60 s) is longer, so nginx sees gunicorn's 502, never a hang.
timeout = 30
# SIGTERM (systemctl stop/restart): stop accepting, finish requests in flight for up
# to 30 s, then exit. systemd's TimeoutStopSec (deploy/systemd) is longer.
graceful_timeout = 30
# Workers are not recycled after a number of requests (gunicorn's default). Recycling
# after 2,000 (+0-200) requests restarted every worker about once a minute at 170 rendered
# reads a second on 2 CPUs, all of them within seconds of each other (they start together
# and share the load evenly); each new worker takes ~2.7 s (2 busy CPUs) to load the app
# and its first requests render cold. Reads waited behind them: in bench/behind_nginx.py
# (cached, then uncached reads) the restarts fell in the uncached phase, whose p99 was
# 5.8 s with 32 readers (--seconds 40, reads alone); where 3 workers restarted during a
# 30 s run the p99 went from 646 ms to 1.44 s and 7 reads failed. Memory does not grow:
# each worker held 118-133 MiB after warming up and still after ~10,000 requests of reads and posts
# (bench/behind_nginx.py reports workers_rss_mb). A restart (systemctl reload) starts
# fresh workers anyway.
max_requests = 0

# SO_REUSEPORT: the master binds no socket; each worker binds its own on the same port and
# the kernel hands each new connection to one of them. On one shared socket the first
# worker to wake accepted nearly every connection of a burst (15 of 16 of wrk's keep-alive
# connections, measured), leaving the other processes idle (bench/pages.py counts them).
# A master restarted after a SIGKILL also binds at once even while orphaned workers of the
# old one still hold their sockets (they notice their parent is gone and exit within a
# second or two).
reuse_port = True

# Request limits. The search API accepts q up to 10,000 characters; fully
# percent-encoded, a 4-byte character is 12 bytes, so the request line can reach
# ~120,000 bytes. gunicorn's non-zero maximum is 8,190, so the line limit is 0
# (gunicorn's own cap: 1 MiB). The app answers a JSON 414 above 126,000 bytes
# (app/api/limits.py) and nginx's large_client_header_buffers (128k) above that;
# tests/api/test_errors.py checks the chain. Header fields (cookies): nginx refuses a
# line over its 128k buffer and answers 494 through the app (JSON under /api/), so
# gunicorn takes a little more than that (nginx writes "Name: value", which may be a
# byte or two longer than what the client sent) and as many fields as it can (32,768,
# its maximum; nginx already refuses a block of 2,000 tiny fields, measured in
# tests/api/test_contract.py): a proxied request never meets gunicorn's own HTML error.
limit_request_line = 0
limit_request_fields = 32768
limit_request_field_size = 132 * 1024

# Logs to stderr, which systemd's journal collects. The access log names the client
# (X-Forwarded-For from nginx), the request, status, bytes, time in ms and the request
# id that nginx generated and the app returns in X-Request-ID (the same id is in the
# app's own log lines and on its error pages), and the worker's pid (<1234>): which
# worker served a request, so an uneven spread of requests over the workers shows.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = (
    '%({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(M)sms %(p)s '
    'rid=%({x-request-id}o)s ref="%(f)s" ua="%(a)s"'
)

# Each worker builds its own app (and its own database pool) after the fork.
preload_app = False
# Debian: /dev/shm is memory; the workers' heartbeat files belong there, not on disk.
worker_tmp_dir = "/dev/shm"
# The app trusts X-Forwarded-* only through TOUCHPOINT_PROXY_HOPS=1 (Werkzeug's
# ProxyFix); gunicorn itself needs only to accept them from loopback.
forwarded_allow_ips = "127.0.0.1"

# One more listening socket per worker, of its own: a Unix socket in WORKER_SOCKETS_DIR,
# worker-<slot>.sock, slot 0 to workers - 1. nginx's upstream lists them (least_conn,
# deploy/nginx.conf) and gives each new request to the worker with the fewest requests in
# flight, where the kernel's hash over the one shared port (above) picks a worker blindly:
# a read could wait behind a busy worker's queue while another worker idled (rendered
# reads: p99 2.8 times the mean, bench/behind_nginx.py). The port stays for /healthz and
# as nginx's backup. A replacement worker (crash, reload, restart after a SIGKILL) takes
# the slot with the fewest live workers and renames its new socket over the slot's path
# at once, whoever held it before.
worker_sockets_dir = os.environ.get("WORKER_SOCKETS_DIR", "/run/touchpoint")


def pre_fork(server, worker):
    """In the master: the new worker's slot, the one fewest live workers hold (lowest first)."""
    held = [getattr(other, "slot", None) for other in server.WORKERS.values()]
    worker.slot = min(range(server.num_workers), key=lambda slot: (held.count(slot), slot))


def post_fork(server, worker):
    """In the worker: listen on worker-<slot>.sock as well as on the shared port."""
    path = os.path.join(worker_sockets_dir, f"worker-{worker.slot}.sock")
    fresh = f"{path}.{os.getpid()}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.makedirs(worker_sockets_dir, exist_ok=True)  # systemd's RuntimeDirectory= makes it
        with contextlib.suppress(FileNotFoundError):
            os.unlink(fresh)
        listener.bind(fresh)
        os.chmod(fresh, 0o666)  # nginx (www-data) connects; the folder is only on this host
        listener.listen(server.cfg.backlog)
        os.rename(fresh, path)  # atomic: connections go to this worker from now on
    except OSError as error:
        listener.close()
        server.log.warning("worker %s serves only the shared port: %s", worker.slot, error)
        return
    worker.sockets.append(listener)
