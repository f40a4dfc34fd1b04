"""playground/malloc.py: the server's threads share two glibc arenas, read back from glibc's own report."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# Eight threads each allocate while the others hold their blocks, then glibc's malloc_info says how
# many heaps (arenas) exist; prints that count.
COUNT_ARENAS = textwrap.dedent("""
    import ctypes, re, sys, tempfile, threading
    from playground import malloc
    if sys.argv[1] == "limit":
        assert malloc.limit_arenas(2)
    libc = ctypes.CDLL(None)
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, (ctypes.c_size_t,)
    libc.free.argtypes = (ctypes.c_void_p,)
    libc.fopen.restype, libc.fopen.argtypes = ctypes.c_void_p, (ctypes.c_char_p, ctypes.c_char_p)
    libc.malloc_info.argtypes = (ctypes.c_int, ctypes.c_void_p)
    libc.fclose.argtypes = (ctypes.c_void_p,)
    everyone_holds = threading.Barrier(8)

    def work():
        blocks = [libc.malloc(1000) for _ in range(100)]
        everyone_holds.wait()
        for block in blocks:
            libc.free(block)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with tempfile.NamedTemporaryFile(suffix=".xml") as report:
        stream = libc.fopen(report.name.encode(), b"w")
        libc.malloc_info(0, stream)
        libc.fclose(stream)
        print(len(re.findall(r'<heap nr="\\d+"', open(report.name).read())))
""")


def arenas(mode: str) -> int:
    env = {"PATH": "/usr/bin:/bin"}  # no MALLOC_ARENA_MAX from the caller's environment
    result = subprocess.run([sys.executable, "-c", COUNT_ARENAS, mode], capture_output=True, text=True, env=env,
                            timeout=120, check=True)
    return int(result.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's arenas")
def test_the_server_threads_share_two_arenas():
    try:
        default = arenas("default")
    except subprocess.CalledProcessError as error:  # not glibc: malloc_info is missing
        pytest.skip(f"no glibc malloc_info here ({error.stderr.strip().splitlines()[-1]})")
    assert default > 2  # glibc's own choice: a new arena for each thread, up to 8 per core
    assert arenas("limit") <= 2


def test_the_environment_variable_takes_precedence(monkeypatch):
    from playground import malloc

    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert malloc.limit_arenas() is False
