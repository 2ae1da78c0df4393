"""The version adapter: what parses becomes canonical `vers`, what does not means "unknown" (None),
never "not affected"; no input makes it raise."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dtc.advisories.versions import range_from_product, version_verdict


@pytest.mark.parametrize(
    ("text", "is_range", "vers"),
    [
        ("vers:semver/<1.2.3", True, "vers:generic/<1.2.3"),
        ("vers:semver/>=24.0.0|<=24.1.3", True, "vers:generic/>=24.0.0|<=24.1.3"),
        ("vers:all/<V3.1.4", True, "vers:generic/<3.1.4"),  # CISA: non-canonical scheme and a V prefix
        ("vers:all/*", True, "vers:generic/*"),
        ("<= 16.00", True, "vers:generic/<=16.0"),
        ("<  rev. 8.3.0", True, "vers:generic/<8.3.0"),
        ("0 < 8.0.1", True, "vers:generic/<8.0.1"),
        (">=R9.01|<=R10.04", True, "vers:generic/>=9.1|<=10.4"),
        ("<12.2.8.410", True, "vers:generic/<12.2.8.410"),
        ("vers:npm/<1.2.3", True, "vers:npm/<1.2.3"),
        ("4.8.2", False, "vers:generic/4.8.2"),
    ],
)
def test_readable_ranges_become_canonical(text, is_range, vers):
    parsed = range_from_product(text, is_range)
    assert parsed is not None
    assert parsed.vers == vers


@pytest.mark.parametrize(
    "text",
    [
        "vers:unknown/*",
        "<R511.5_TCU4_HF4",
        "<8/30/2024",
        ">FW19_up_to_and_including_FW26",
        "<=2018_SP3_P05",
        "vers:semver/>=0.0.0|<=2026-04",
        "<=6.1.1-2",
        " < 15.1 HF001  (including former Unity Pro)",
        "",
        "vers:nosuch/<1",
    ],
)
def test_unreadable_ranges_give_none(text):
    assert range_from_product(text, True) is None


@pytest.mark.parametrize(
    ("vers", "version", "exact", "verdict"),
    [
        ("vers:generic/<3.1.4", "3.1.3", [], True),
        ("vers:generic/<3.1.4", "3.1.4", [], False),
        ("vers:generic/<3.1.4", "V3.1.3", [], True),
        ("vers:generic/<1.0.0", "1.0.0-rc1", [], True),
        # Four-part versions: univers' semver reading would ignore the fourth part (a silent miss).
        ("vers:generic/<12.2.8.410", "12.2.8.300", [], True),
        ("vers:generic/<12.2.8.410", "12.2.8.411", [], False),
        ("vers:generic/>=6.8.0|<6.8.3", "6.8", [], True),
        ("vers:generic/*", "whatever build", [], True),
        ("vers:generic/<3.1.4", "", [], None),  # version not given
        ("vers:generic/<3.1.4", "build 2024-Q3", [], None),  # cannot compare
        ("vers:unknown/*", "1.0.0", [], None),
        (None, "1.0.0", [], None),  # range unreadable
        (None, "16.0", ["16.00"], True),  # exact versions compare after normalisation
        (None, "4.8.5", ["4.8.2", "4.8.3"], False),
        ("vers:generic/4.8.2", "4.8.2", [], True),
        ("vers:generic/4.8.2", "4.8.3", [], False),
    ],
)
def test_version_verdict(vers, version, exact, verdict):
    assert version_verdict(vers, version, exact) is verdict


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80), is_range=st.booleans(), version=st.text(max_size=40))
def test_adapter_never_raises(text, is_range, version):
    parsed = range_from_product(text, is_range)
    assert parsed is None or parsed.vers.startswith("vers:")
    assert version_verdict(parsed.vers if parsed else text, version, [text]) in (True, False, None)


@settings(max_examples=200, deadline=None)
@given(major=st.integers(0, 99), minor=st.integers(0, 99), patch=st.integers(0, 99), bound=st.integers(0, 99))
def test_inside_and_outside_agree_with_integer_comparison(major, minor, patch, bound):
    vers = range_from_product(f"vers:semver/<{major}.{minor}.{bound}", True).vers
    assert version_verdict(vers, f"{major}.{minor}.{patch}", []) is (patch < bound)
