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

# Loads the AdaIN decoder (registry.get runs its warm 512x344 decode on onnxruntime) and prints how much
# resident memory that added. argv[1]: "one-region" (the app's layout) or "exact-regions" (onnxruntime's
# same-as-requested growth with no first region, the layout before). argv[2]: "small-pages" turns transparent
# huge pages off for the child, "huge-pages" leaves them to the environment (see PAGES below).
DECODE_ONCE = textwrap.dedent("""
    import ctypes, json, sys
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

    inference.session_options()  # onnxruntime imported and the shared arena registered before measuring
    registry.create("adain_decoder")  # and the network's code and weights read once
    before, huge_before = process_rss_mb(), huge_pages_mb()
    decoder = registry.get("adain_decoder")
    engine = decoder.forward.last_engine
    huge_after = huge_pages_mb()
    huge_grew = None if huge_before is None or huge_after is None else huge_after - huge_before
    print(json.dumps({"grew_mb": process_rss_mb() - before, "engine": engine,
                      "huge_pages_grew_mb": huge_grew, "thp_disabled": thp_disabled()}))
""")

# Page size → extra environment for the child. What the child got is read back, not assumed: the margin is
# chosen by the pages the decodes really used (SMALL_PAGES_SHARE only where the kernel confirms 4 kB pages).
PAGES = {
    "small-pages": {},
    "huge-pages": {"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"},
}
# The most the app's layout may keep, as a share of the old layout's:
# - 4 kB pages: only the pages a tensor wrote to are resident, so the figure is the arena's reuse of its
#   addresses. Measured on the 2-core host: 130–134 MB against 261–263 MB.
# - 2 MB pages (a kernel with THP "always", or forced with glibc's tunable): every 2 MB range the decode touches
#   is resident whole, which rounds both layouts up. Measured: 197 against 263 MB (195 against 263 in one CI
#   run); 133 against 263 where the kernel had no huge page free. A later CI run that asked for 4 kB pages read
#   197 against 269, the huge-page figure, and did not record which pages it got: hence the readings above.
# With the old layout in the app (mutation checked) both readings are ~1.0, so both margins fail it.
SMALL_PAGES_SHARE = 0.7
HUGE_PAGES_SHARE = 0.9


def used_small_pages_only(decode: dict) -> bool:
    """True when the child confirms its decode ran on 4 kB pages: THP off and no huge page gained."""
    return decode["thp_disabled"] and decode["huge_pages_grew_mb"] == 0


def decode_once(layout: str, pages: str, cache: str) -> dict:
    env = {**os.environ, **PAGES[pages], "PLAYGROUND_CACHE_DIR": cache, "PLAYGROUND_DEVICE": "cpu"}
    env.pop("PLAYGROUND_INFERENCE", None)
    result = subprocess.run([sys.executable, "-c", DECODE_ONCE, layout, pages], capture_output=True, text=True,
                            env=env, timeout=600, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def exported_cache(tmp_path_factory) -> str:
    cache = str(tmp_path_factory.mktemp("onnx"))
    decode_once("one-region", "small-pages", cache)  # exports the graph into the cache: not measured
    return cache


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm, sets prctl")
@pytest.mark.skipif(get_device().type != "cpu", reason="on a GPU the shared models stay eager PyTorch")
@pytest.mark.parametrize("pages", list(PAGES))
def test_one_arena_region_keeps_about_the_working_set_of_a_big_decode(exported_cache, pages):
    one_region = decode_once("one-region", pages, exported_cache)
    exact_regions = decode_once("exact-regions", pages, exported_cache)
    assert one_region["engine"] == exact_regions["engine"] == "onnxruntime"
    small_pages = used_small_pages_only(one_region) and used_small_pages_only(exact_regions)
    share = SMALL_PAGES_SHARE if small_pages else HUGE_PAGES_SHARE
    # both figures count the session and the network themselves (about 20 MB)
    assert one_region["grew_mb"] < share * exact_regions["grew_mb"], (one_region, exact_regions)
