#!/usr/bin/python3
"""The gVisor scan of a directory through the three surfaces: `kfix gvisor scan --jobs 1` (a process),
`kfix_gvisor_scan_paths` (libkfix.so through ctypes, in this process) and `kfix.gvisor.scan_paths`
(Python, in this process, with the typed result built). All three run the same engine function;
this measures what each surface adds (process start and pretty printing for the CLI, JSON text for
C, Python objects for Python).

Runs rounds in which the order of the three rotates (drift on a shared machine hits each alike) and
prints each leg's median and best and the ratio of each median to the CLI's. Checks first that the
three give the same document.

usage: playbook_surfaces.py KFIX_BINARY LIBKFIX DIR [ROUNDS]
(PYTHONPATH must reach the built kfix package, e.g. build/python)
"""
import ctypes
import json
import statistics
import subprocess
import sys
import time

import kfix


class Buf(ctypes.Structure):
    _fields_ = [("ptr", ctypes.c_void_p), ("size", ctypes.c_size_t)]


def main() -> int:
    exe, libkfix, path = sys.argv[1:4]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    lib = ctypes.CDLL(libkfix)
    engine = ctypes.c_void_p()
    if lib.kfix_engine_new(ctypes.byref(engine), None, ctypes.c_size_t(0)) != 0:
        sys.exit("kfix_engine_new failed")
    py_engine = kfix.Engine()
    paths = (ctypes.c_char_p * 1)(path.encode())

    def cli() -> bytes:
        r = subprocess.run([exe, "gvisor", "scan", "--format", "json", "--jobs", "1", path], capture_output=True)
        if r.returncode not in (0, 2):
            sys.exit(f"kfix gvisor scan exited {r.returncode}")
        return r.stdout

    def c() -> bytes:
        out = Buf()
        if lib.kfix_gvisor_scan_paths(ctypes.byref(out), engine, paths, ctypes.c_size_t(1), None,
                                      ctypes.c_size_t(0)) != 0:
            sys.exit("kfix_gvisor_scan_paths failed")
        data = ctypes.string_at(out.ptr, out.size)
        lib.kfix_buf_dispose(ctypes.byref(out))
        return data

    def python() -> "kfix.gvisor.CompatibilityReport":
        return kfix.gvisor.scan_paths(path, jobs=1, engine=py_engine)

    legs = {"cli": cli, "c": c, "python": python}
    a, b, p = cli(), c(), python()
    if json.loads(a) != json.loads(b) or json.loads(b) != p.to_dict():
        sys.exit("the three surfaces disagree")
    print(f"{path}: {len(p)} workloads ({p.count('compatible')} compatible, {p.count('review')} review, "
          f"{p.count('incompatible')} incompatible); time of day {time.strftime('%H:%M:%S UTC', time.gmtime())}")
    times = {name: [] for name in legs}
    names = list(legs)
    for i in range(rounds):
        order = names[i % 3:] + names[:i % 3]
        for name in order:
            t = time.perf_counter()
            legs[name]()
            times[name].append(time.perf_counter() - t)
    base = statistics.median(times["cli"])
    for name in names:
        med = statistics.median(times[name])
        print(f"{name:7s} median {med:.3f}s  best {min(times[name]):.3f}s  median/cli {med / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
