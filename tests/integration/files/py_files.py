import tempfile, shutil, pathlib, os, mmap
d = tempfile.mkdtemp(prefix="cvt-")
p = pathlib.Path(d)
(p / "a" / "b").mkdir(parents=True)
(p / "a" / "b" / "f.txt").write_text("hello\n")
shutil.copytree(p / "a", p / "c")
print(sorted(str(x.relative_to(p)) for x in p.rglob("*")))
print(sorted(e.name for e in os.scandir(p)))
with open(p / "m", "w+b") as f:
    f.write(b"0" * 4096); f.flush()
    m = mmap.mmap(f.fileno(), 4096); m[:5] = b"HELLO"; m.flush()
    f.seek(0); print(f.read(5))
shutil.rmtree(d)
print(os.path.exists(d))
