"""Version ranges are shown to business owners in plain Dutch, never as raw `vers` strings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtc.advisories.versions import range_describe


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vers:semver/>=6.8.0|<6.8.3", "vanaf 6.8.0 tot 6.8.3"),
        ("vers:semver/<6.7.4", "ouder dan 6.7.4"),
        ("vers:generic/<=2.1", "2.1 en ouder"),
        ("vers:unknown/*", "alle versies"),
        ("vers:generic/1.01", "versie 1.01"),
        ("vers:generic/1.0|1.1", "versie 1.0, versie 1.1"),
        ("<R511.5_TCU4_HF4", "ouder dan R511.5_TCU4_HF4"),
        ("FW18 up to FW26", "FW18 up to FW26"),
        ("", "versie niet opgegeven"),
    ],
)
def test_ranges_in_plain_dutch(text, expected):
    assert range_describe(text) == expected


@given(st.text(max_size=60))
def test_never_raises_and_never_shows_the_vers_prefix(text):
    described = range_describe(text)
    assert isinstance(described, str)
    assert described.strip()
    if text.strip().startswith("vers:") and "/" in text:
        assert not described.startswith("vers:")
