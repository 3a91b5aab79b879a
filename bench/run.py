"""Load bench of the Kitsu UI's main calls against gunicorn on PostgreSQL.

What it does, in order (see bench/README.md):

1. creates a PostgreSQL database for the bench (``kitsu_bench`` by default;
   its name must contain "bench", and one left over by an interrupted run is
   dropped first), migrates it, runs ``init_data`` and ``seed_demo`` (2,000
   shots, 500 assets, 16,000 tasks), then bench/seed.py (30,000 comments with
   their previews, and passwords for a producer and an artist);
2. starts gunicorn on a free port of 127.0.0.1 with production settings;
3. logs in as the producer (a manager) and as the artist, and sends each
   call a fixed number of times from a pool of threads, after a short
   warm-up, with a time cap per call and for the whole run;
4. counts the SQL queries of each call once, in-process (bench/queries.py);
5. prints a Markdown table: requests per second, p50 / p95 / max latency,
   body size and queries per call.

Whatever happens, gunicorn is stopped, the database dropped, the bench's
Redis database flushed and the temporary directory removed (``--keep``
keeps the database and Redis data to look into them). Traffic goes to
127.0.0.1 only.
"""

import argparse
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import redis
import requests
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kitsu_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
PROJECT_NAME = "Bench Show"
READY_TIMEOUT = 60
STOP_TIMEOUT = 15
REQUEST_TIMEOUT = 120


def out(text=""):
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


class BenchError(Exception):
    pass


# --- the calls -------------------------------------------------------------------


@dataclass
class Call:
    """One line of the table: a request the Kitsu UI sends, and who sends it.

    ``path`` and ``body`` take the ids of bench/seed.py and the request's
    number, so that task pages rotate over many tasks and each posted comment
    goes to another task.
    """

    label: str
    user: str
    method: str
    path: object
    body: object = None
    expected: int = 200

    @property
    def key(self):
        return f"{self.label} ({self.user})"


def _read_task(ids, index):
    return ids["read_tasks"][index % len(ids["read_tasks"])]


def _post_task(ids, index):
    return ids["post_tasks"][index % len(ids["post_tasks"])]


def _comment_body(ids, index):
    statuses = ids["post_statuses"]
    return {
        "task_status_id": statuses[index % len(statuses)],
        "comment": f"Bench note {index}: new version with the changes.",
        "checklist": [],
        "for_client": False,
    }


def _board(kind, extra="&stream=true&compact=true"):
    return lambda ids, index: f"/api/data/{kind}/with-tasks?project_id={ids['project_id']}{extra}"


CALLS = [
    Call("GET /api/auth/authenticated", "manager", "GET", lambda i, n: "/api/auth/authenticated"),
    Call("GET /api/data/user/context", "manager", "GET", lambda i, n: "/api/data/user/context"),
    Call("GET /api/data/user/context", "artist", "GET", lambda i, n: "/api/data/user/context"),
    Call(
        "GET /api/data/assets/with-tasks?project_id=P&stream=true&compact=true",
        "manager",
        "GET",
        _board("assets"),
    ),
    Call(
        "GET /api/data/shots/with-tasks?project_id=P&stream=true&compact=true",
        "manager",
        "GET",
        _board("shots"),
    ),
    Call(
        "GET /api/data/sequences/with-tasks?project_id=P",
        "manager",
        "GET",
        _board("sequences", extra=""),
    ),
    Call(
        "GET /api/data/tasks/T/full",
        "manager",
        "GET",
        lambda ids, n: f"/api/data/tasks/{_read_task(ids, n)['task_id']}/full",
    ),
    Call(
        "GET /api/data/tasks/T/comments",
        "manager",
        "GET",
        lambda ids, n: f"/api/data/tasks/{_read_task(ids, n)['task_id']}/comments",
    ),
    Call(
        "GET /api/data/playlists/entities/E/preview-files",
        "manager",
        "GET",
        lambda ids, n: (
            f"/api/data/playlists/entities/{_read_task(ids, n)['entity_id']}/preview-files"
        ),
    ),
    Call("GET /api/data/user/tasks", "artist", "GET", lambda i, n: "/api/data/user/tasks"),
    Call(
        "POST /api/actions/tasks/T/comment",
        "artist",
        "POST",
        lambda ids, n: f"/api/actions/tasks/{_post_task(ids, n)}/comment",
        body=_comment_body,
        expected=201,
    ),
]


# --- measuring --------------------------------------------------------------------


@dataclass
class Result:
    call: Call
    latencies: list = field(default_factory=list)
    sizes: list = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    wall: float = 0.0
    capped: bool = False
    queries: object = None

    def percentile(self, rank):
        """Nearest-rank percentile of the successful requests, in milliseconds."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(rank / 100 * len(ordered)) - 1)] * 1000


class Load:
    """Sends calls from a pool of threads, each with its own HTTP session."""

    def __init__(self, base_url, ids, cookies, concurrency):
        self.base_url = base_url
        self.ids = ids
        self.cookies = cookies
        self.concurrency = concurrency
        self.counters = {}

    def session(self, user):
        session = requests.Session()
        # No proxy from the environment: the bench only talks to 127.0.0.1.
        session.trust_env = False
        # The Kitsu UI authenticates by cookie only.
        session.headers["Cookie"] = f"access_token_cookie={self.cookies[user]}"
        return session

    def run(self, call, count, time_cap):
        """``count`` requests of ``call``, stopped early after ``time_cap`` seconds."""
        result = Result(call)
        start_index = self.counters.get(call.key, 0)
        self.counters[call.key] = start_index + count
        pending = iter(range(start_index, start_index + count))
        lock = threading.Lock()
        started = time.perf_counter()
        stop_at = started + time_cap

        def worker():
            session = self.session(call.user)
            while True:
                with lock:
                    index = next(pending, None)
                if index is None:
                    return
                if time.perf_counter() > stop_at:
                    result.capped = True
                    return
                self.send(session, call, index, result, lock)

        # Daemon threads: an interrupted run does not wait for requests in flight.
        threads = [threading.Thread(target=worker, daemon=True) for _ in range(self.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        result.wall = time.perf_counter() - started
        return result

    def send(self, session, call, index, result, lock):
        url = self.base_url + call.path(self.ids, index)
        body = call.body(self.ids, index) if call.body else None
        began = time.perf_counter()
        try:
            response = session.request(call.method, url, json=body, timeout=REQUEST_TIMEOUT)
            content = response.content
            elapsed = time.perf_counter() - began
            failure = (
                None
                if response.status_code == call.expected
                else f"{response.status_code} {content[:200]!r}"
            )
        except requests.RequestException as error:
            elapsed, content, failure = time.perf_counter() - began, b"", repr(error)
        with lock:
            if failure is None:
                result.latencies.append(elapsed)
                result.sizes.append(len(content))
            else:
                result.errors += 1
                result.first_error = result.first_error or failure


# --- the bench --------------------------------------------------------------------


class Bench:
    def __init__(self, args):
        self.args = args
        self.deadline = time.monotonic() + args.time_limit
        self.database_url = args.database_url
        parts = urlsplit(self.database_url)
        self.database_name = parts.path.lstrip("/")
        if "bench" not in self.database_name:
            raise BenchError(
                f"The bench creates and drops its database: {self.database_name!r} "
                "must contain 'bench'."
            )
        self.database_parts = parts
        self.workdir = None
        self.server = None
        self.database_created = False
        self.redis_used = False
        self.password = secrets.token_urlsafe(16)
        self.env = None
        self.postgres_version = "PostgreSQL"
        self.seed_seconds = 0.0

    def remaining(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise BenchError(f"Time limit of {self.args.time_limit}s reached.")
        return left

    # --- set-up and clean-up -----------------------------------------------------

    def run(self):
        try:
            self.workdir = Path(tempfile.mkdtemp(prefix="kitsu-bench-"))
            self.env = self.environment()
            self.create_database()
            ids = self.seed()
            base_url = self.start_server()
            results = self.measure(base_url, ids)
            self.count_queries(ids, results)
            report = self.report(ids, results)
            out()
            out(report)
            if self.args.output:
                Path(self.args.output).write_text(report + "\n")
            return 0 if all(not result.errors for result in results) else 1
        finally:
            self.clean_up()

    def environment(self):
        env = dict(os.environ)
        for name in ("CELERY_BROKER_URL", "AWS_STORAGE_BUCKET_NAME", "DJANGO_SETTINGS_MODULE"):
            env.pop(name, None)
        env.update(
            DATABASE_URL=self.database_url,
            REDIS_URL=self.args.redis_url,
            DEBUG="false",
            SECURE_SSL_REDIRECT="false",
            ALLOWED_HOSTS=f"{HOST},localhost",
            SECRET_KEY=secrets.token_urlsafe(50),
            KITSU_VAR_DIR=str(self.workdir),
            MEDIA_ROOT=str(self.workdir / "media"),
            LOG_LEVEL="WARNING",
            BENCH_PASSWORD=self.password,
        )
        return env

    def admin_connection(self):
        parts = self.database_parts
        connection = psycopg2.connect(
            dbname="postgres",
            user=parts.username or "postgres",
            password=parts.password,
            host=parts.hostname or HOST,
            port=parts.port or 5432,
        )
        connection.autocommit = True
        return connection

    def create_database(self):
        name = sql.Identifier(self.database_name)
        connection = self.admin_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
                cursor.execute("SELECT version()")
                self.postgres_version = cursor.fetchone()[0].split(" on ")[0]
        finally:
            connection.close()
        self.database_created = True
        out(f"Created database {self.database_name}.")

    def drop_database(self):
        connection = self.admin_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(self.database_name)
                    )
                )
        finally:
            connection.close()
        out(f"Dropped database {self.database_name}.")

    def clean_up(self):
        # Each step runs even when an earlier one fails.
        if self.server is not None:
            self.stop_server()
        if self.database_created and not self.args.keep:
            try:
                self.drop_database()
            except psycopg2.Error as error:
                out(f"Could not drop {self.database_name}: {error}")
        if self.redis_used and not self.args.keep:
            try:
                redis.Redis.from_url(self.args.redis_url).flushdb()
            except redis.RedisError as error:
                out(f"Could not flush {self.args.redis_url}: {error}")
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    # --- data ---------------------------------------------------------------------

    def command(self, *arguments):
        subprocess.run(
            [sys.executable, *arguments],
            cwd=ROOT,
            env=self.env,
            check=True,
            timeout=self.remaining(),
        )

    def seed(self):
        args = self.args
        started = time.monotonic()
        self.redis_used = True
        self.command("manage.py", "migrate", "--no-input", "-v", "0")
        self.command("manage.py", "init_data", "-v", "0")
        self.command(
            "manage.py",
            "seed_demo",
            "--shots",
            str(args.shots),
            "--assets",
            str(args.assets),
            "--project-name",
            PROJECT_NAME,
        )
        ids_file = self.workdir / "ids.json"
        self.command(
            "bench/seed.py",
            "--database-name",
            self.database_name,
            "--project-name",
            PROJECT_NAME,
            "--comments",
            str(args.comments),
            "--output",
            str(ids_file),
        )
        self.seed_seconds = time.monotonic() - started
        out(f"Seeded in {self.seed_seconds:.0f}s.")
        return json.loads(ids_file.read_text())

    # --- server -------------------------------------------------------------------

    def start_server(self):
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            port = probe.getsockname()[1]
        self.server_log = self.workdir / "gunicorn.log"
        log = self.server_log.open("wb")
        self.server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "kitsu_backend.wsgi",
                "-w",
                str(self.args.workers),
                "-b",
                f"{HOST}:{port}",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group, so that stopping it stops its workers too.
            start_new_session=True,
        )
        log.close()
        base_url = f"http://{HOST}:{port}"
        ready_by = time.monotonic() + READY_TIMEOUT
        session = requests.Session()
        session.trust_env = False
        while True:
            if self.server.poll() is not None:
                raise BenchError(f"gunicorn exited:\n{self.server_log_tail()}")
            try:
                if session.get(f"{base_url}/api/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > ready_by:
                raise BenchError(f"gunicorn did not answer:\n{self.server_log_tail()}")
            time.sleep(0.5)
        out(f"gunicorn ({self.args.workers} workers) listening on {base_url}.")
        return base_url

    def server_log_tail(self):
        try:
            return self.server_log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def stop_server(self):
        try:
            os.killpg(self.server.pid, signal.SIGTERM)
            self.server.wait(timeout=STOP_TIMEOUT)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait()
        out("gunicorn stopped.")

    # --- load ---------------------------------------------------------------------

    def login(self, base_url, email):
        session = requests.Session()
        session.trust_env = False
        response = session.post(
            f"{base_url}/api/auth/login",
            json={"email": email, "password": self.password},
            timeout=REQUEST_TIMEOUT,
        )
        if response.status_code != 200:
            raise BenchError(f"Login of {email} failed: {response.status_code} {response.text}")
        return response.json()["access_token"]

    def measure(self, base_url, ids):
        args = self.args
        cookies = {user: self.login(base_url, ids[user]) for user in ("manager", "artist")}
        load = Load(base_url, ids, cookies, args.concurrency)
        results = []
        for call in CALLS:
            cap = min(args.call_time_limit, self.remaining())
            # Warm-up: each worker process loads its code and caches first.
            load.run(call, args.warmup, cap)
            result = load.run(call, args.requests, min(cap, self.remaining()))
            results.append(result)
            p50, p95 = result.percentile(50), result.percentile(95)
            out(
                f"{call.key}: {len(result.latencies)} ok, {result.errors} errors, "
                f"p50 {fmt(p50)} ms, p95 {fmt(p95)} ms"
            )
        return results

    def count_queries(self, ids, results):
        """Query counts, in-process; a failure here leaves the column empty."""
        calls = []
        for result in results:
            call = result.call
            # Two requests past the load test, on other tasks than it used.
            indexes = (-1, -2) if call.method == "POST" else (0, 1)
            calls.append(
                {
                    "label": call.key,
                    "user": call.user,
                    "method": call.method,
                    "paths": [call.path(ids, index) for index in indexes],
                    "body": call.body(ids, 0) if call.body else None,
                }
            )
        users = json.dumps({user: ids[user] for user in ("manager", "artist")})
        try:
            completed = subprocess.run(
                [
                    sys.executable,
                    "bench/queries.py",
                    "--database-name",
                    self.database_name,
                    "--users",
                    users,
                ],
                cwd=ROOT,
                env=self.env,
                input=json.dumps(calls),
                capture_output=True,
                text=True,
                timeout=self.remaining(),
                check=True,
            )
            counts = json.loads(completed.stdout.strip().splitlines()[-1])
        except (subprocess.SubprocessError, ValueError, IndexError) as error:
            out(f"Query counts unavailable: {error}")
            return
        for result in results:
            result.queries = counts.get(result.call.key)

    # --- report -------------------------------------------------------------------

    def report(self, ids, results):
        args = self.args
        counts = ids["counts"]
        lines = [
            f"Production: {args.shots} shots, {args.assets} assets, "
            f"{counts['all_tasks']} tasks, {counts['comments']} comments, "
            f"{counts['previews']} previews; the artist has {counts['artist_tasks']} tasks.",
            f"Server: gunicorn, {args.workers} sync workers, on {self.postgres_version}, "
            f"Redis cache; {machine()}.",
            f"Load: {args.requests} requests per call after {args.warmup} warm-up requests, "
            f"{args.concurrency} concurrent clients on the same machine.",
            "",
            "| Call | As | OK | Errors | req/s | p50 ms | p95 ms | max ms | KB | Queries |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for result in results:
            ok = len(result.latencies)
            rate = ok / result.wall if result.wall else 0
            size = sum(result.sizes) / ok / 1024 if ok else 0
            slowest = max(result.latencies) * 1000 if ok else None
            lines.append(
                f"| `{result.call.label}` | {result.call.user} | {ok}"
                f"{' (time cap)' if result.capped else ''} | {result.errors} | {rate:.1f} | "
                f"{fmt(result.percentile(50))} | {fmt(result.percentile(95))} | "
                f"{fmt(slowest)} | {size:.1f} | "
                f"{'' if result.queries is None else result.queries} |"
            )
        failures = [result for result in results if result.errors]
        if failures:
            lines.append("")
            for result in failures:
                lines.append(f"- {result.call.key}: first error {result.first_error}")
        return "\n".join(lines)


def fmt(value):
    return "-" if value is None else f"{value:.0f}"


def machine():
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GB RAM"
    except (ValueError, OSError):
        pass
    cpu = f" ({model})" if model else ""
    return (
        f"{os.cpu_count()} CPU cores{cpu}{memory}, Python {platform.python_version()}, "
        "load generator on the same machine"
    )


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--shots", type=int, default=2000)
    parser.add_argument("--assets", type=int, default=500)
    parser.add_argument("--comments", type=int, default=30000)
    parser.add_argument("--requests", type=int, default=200, help="Requests per call.")
    parser.add_argument("--warmup", type=int, default=8, help="Warm-up requests per call.")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument(
        "--call-time-limit", type=float, default=300, help="Seconds at most per call."
    )
    parser.add_argument(
        "--time-limit", type=float, default=1800, help="Seconds at most for the whole run."
    )
    parser.add_argument("--output", help="Also write the Markdown report to this file.")
    parser.add_argument("--keep", action="store_true", help="Keep the database and the Redis data.")
    args = parser.parse_args(argv)
    if min(args.requests, args.concurrency, args.workers) < 1 or args.warmup < 0:
        parser.error("--requests, --concurrency and --workers must be 1 or more.")
    return args


def main(argv=None):
    args = parse_args(argv)

    # make and kill send SIGTERM: turn it into an exception so that the
    # clean-up still runs.
    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    try:
        return Bench(args).run()
    except (BenchError, subprocess.SubprocessError) as error:
        out(f"Bench failed: {error}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
