"""playground/inference.py's shared onnxruntime arena: one large region, so a big decode leaves behind about
its own working set instead of many exactly-sized regions (measured against that older layout in the same test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from playground.device import get_device

# Exports the AdaIN decoder's graphs into the cache the way the app does (registry.get runs its warm 512x344
# decodes, the first calls on onnxruntime) and prints which engine answered the first.
EXPORT = textwrap.dedent("""
    import json
    import playground.catalog
    from playground import inference, registry

    warm = next(example for example in registry.meta("adain_decoder")["inference"].examples if example.warm)
    print(json.dumps({"engine": inference.method_of(registry.get("adain_decoder"), warm.method).last_engine}))
""")

# Runs that exported graph's warm 512x344 decode once in a session with the app's options (its shared arena) and
# prints how much resident memory the decode added. argv[1]: "one-region" (the app's layout) or "exact-regions"
# (onnxruntime's same-as-requested growth with no first region, the layout before). argv[2]: "small-pages" turns
# transparent huge pages off for the child, "huge-pages" leaves them to the environment (see PAGES below).
# argv[3]: the cache folder.
# Only the onnxruntime decode is measured, not registry.get: its first call also runs the eager PyTorch decode
# (the agreement check), and glibc keeps ~85 MB that decode freed in its heap or not, by the heap's layout, which
# Python's hash seed and whether modules compile from source (.ci/run's PYTHONDONTWRITEBYTECODE=1) change. The
# arena's region is a mapping of its own that cannot reuse that memory (the old layout's malloc'd regions can), so
# registry.get's growth with one region was bimodal (malloc_trim(0) brought both modes to the same 110 MB). Measured
# 2026-12-07, 4 kB pages confirmed: in CI's environment 193.6-200.9 MB against 268.4-271.4 in 6 of 8 seeds run from
# a script, and this test under pytest failed in 3 of 14 seeds (193.6 against 268.9-269.8); CI's failures read
# 200.94 against 268.77. With cached .pyc, 131-148 MB in seeds 0-9 (none failed).
DECODE_ONCE = textwrap.dedent("""
    import ctypes, json, pathlib, sys
    if sys.argv[2] == "small-pages":
        PR_SET_THP_DISABLE = 41
        if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_THP_DISABLE) failed")
    from playground import inference
    if sys.argv[1] == "exact-regions":
        inference.ARENA_EXTEND_STRATEGY, inference.ARENA_FIRST_REGION = 1, -1
    import playground.catalog
    from playground import registry
    from playground.live import process_rss_mb

    def huge_pages_mb():  # anonymous memory held in transparent huge pages; None where the kernel does not say
        try:
            with open("/proc/self/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("AnonHugePages:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return None

    def thp_disabled():  # True once prctl(PR_SET_THP_DISABLE) took effect, as the kernel reports it
        with open("/proc/self/status") as status:
            return any(line.split() == ["THP_enabled:", "0"] for line in status)

    warm = next(example for example in registry.meta("adain_decoder")["inference"].examples if example.warm)
    # registry.get made one graph per warm example (a pair: its two decoders, 3 and 4 inputs): the first example's
    sessions = [inference.load_session(graph) for graph in pathlib.Path(sys.argv[3]).glob("adain_decoder.*.forward.*.onnx")]
    (session,) = [one for one in sessions if len(one.get_inputs()) == len(warm.inputs())]  # the app's options: the shared arena
    del sessions
    # inputs in the graph's order (the forward signature's), each (1, C, H, W) float32
    feeds = {put.name: tensor.numpy() for put, tensor in zip(session.get_inputs(), warm.inputs())}
    before, huge_before = process_rss_mb(), huge_pages_mb()
    session.run(None, feeds)
    huge_after = huge_pages_mb()
    huge_grew = None if huge_before is None or huge_after is None else huge_after - huge_before
    print(json.dumps({"grew_mb": process_rss_mb() - before, "huge_pages_grew_mb": huge_grew,
                      "thp_disabled": thp_disabled()}))
""")

# Page size → extra environment for the child. What the child got is read back, not assumed (the failure
# message shows it).
PAGES = {
    "small-pages": {},
    "huge-pages": {"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"},
}
# The most the app's layout may keep, as a share of the old layout's. The decode alone, measured 2026-12-07 on the
# 2-core host, 10 rounds each, no two processes with the same hash seed:
# - 4 kB pages: 85.6 MB every time against 216.7–218.1 MB (shares 0.392–0.395).
# - 2 MB pages (glibc's tunable; 84 MB of huge pages gained): 86.6 MB against 215.3–217.3 MB (0.399–0.402).
# - 4 kB pages, 2 rounds each: 85.6 against 209.0–217.7 MB with 2 onnxruntime threads, MALLOC_ARENA_MAX=1,
#   MALLOC_MMAP_THRESHOLD_=32 MB or the old layout measured first; 85.6 against 216.7–218.1 in CI's environment.
# The pages hardly matter once the agreement check's eager decode is left out, so one margin serves both: the
# earlier huge-page readings (197 against 263 MB, which had set a margin of 0.9 for them) were that decode's
# bimodal glibc heap (see DECODE_ONCE), as was CI's 201 against 269 MB with 4 kB pages confirmed. The children
# still report the pages they got (THP_enabled, AnonHugePages gained): the failure message carries them.
# With the old layout in the app (mutation checked) both readings are ~1.0, so the margin fails it.
SHARE = 0.7


def run_child(script: str, cache: str, *arguments: str, extra_env: dict | None = None) -> dict:
    env = {**os.environ, **(extra_env or {}), "PLAYGROUND_CACHE_DIR": cache, "PLAYGROUND_DEVICE": "cpu"}
    env.pop("PLAYGROUND_INFERENCE", None)
    result = subprocess.run([sys.executable, "-c", script, *arguments], capture_output=True, text=True,
                            env=env, timeout=600, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def decode_once(layout: str, pages: str, cache: str) -> dict:
    return run_child(DECODE_ONCE, cache, layout, pages, cache, extra_env=PAGES[pages])


@pytest.fixture(scope="module")
def exported_cache(tmp_path_factory) -> str:
    cache = str(tmp_path_factory.mktemp("onnx"))
    exported = run_child(EXPORT, cache)
    assert exported["engine"] == "onnxruntime", exported  # the app serves the decoder with this graph
    return cache


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm, sets prctl")
@pytest.mark.skipif(get_device().type != "cpu", reason="on a GPU the shared models stay eager PyTorch")
@pytest.mark.parametrize("pages", list(PAGES))
def test_one_arena_region_keeps_about_the_working_set_of_a_big_decode(exported_cache, pages):
    one_region = decode_once("one-region", pages, exported_cache)
    exact_regions = decode_once("exact-regions", pages, exported_cache)
    assert one_region["grew_mb"] < SHARE * exact_regions["grew_mb"], (one_region, exact_regions)
