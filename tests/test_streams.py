"""generator.streams (the vectorised packing the driver, the golden side and the RTL simulation
share) against the per-element semantics datatypes.pack_beats had before it: every datatype kind,
widths 1..8 and wider, beats narrower and much wider than 64 bits, tdata padded beyond the data."""

import numpy as np
import pytest

from generator import streams
from generator.datatypes import DataType, from_codes, pack_beats, to_codes, unpack_beats

KINDS = [f"UINT{n}" for n in range(1, 9)] + [f"INT{n}" for n in range(2, 9)] + ["BIPOLAR", "BINARY", "UINT16",
                                                                               "INT13", "INT32"]
PER_BEAT = [1, 3, 8, 13, 40]  # with 8-bit elements: 8 .. 320-bit beats


def reference_codes(values, name):
    """The old datatypes.to_codes."""
    v = np.asarray(values, dtype=np.int64)
    if name == "BIPOLAR":
        return ((v + 1) // 2).astype(np.uint64)
    return (v & ((1 << DataType[name].bitwidth()) - 1)).astype(np.uint64)


def reference_beats(vector, name, per_beat):
    """The old datatypes.pack_beats: element i of a beat in bits [i*W, (i+1)*W), one Python int per beat."""
    codes, w = reference_codes(vector, name), DataType[name].bitwidth()
    beats = []
    for start in range(0, codes.size, per_beat):
        word = 0
        for i, c in enumerate(codes[start:start + per_beat]):
            word |= int(c) << (i * w)
        beats.append(word)
    return beats


def random_values(rng, name, shape):
    lo, hi = streams.value_range(name)
    if name == "BIPOLAR":
        values = 2 * rng.integers(0, 2, size=shape) - 1
    else:
        values = rng.integers(lo, hi, size=shape, endpoint=True)
    values.flat[:2] = lo, hi  # both extremes in every case
    return values


@pytest.mark.parametrize("name", KINDS)
def test_pack_matches_per_element_semantics(name):
    rng = np.random.default_rng(KINDS.index(name))
    w = DataType[name].bitwidth()
    for per_beat in PER_BEAT:
        beats = 3
        values = random_values(rng, name, (4, beats * per_beat))
        data_bits = per_beat * w
        for tdata_bits in (-(-data_bits // 8) * 8, -(-data_bits // 8) * 8 + 16):
            nbytes = tdata_bits // 8
            expected = np.array([np.frombuffer(b"".join(b.to_bytes(nbytes, "little")
                                                        for b in reference_beats(v, name, per_beat)), dtype=np.uint8)
                                 for v in values])
            packed = streams.pack(values, name, per_beat, tdata_bits)
            assert packed.dtype == np.uint8 and np.array_equal(packed, expected), (per_beat, tdata_bits)
            # padding bits above the data are ignored on the way back
            junk = packed.copy().reshape(-1, nbytes)
            bits = np.unpackbits(junk, axis=1, bitorder="little")
            bits[:, data_bits:] = rng.integers(0, 2, size=bits[:, data_bits:].shape)
            junk = np.packbits(bits, axis=1, bitorder="little").reshape(packed.shape)
            for data in (packed, junk):
                assert np.array_equal(streams.unpack(data, name, per_beat, tdata_bits), values)
        # the datatypes wrappers keep their old results
        vector = values[0]
        assert pack_beats(vector, DataType[name], per_beat) == reference_beats(vector, name, per_beat)
        assert np.array_equal(unpack_beats(reference_beats(vector, name, per_beat), DataType[name], per_beat), vector)
        assert np.array_equal(to_codes(vector, DataType[name]), reference_codes(vector, name))
        assert np.array_equal(from_codes(reference_codes(vector, name), DataType[name]), vector)


def test_wide_beats_and_exact_bytes():
    """A 91-bit beat of thirteen INT7 (12 bytes), one hand-checked INT3 beat and a BIPOLAR one."""
    values = np.arange(-6, 7).reshape(1, 13)
    packed = streams.pack(values, "INT7", 13)
    assert packed.shape == (1, 12)
    assert int.from_bytes(packed[0].tobytes(), "little") == sum((int(v) & 0x7F) << (7 * i) for i, v in enumerate(values[0]))
    # INT3 values 0, 1, 2, 3, -4, -1 in 6-bit beats of two: codes 0b001_000, 0b011_010, 0b111_100
    assert streams.pack(np.array([[0, 1, 2, 3, -4, -1]]), "INT3", 2).tolist() == [[8, 26, 60]]
    assert streams.pack(np.array([[1, -1, 1, 1]]), "BIPOLAR", 4).tolist() == [[0b1101]]


def test_values_outside_the_datatype_are_refused():
    with pytest.raises(ValueError, match="outside UINT4"):
        streams.pack(np.array([[16]]), "UINT4", 1)
    with pytest.raises(ValueError, match="outside INT4"):
        streams.pack(np.array([[-9]]), "INT4", 1)
    with pytest.raises(ValueError, match="BIPOLAR"):
        streams.pack(np.array([[0]]), "BIPOLAR", 1)
    with pytest.raises(ValueError, match="do not fill beats"):
        streams.pack(np.zeros((1, 5), dtype=np.int64), "UINT4", 2)
    with pytest.raises(ValueError, match="cannot carry"):
        streams.pack(np.zeros((1, 4), dtype=np.int64), "UINT4", 4, tdata_bits=8)
    with pytest.raises(ValueError, match="unknown stream datatype"):
        streams.parse_dtype("FLOAT32")
