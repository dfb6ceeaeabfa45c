import sqlite3, os
db = "/tmp/cvt-test.db"
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(db + suffix): os.unlink(db + suffix)
c = sqlite3.connect(db)
print(c.execute("pragma journal_mode=wal").fetchone())
c.execute("create table t(a integer primary key, b text)")
with c:
    c.executemany("insert into t(b) values (?)", [(str(i) * 3,) for i in range(5000)])
print(c.execute("select count(*), sum(a) from t").fetchone())
print(c.execute("pragma integrity_check").fetchone())
c.close()
