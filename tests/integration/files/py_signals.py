import signal, time, os
signal.signal(signal.SIGALRM, lambda s, f: print("alarm"))
signal.alarm(1)
t = time.time(); time.sleep(1.5); print("slept through", round(time.time() - t))
signal.signal(signal.SIGUSR1, lambda s, f: print("usr1"))
os.kill(os.getpid(), signal.SIGUSR1)
print("done")
