"""Count the SQL queries of each benchmarked call, in-process, on the bench database.

bench/run.py writes the calls on stdin as JSON (a list of objects with
``label``, ``method``, two ``paths``, ``user`` and an optional ``body``) and the
passwords in BENCH_PASSWORD; this script logs in as each user with Django's
test client, makes each call twice, on its two paths (the first one fills the
caches, as the warm-up of the load test does), counts the queries of the
second one and prints ``{label: query count}`` as JSON. A streamed body is
read inside the count: its rows are queried while it is sent.
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-name", required=True, help="Refuse any other database.")
    parser.add_argument("--users", required=True, help='JSON {"manager": email, ...}')
    args = parser.parse_args(argv)
    calls = json.load(sys.stdin)
    users = json.loads(args.users)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitsu_backend.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if connection.settings_dict["NAME"] != args.database_name:
        sys.exit(f"Refusing to use {connection.settings_dict['NAME']!r}.")

    clients = {}
    for user, email in users.items():
        client = Client(HTTP_HOST="127.0.0.1")
        response = client.post(
            "/api/auth/login",
            {"email": email, "password": os.environ["BENCH_PASSWORD"]},
            content_type="application/json",
        )
        if response.status_code != 200:
            sys.exit(f"Login of {email} failed: {response.status_code}")
        clients[user] = client

    counts = {}
    for call in calls:
        client = clients[call["user"]]
        for attempt in range(2):
            with CaptureQueriesContext(connection) as captured:
                response = send(client, call, attempt)
                if response.streaming:
                    b"".join(response.streaming_content)
            counts[call["label"]] = len(captured)
    sys.stdout.write(json.dumps(counts) + "\n")


def send(client, call, attempt):
    path = call["paths"][attempt]
    if call["method"] == "GET":
        return client.get(path)
    return client.post(path, call.get("body") or {}, content_type="application/json")


if __name__ == "__main__":
    main()
