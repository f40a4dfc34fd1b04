"""The shipped photo denoiser on Kodak24, the papers' colour benchmark, against non-local means.

Kodak24 is for measuring only (it sits beside the checkout in ../shared/data, never in the
package); the test is skipped where that folder is missing, and never in CI.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from playground.autoencoder import kodak

pytestmark = pytest.mark.slow

if kodak.folder() is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must measure the denoiser on Kodak24, but ../shared/data/kodak24 is missing")
    pytest.skip("Kodak24 is not on this machine", allow_module_level=True)


@pytest.fixture(scope="module")
def colour_sigma_25() -> kodak.Scores:
    scores = kodak.measure(25, grey=False)
    print(f"Kodak24 colour σ=25: network {np.mean(scores.network):.2f} dB, "
          f"non-local means {np.mean(scores.non_local_means):.2f} dB, margin {scores.margin:+.2f} dB")
    return scores


def test_colour_denoiser_beats_non_local_means_on_every_photo_at_sigma_25(colour_sigma_25):
    # The shipped model measured +2.22 dB (30.97 against 28.75 dB); the bar leaves room for library versions.
    assert colour_sigma_25.margin >= 2.0
    # not carried by a few photos: the network wins on every one of the 24
    assert all(n > m for n, m in zip(colour_sigma_25.network, colour_sigma_25.non_local_means))


@pytest.mark.xfail(strict=True, reason="issue 17's target (CBM3D's level) is not reached yet: +2.2 dB measured")
def test_colour_denoiser_is_three_db_above_non_local_means_at_sigma_25(colour_sigma_25):
    assert colour_sigma_25.margin >= 3.0


@pytest.mark.parametrize("sigma", [15, 25, 50])
def test_grey_photos_are_denoised_better_than_non_local_means(sigma):
    images = kodak.photos(grey=True)
    scores = kodak.measure(sigma, grey=True, images=images)
    print(f"Kodak24 grey σ={sigma}: network {np.mean(scores.network):.2f} dB, "
          f"non-local means {np.mean(scores.non_local_means):.2f} dB, margin {scores.margin:+.2f} dB")
    assert scores.margin > 0.0
