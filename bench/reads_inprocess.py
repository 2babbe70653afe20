"""Median process CPU time of two native reads, in process (TestClient: the client's
own work is included and the same for both versions compared), on a fresh SQLite file.

    .venv/bin/python bench/reads_inprocess.py

A quick A/B for request-path changes (run it on both commits, one after the other);
`make bench` is the real measure (a server process under wrk)."""

import statistics, sys, tempfile, time

sys.path.insert(0, ".")
from fastapi.testclient import TestClient
from punchcard.app import create_app
from punchcard.config import Settings
from punchcard.db.migrate import upgrade
from punchcard.db.uow import Database
from tests.factories import make_tenant

tmp = tempfile.mkdtemp()
url = f"sqlite:///{tmp}/x.db"
db = Database(url)
upgrade(db.engine)
db.dispose()
app = create_app(Settings(database_url=url, run_worker=False))
with TestClient(app) as c:
    t = make_tenant(app.state.db, c)
    m = t.api.post("/members", json={"email": "a@example.com"}).json()["id"]

    def cost(path, n=400):
        for _ in range(50):
            t.api.get(path)
        samples = []
        for _ in range(5):
            a = time.process_time()
            for _ in range(n):
                t.api.get(path)
            samples.append((time.process_time() - a) / n * 1000)
        return statistics.median(samples)

    print(f"GET /members/{{id}}: {cost(f'/members/{m}'):.3f} ms CPU")
    print(f"GET /stores: {cost('/stores'):.3f} ms CPU")
