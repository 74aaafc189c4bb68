"""Seconds per step of the real `gpu` preset loop on this machine (steps 15..N of a throwaway run)."""
import sys, time, shutil
import torch
from seqstudio.core.errors import Cancelled
from seqstudio.core.progress import Progress
from seqstudio.music.train import PRESETS, train_music

class Clock(Progress):
    def __init__(self, stop):
        super().__init__(); self.stop = stop; self.times = {}
    def update(self, done, info=""):
        self.times[done] = time.perf_counter()
        if done >= self.stop:
            self.cancel()

n = int(sys.argv[1]) if len(sys.argv) > 1 else 60
clock = Clock(n)
try:
    train_music("data/corpus/music", "/tmp/probe", PRESETS["gpu"], torch.device("cuda"), progress=clock, log=lambda *_: None)
except Cancelled:
    pass
per = (clock.times[n] - clock.times[15]) / (n - 15)
print(f"{per:.5f}")
print(f"probe: {per*1000:.1f} ms/step, peak GPU memory {torch.cuda.max_memory_allocated()/2**30:.1f} GiB", file=sys.stderr)
shutil.rmtree("/tmp/probe", ignore_errors=True)
