import threading, subprocess, concurrent.futures, os, signal
lock = threading.Lock(); cond = threading.Condition(lock); n = [0]
def w(i):
    for _ in range(1000):
        with lock: n[0] += 1
ts = [threading.Thread(target=w, args=(i,)) for i in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print("threads", n[0])
with concurrent.futures.ThreadPoolExecutor(4) as ex: print("pool", sum(ex.map(lambda x: x*x, range(100))))
print(subprocess.run(["sh", "-c", "echo sub; exit 3"], capture_output=True))
pid = os.fork()
if pid == 0: os._exit(5)
print("waited", os.waitpid(pid, 0)[1] >> 8)
