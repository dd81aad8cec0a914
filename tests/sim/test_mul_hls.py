"""hls_lib/axgen_mul.h == the Python multiplier reference, exhaustively, for every family.

All configurations go into one C++ file (one g++ compile, cached by content hash in the hls
folder of $AXGEN_CACHE or ~/.cache/axgen)."""

from pathlib import Path

import numpy as np
import pytest

from generator.resources import folder
from generator.tools import hls_headers
from generator.datatypes import dtype
from generator.errors import AxgenError
from generator.sim.mul_hls import check_hls, parse, render_source

EIGHT_BIT = [
    "exact",
    *[f"trunc:k={k}" for k in (2, 4, 6, 8, 10)],
    *[f"bam:h={h},v={v}" for h, v in ((0, 4), (1, 6), (2, 8), (3, 3), (4, 10), (7, 14))],
    *[f"perf:j={j},k={k}" for j, k in ((0, 1), (0, 3), (2, 2), (3, 5), (4, 4), (7, 1))],
    *[f"drum:k={k}" for k in (2, 3, 4, 5, 6)],
    "mitchell", *[f"mitchell:w={w}" for w in (1, 2, 3, 4)],
    *[f"etm:m={m}" for m in (2, 3, 4, 5)],
    "roba",
]

MIXED = [("UINT3", "UINT5"), ("UINT4", "UINT2"), ("INT4", "INT3"), ("INT8", "INT8"), ("UINT4", "INT6"),
         ("BIPOLAR", "INT4"), ("INT2", "BIPOLAR"), ("UINT1", "INT3"), ("INT5", "UINT1"), ("INT2", "INT2")]

WIDTH = {"BIPOLAR": 1}


def _bits(name: str) -> int:
    return WIDTH.get(name) or int(name.lstrip("UINT"))


def _mixed_specs(na: int, nb: int) -> list[str]:
    """Every family with knobs valid for na x nb (Family.check ranges), a few per family."""
    top = na + nb - 2
    specs = ["exact", "roba", "mitchell"]
    specs += [f"trunc:k={k}" for k in sorted({0, min(2, top), top})]
    specs += [f"bam:h={h},v={v}" for h, v in sorted({(0, min(3, top)), (nb - 1, top), (min(1, nb - 1), min(2, top))})]
    specs += [f"perf:j={j},k={k}" for j, k in sorted({(0, 1), (nb - 1, 1), (0, nb), (min(1, nb - 1), max(1, nb - 2))})]
    specs += [f"drum:k={k}" for k in sorted({1, min(2, max(na, nb)), max(na, nb)})]
    specs += [f"mitchell:w={w}" for w in sorted({0, max(na, nb) - 1, min(1, max(na, nb) - 1)})]
    specs += [f"etm:m={m}" for m in sorted({1, min(na, nb)})]
    return specs


@pytest.fixture(scope="module")
def lut_tables(tmp_path_factory):
    """Random tables: 8x8 with small entries, and one per mixed width pair (wide entries)."""
    rng = np.random.default_rng(7)
    folder = tmp_path_factory.mktemp("luts")
    paths = {}
    p = folder / "u8u8.npy"
    np.save(p, rng.integers(-(1 << 15), 1 << 15, size=(256, 256)))
    paths[("UINT8", "UINT8")] = p
    for a, b in MIXED:
        p = folder / f"{a}_{b}.npy"
        np.save(p, rng.integers(-(1 << 40), 1 << 40, size=(1 << _bits(a), 1 << _bits(b))))
        paths[(a, b)] = p
    return paths


@pytest.fixture(scope="module")
def configs(lut_tables):
    cfgs = [(spec, "UINT8", "UINT8") for spec in EIGHT_BIT]
    cfgs.append((f"lut:{lut_tables[('UINT8', 'UINT8')]}", "UINT8", "UINT8"))
    for a, b in MIXED:
        cfgs += [(spec, a, b) for spec in _mixed_specs(_bits(a), _bits(b))]
        cfgs.append((f"lut:{lut_tables[(a, b)]}", a, b))
    return cfgs


@pytest.fixture(scope="module")
def results(configs):
    return check_hls(configs)


def test_every_family_matches_python_exhaustively(configs, results):
    assert len(results) == len(configs)
    families = {parse(spec).family for spec, _, _ in configs}
    assert families == {"exact", "trunc", "bam", "perf", "drum", "mitchell", "etm", "roba", "lut"}
    for (spec, a, b), r in zip(configs, results):
        assert (r["spec"], r["a_dt"], r["b_dt"]) == (spec, dtype(a).name, dtype(b).name)
        assert r["pairs"] == 1 << (_bits(a) + _bits(b))
    bad = [f"{r['spec']} {r['a_dt']}x{r['b_dt']}: {r['mismatches']} mismatches, e.g. {r['first']}"
           for r in results if r["mismatches"]]
    assert not bad, "\n".join(bad)


def test_grid_is_approximate(configs, lut_tables):
    """The grid exercises real approximations (not a set of knobs that all reduce to exact)."""
    from generator.multipliers.metrics import error_metrics
    inexact = [spec for spec, a, b in configs
               if error_metrics(parse(spec), dtype(a), dtype(b))["ep"] > 0]
    for family in ("trunc", "bam", "perf", "drum", "mitchell", "etm", "roba", "lut"):
        assert any(s.startswith(family) for s in inexact), family


def test_wrong_expectation_is_reported(configs, results):
    """Same configurations (the cached binary), one product of one configuration expected off
    by one: exactly that pair is reported, every other configuration still matches."""
    target = ("trunc:k=6", "UINT8", "UINT8")
    assert target in configs

    def wrong(mul, x, w, x_dt, w_dt):
        p = mul(x, w, x_dt, w_dt)
        if (mul.spec, x_dt.name, w_dt.name) == target:
            p = p + ((x == 200) & (w == 77))
        return p

    again = check_hls(configs, reference=wrong)
    for (spec, a, b), r in zip(configs, again):
        if (spec, a, b) == target:
            assert r["mismatches"] == 1
            (m,) = r["first"]
            assert (m["a"], m["b"], m["a_code"], m["b_code"]) == (200, 77, 200, 77)
            assert m["python"] == m["hls"] + 1
            assert m["hls"] == int(parse("trunc:k=6").unsigned(200, 77, 8, 8)) == 200 * 77 - 8 - 32
        else:
            assert r["mismatches"] == 0


def test_wrong_family_is_reported():
    """Comparing the HLS trunc:k=4 with Python's trunc:k=5 and a signed product with a
    sign-blind expectation both fail."""
    cfgs = [("trunc:k=4", "UINT4", "UINT4"), ("drum:k=2", "INT4", "INT3")]

    def wrong(mul, x, w, x_dt, w_dt):
        if mul.family == "trunc":
            return parse("trunc:k=5")(x, w, x_dt, w_dt)
        return np.abs(mul(x, w, x_dt, w_dt))

    r_trunc, r_drum = check_hls(cfgs, reference=wrong)
    assert r_trunc["mismatches"] > 0 and r_drum["mismatches"] > 0
    assert all(m["a"] * m["b"] < 0 for m in r_drum["first"])
    assert all(m["hls"] == -m["python"] for m in r_drum["first"])


def test_cached_binary_is_reused(tmp_path):
    cfgs = [("etm:m=2", "UINT3", "INT3")]
    check_hls(cfgs, build_dir=tmp_path)
    entries = [p for p in tmp_path.iterdir() if p.name.startswith("mulcheck-") and p.is_dir()]
    assert len(entries) == 1 and (entries[0] / "src" / "check.cpp").is_file()
    binary = entries[0] / "mulcheck"
    stamp = binary.stat().st_mtime_ns
    assert check_hls(cfgs, build_dir=tmp_path)[0]["mismatches"] == 0
    assert [p for p in tmp_path.iterdir() if p.name.startswith("mulcheck-") and p.is_dir()] == entries
    assert binary.stat().st_mtime_ns == stamp


def test_invalid_knob_is_a_clear_error():
    with pytest.raises(AxgenError, match="etm:m=5 does not fit INT4 x INT3"):
        check_hls([("etm:m=5", "INT4", "INT3")])


def test_hls_include_dir_prefers_xilinx(tmp_path, monkeypatch):
    (tmp_path / "include").mkdir()
    (tmp_path / "include" / "ap_int.h").write_text("")
    monkeypatch.setenv("XILINX_HLS", str(tmp_path))
    assert hls_headers.hls_include_dir() == tmp_path / "include"


def test_hls_include_dir_falls_back_to_hls4ml(tmp_path, monkeypatch):
    monkeypatch.setenv("XILINX_HLS", str(tmp_path / "nowhere"))
    found = hls_headers.hls_include_dir()
    assert found.parts[-3:] == ("templates", "vivado", "ap_types")
    assert (found / "ap_int.h").is_file() and (found / "hls_stream.h").is_file()


def test_hls_include_dir_missing_names_both_places(tmp_path, monkeypatch):
    monkeypatch.setenv("XILINX_HLS", str(tmp_path / "nowhere"))
    monkeypatch.setattr(hls_headers, "_hls4ml_dir", lambda: None)
    with pytest.raises(AxgenError) as info:
        hls_headers.hls_include_dir()
    message = str(info.value)
    assert "XILINX_HLS" in message and str(tmp_path / "nowhere") in message and "hls4ml" in message


def test_generated_source_is_one_file(configs):
    from generator.sim.mul_hls import _configs
    source = render_source(_configs(configs))
    assert source.count("int main(") == 1
    assert source.count("run_family<") == sum(1 for s, _, _ in configs if not s.startswith("lut:"))
    assert Path(folder("hls_lib") / "axgen_mul.h").is_file()
