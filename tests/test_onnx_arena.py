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
# same-as-requested growth with no first region, the layout before).
DECODE_ONCE = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from playground import inference
    if sys.argv[1] == "exact-regions":
        inference.ARENA_EXTEND_STRATEGY, inference.ARENA_FIRST_REGION = 1, -1
    import playground.catalog
    from playground import registry

    def resident_mb():
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

    inference.session_options()  # onnxruntime imported and the shared arena registered before measuring
    registry.create("adain_decoder")  # and the network's code and weights read once
    before = resident_mb()
    decoder = registry.get("adain_decoder")
    engine = decoder.forward.last_engine
    print(json.dumps({"grew_mb": resident_mb() - before, "engine": engine}))
""")


def decode_once(layout: str, cache: str) -> dict:
    env = {**os.environ, "PLAYGROUND_CACHE_DIR": cache, "PLAYGROUND_DEVICE": "cpu"}
    env.pop("PLAYGROUND_INFERENCE", None)
    result = subprocess.run([sys.executable, "-c", DECODE_ONCE, layout], capture_output=True, text=True, env=env,
                            timeout=600, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
@pytest.mark.skipif(get_device().type != "cpu", reason="on a GPU the shared models stay eager PyTorch")
def test_one_arena_region_keeps_about_the_working_set_of_a_big_decode(tmp_path):
    decode_once("one-region", str(tmp_path))  # exports the graph into the cache: not measured
    one_region = decode_once("one-region", str(tmp_path))
    exact_regions = decode_once("exact-regions", str(tmp_path))
    assert one_region["engine"] == exact_regions["engine"] == "onnxruntime"
    # measured on the 2-core host: 134 MB against 261–263 MB, both counting the session and network themselves
    assert one_region["grew_mb"] < 0.7 * exact_regions["grew_mb"]
