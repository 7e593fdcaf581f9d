"""Hostile and damaged files: every loader (traces, sessions, configs, cost-lab results) ends in its
own error type with a one-line message; none blocks, unpickles or allocates what a file declares."""

import io
import json
import math
import os
import pathlib
import random
import struct
import threading
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest
from numpy.lib import format as npy

from engine import SimConfig, simulate
from engine.core.config import ConfigError
from engine.core.errors import WeightsError
from engine.core.trace import (MAX_TRACE_BYTES, REPEAT_KEYS, Trace, TraceFileError, expected_shapes,
                          load_trace)
from engine.labs.cost.config import LabConfig
from engine.labs.cost.report import (MAX_RESULT_BYTES, ResultFileError, load_result,
                                    result_from_json, result_to_json)
from engine.labs.cost.sweep import (IMPLEMENTATIONS, LabResult, LabRow, Measurement,
                                    counted_columns)
from engine.models.weights import (MAX_HEADER_CHARS, MAX_WEIGHTS_BYTES, WEIGHT_FILE_LIMITS,
                                    WeightSet, expected_weight_shapes)
from gui.session import MAX_SESSION_BYTES, Session, SessionError, load_session, save_session

CONFIG = SimConfig(d_model=6, hidden_size=5, heads=2, head_size=3, seed=3)
LOADERS = {"trace": (load_trace, TraceFileError), "session": (load_session, SessionError),
           "result": (load_result, ResultFileError), "weights": (WeightSet.load, WeightsError)}
NPZ_LOADERS = ("trace", "weights")


@pytest.fixture(scope="module")
def trace():
    return simulate("the cat sat on the mat .", CONFIG)


@pytest.fixture()
def trace_path(trace, tmp_path):
    return trace.save(tmp_path / "good.npz")


def lab_result(device="cpu") -> LabResult:
    config = LabConfig(d_model=16, hidden_size=12, head_size=8, lengths=(4, 8, 16), repeats=2,
                       warmup=0)
    object.__setattr__(config, "device", device)  # as if measured on a GPU, on any machine

    def row(n):
        measurements = {name: Measurement(name, 1e-4 * n + i, 1e-4 * n, 2e-4 * n + i, 100 * n + i,
                                          (1e-4 * n, 1e-4 * n + 2 * i))
                        for i, name in enumerate(IMPLEMENTATIONS)}
        return LabRow(n, measurements, *counted_columns(n))

    return LabResult(config, (row(4), row(8)), "n = 16 needs about 1.0 GB; 0.5 GB is available",
                     "Some CPU “model” (4 threads)", "2.13.0+cpu")


def assert_clean(error: Exception) -> None:
    """A message fit for a dialog or a terminal: one line, writable as UTF-8."""
    message = str(error)
    assert message and "\n" not in message and "\r" not in message
    message.encode("utf-8")


def in_thread(function, timeout=20.0):
    """Run `function` in a thread; fail (instead of hanging the suite) if it blocks."""
    outcome = {}

    def target():
        try:
            outcome["value"] = function()
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    return thread, outcome


# ---- special files: refused before they are opened for reading -----------------------------------

@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "folder"])
@pytest.mark.parametrize("loader", list(LOADERS))
def test_special_paths_are_refused_without_blocking(tmp_path, kind, loader):
    load, error_type = LOADERS[loader]
    path = {"fifo": tmp_path / "pipe", "dev_zero": pathlib.Path("/dev/zero"),
            "folder": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    thread, outcome = in_thread(lambda: load(path))
    if thread.is_alive():  # a regression: release the reader blocked in open(), then fail
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(5)
        pytest.fail(f"{loader} loader blocked on a {kind}")
    assert isinstance(outcome.get("error"), error_type), outcome
    assert "cannot read" in str(outcome["error"])
    assert_clean(outcome["error"])


@pytest.mark.parametrize("loader", list(LOADERS))
def test_missing_files_and_bad_names_raise_the_loaders_error(tmp_path, loader):
    load, error_type = LOADERS[loader]
    for path in (tmp_path / "nowhere", str(tmp_path / "nul\0byte"), tmp_path / ("x" * 5000)):
        with pytest.raises(error_type) as raised:
            load(path)
        assert_clean(raised.value)


@pytest.mark.parametrize("loader", ["session", "result"])
def test_json_reads_stop_at_the_limit_whatever_stat_says(tmp_path, monkeypatch, loader):
    """Some files (in /proc, on some network shares) report size 0: at most limit + 1 bytes are read."""
    import engine.core.untrusted

    load, error_type = LOADERS[loader]
    limit = MAX_SESSION_BYTES if loader == "session" else MAX_RESULT_BYTES
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (limit + 4096))
    reads = []

    class Spy(io.BufferedReader):
        def read(self, size=-1):
            reads.append(size)
            return super().read(size)

    class LyingOs:
        def __getattr__(self, name):
            return getattr(os, name)

        def stat(self, target):
            return os.stat_result((*os.stat(target)[:6], 0, *os.stat(target)[7:]))

        def fstat(self, descriptor):
            return os.stat_result((*os.fstat(descriptor)[:6], 0, *os.fstat(descriptor)[7:]))

        def fdopen(self, descriptor, mode):
            return Spy(io.FileIO(descriptor, "r"))

    monkeypatch.setattr(engine.core.untrusted, "os", LyingOs())
    with pytest.raises(error_type, match="too large"):
        load(path)
    assert reads == [limit + 1]


# ---- traces: pickles, zip bombs and lying headers ------------------------------------------------

class _TouchOnUnpickle:
    """Unpickling this creates the marker file: a stand-in for any code a pickle could run."""

    def __init__(self, marker):
        self.marker = pathlib.Path(marker)

    def __reduce__(self):
        return pathlib.Path.touch, (self.marker,)


def test_a_pickled_object_array_is_refused_and_never_unpickled(trace, tmp_path):
    marker = tmp_path / "pickle-ran"
    path = tmp_path / "evil.npz"
    np.savez(path, **{**trace.arrays(), "embeddings": np.array([_TouchOnUnpickle(marker)])})
    with np.load(path, allow_pickle=True) as archive:  # the file really is hostile
        archive["embeddings"]
    assert marker.exists()
    marker.unlink()
    with pytest.raises(TraceFileError, match="pickle") as raised:
        load_trace(path)
    assert not marker.exists()
    assert_clean(raised.value)


def _npy_header(shape, descr="<f8") -> bytes:
    buffer = io.BytesIO()
    npy.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def _zip_with_raw_member(path, name: str, deflated: bytes, file_size: int) -> None:
    """A one-entry zip written by hand, so that its sizes can be whatever a test needs."""
    name_bytes, crc = name.encode(), 0  # the CRC is never reached: sizes are refused first
    local = struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, 8, 0, 0x21, crc, len(deflated),
                        file_size, len(name_bytes), 0) + name_bytes
    central = struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, 8, 0, 0x21, crc,
                          len(deflated), file_size, len(name_bytes), 0, 0, 0, 0, 0, 0) + name_bytes
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central),
                      len(local) + len(deflated), 0)
    pathlib.Path(path).write_bytes(local + deflated + central + end)

def refused_within_memory(path, loader: str = "trace") -> str:
    """The loader must refuse the file without ever holding more than 16 MB; the message."""
    load, error_type = LOADERS[loader]
    tracemalloc.start()
    try:
        with pytest.raises(error_type) as raised:
            load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20
    assert_clean(raised.value)
    return str(raised.value)



@pytest.mark.parametrize("loader", NPZ_LOADERS)
def test_a_zip_bomb_member_is_refused_before_unpacking(tmp_path, loader):
    chunk_size, chunks = 16 * 2**20, 129  # 2 GiB + 16 MiB of zeros, compressed to about 2 MB
    file_size = chunk_size * chunks
    header = _npy_header((file_size // 8,))
    header = _npy_header(((file_size - len(header)) // 8,))
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = first.compress(header + bytes(chunk_size - len(header))) + first.flush(zlib.Z_FULL_FLUSH)
    again = zlib.compressobj(9, zlib.DEFLATED, -15)  # no history: its blocks can be repeated
    body = again.compress(bytes(chunk_size)) + again.flush(zlib.Z_FULL_FLUSH)
    stream += body * (chunks - 1) + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    path = tmp_path / "bomb.npz"
    _zip_with_raw_member(path, "embeddings.npy" if loader == "trace" else "w_hh.npy", stream,
                         file_size)
    assert path.stat().st_size < 4 * 2**20
    assert "unpack to" in refused_within_memory(path, loader)


@pytest.mark.parametrize("shape,padding", [((10**12,), 0), ((3,), 40), ((3,), -8), ((-1,), 0)])
def test_npy_headers_must_match_their_entry_size(trace, tmp_path, shape, padding):
    """A header claiming 8 TB (or more or fewer bytes than the entry holds) is refused unread."""
    path = tmp_path / "liar.npz"
    arrays = trace.arrays()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, value in arrays.items():
            if key == "rnn_readout":
                data = bytes(8 * max(0, min(shape[0], 3)) + max(padding, 0))
                data = data[:len(data) + min(padding, 0)]
                archive.writestr(key + ".npy", _npy_header(shape) + data)
            else:
                buffer = io.BytesIO()
                npy.write_array(buffer, value)
                archive.writestr(key + ".npy", buffer.getvalue())
    refused_within_memory(path)


def test_too_many_or_odd_entries_are_refused(trace, tmp_path):
    many = tmp_path / "many.npz"
    with zipfile.ZipFile(many, "w", zipfile.ZIP_STORED) as archive:
        for index in range(9000):
            archive.writestr(f"{index:0>100}.npy", b"")
    with pytest.raises(TraceFileError, match="entries"):
        load_trace(many)
    odd = tmp_path / "odd.npz"
    with zipfile.ZipFile(odd, "w") as archive:
        archive.writestr("format_version.npy", b"")
        archive.writestr("readme.txt", b"hello")
    with pytest.raises(TraceFileError, match="not a numpy array"):
        load_trace(odd)
    dupes = tmp_path / "dupes.npz"
    with pytest.warns(UserWarning), zipfile.ZipFile(dupes, "w") as archive:
        archive.writestr("config.npy", b"")
        archive.writestr("config.npy", b"")
    with pytest.raises(TraceFileError, match="each named once"):
        load_trace(dupes)


def test_files_that_are_not_npz_archives_are_refused(trace, tmp_path):
    plain = tmp_path / "plain.npz"
    with plain.open("wb") as file:
        np.save(file, np.arange(3.0))
    pickled = tmp_path / "pickled.npz"
    with pickled.open("wb") as file:
        np.save(file, np.array([{"a": 1}]), allow_pickle=True)
    prefixed = tmp_path / "prefixed.npz"  # a zip after other bytes: zipfile finds it, np.load not
    prefixed.write_bytes(plain.read_bytes() + trace.save(tmp_path / "t.npz").read_bytes())
    for path in (plain, pickled, prefixed, tmp_path / "empty.npz"):
        path.touch()
        with pytest.raises(TraceFileError) as raised:
            load_trace(path)
        assert_clean(raised.value)


def _swap(trace, tmp_path, **changes):
    path = tmp_path / "swapped.npz"
    arrays = {**trace.arrays(), **changes}
    np.savez(path, **{key: value for key, value in arrays.items() if value is not None})
    return path


@pytest.mark.parametrize("changes", [
    {"embeddings": np.zeros((3, 6))},  # wrong T
    {"attn_weights": np.zeros((2, 7, 8))},
    {"rnn_w_hh": np.zeros((5, 5), dtype=np.float32)},
    {"rnn_lambda1": np.array("1.0")},
    {"rnn_cost_multiply_adds": np.array(1.5)},
    {"format_version": np.array([1, 1])},
    {"format_version": np.array("one")},
    {"config": np.array(3)},
    {"config": np.array('{"d_model": NaN}')},
    {"config": np.array("[" * 50000)},
    {"tokens": np.array([["the", "cat"]])},
    {"tokens": np.array([], dtype=str)},
    {"sentence": np.array(["two", "sentences"])},
    {"rnn_cell_state": np.zeros((7, 5))},  # only an LSTM has one
    {"attn_output": None},  # missing
])
def test_arrays_that_disagree_with_the_trace_are_refused(trace, tmp_path, changes):
    with pytest.raises(TraceFileError) as raised:
        load_trace(_swap(trace, tmp_path, **changes))
    assert_clean(raised.value)


def test_a_genuine_lstm_trace_still_loads_bit_identical(tmp_path):
    trace = simulate("one two three", SimConfig(d_model=4, hidden_size=3, head_size=2, cell="lstm"))
    loaded = load_trace(trace.save(tmp_path / "lstm.npz"))
    for key, value in trace.arrays().items():
        assert loaded.arrays()[key].tobytes() == value.tobytes(), key
    assert loaded.digest() == trace.digest()


def test_the_largest_allowed_trace_fits_under_the_cap():
    config = SimConfig(d_model=2048, hidden_size=2048, heads=16, head_size=512, cell="lstm")
    floats = sum(math.prod(shape) for shape in expected_shapes(config, 1024).values())
    text = 4 * (1024 * 64 + 20_000 + 400)  # tokens, sentence, config: 4 bytes a character
    assert 8 * floats + text < MAX_TRACE_BYTES


def test_expected_shapes_name_every_float_array(trace):
    floats = {key for key, value in trace.arrays().items() if value.dtype.kind == "f"}
    # the timed repeats vary in number and are checked on their own (absent in older files)
    assert set(REPEAT_KEYS) <= floats
    assert set(expected_shapes(trace.config, trace.length)) == floats - set(REPEAT_KEYS)


def test_fuzzed_trace_bytes_raise_only_trace_file_error(trace_path):
    rng = random.Random(20240611)
    original = trace_path.read_bytes()
    outcomes = set()
    for case in range(250):
        data = bytearray(original)
        how = case % 4
        if how == 0:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif how == 1:
            del data[rng.randrange(len(data)):]
        elif how == 2:
            at = rng.randrange(len(data))
            data[at:at] = rng.randbytes(rng.randint(1, 64))
        else:  # somewhere in the table of contents and the records before it
            for _ in range(rng.randint(1, 4)):
                data[len(data) - 1 - rng.randrange(min(len(data), 4000))] = rng.randrange(256)
        trace_path.write_bytes(bytes(data))
        try:
            outcomes.add(type(load_trace(trace_path)).__name__)
        except TraceFileError as error:
            assert_clean(error)
            outcomes.add("TraceFileError")
    assert "TraceFileError" in outcomes


def _random_array(rng):
    shape = tuple(rng.randint(0, 4) for _ in range(rng.randint(0, 3)))
    dtype = rng.choice([np.float64, np.float32, np.int64, np.uint8, np.bool_, np.complex128, "U3"])
    return np.zeros(shape, dtype=dtype)


def test_fuzzed_trace_arrays_raise_only_trace_file_error(trace, tmp_path):
    rng = random.Random(7)
    keys = sorted(trace.arrays())
    for _ in range(120):
        changes = {rng.choice(keys): rng.choice([None, _random_array(rng)])
                   for _ in range(rng.randint(1, 3))}
        try:
            assert isinstance(load_trace(_swap(trace, tmp_path, **changes)), Trace)
        except TraceFileError as error:
            assert_clean(error)


# ---- weight files: the trace file's guards, and weights that must fit ------------------------------

WEIGHTS_CONFIG = SimConfig(d_model=6, hidden_size=5, heads=2, head_size=3, seed=3, cell="gru")


@pytest.fixture(scope="module")
def weights():
    return WeightSet.random(WEIGHTS_CONFIG)


def _weight_file(path, weights, **changes):
    """A weight file as save() writes it, with entries replaced (or removed, for None)."""
    saved = weights.save(path)
    with np.load(saved, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    arrays.update(changes)
    np.savez(saved, **{key: value for key, value in arrays.items() if value is not None})
    return saved


def test_a_pickled_object_array_in_a_weight_file_is_never_unpickled(weights, tmp_path):
    marker = tmp_path / "pickle-ran"
    path = tmp_path / "evil.npz"
    np.savez(path, **{**weights.arrays(), "header": np.array(json.dumps({})),
                      "w_hh": np.array([_TouchOnUnpickle(marker)])})
    with pytest.raises(WeightsError, match="pickle") as raised:
        WeightSet.load(path)
    assert not marker.exists()
    assert_clean(raised.value)


@pytest.mark.parametrize("shape,padding", [((10**12,), 0), ((3,), 40), ((-1,), 0)])
def test_weight_file_npy_headers_must_match_their_entry_size(weights, tmp_path, shape, padding):
    path = tmp_path / "liar.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, value in weights.arrays().items():
            buffer = io.BytesIO()
            npy.write_array(buffer, value)
            archive.writestr(key + ".npy", buffer.getvalue())
        data = bytes(8 * max(0, min(shape[0], 3)) + padding)
        archive.writestr("b_extra.npy", _npy_header(shape) + data)
    refused_within_memory(path, "weights")


def test_a_huge_npy_header_is_refused(weights, tmp_path):
    path = tmp_path / "huge-npy-header.npz"
    header = b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**31) + b"{" + b" " * 100_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("w_hh.npy", header)
    with pytest.raises(WeightsError) as raised:
        WeightSet.load(path)
    assert_clean(raised.value)


@pytest.mark.parametrize("header,match", [
    (None, "not a weight file"),
    (np.array("x" * (MAX_HEADER_CHARS + 1)), "not a short line of text"),  # a huge header
    (np.array(["a", "b"]), "not a short line of text"),
    (np.array(3.0), "not a short line of text"),
    (np.array("{not json"), "header is not valid JSON"),
    (np.array('{"format": "rnn-vs-transformer weights", "version": NaN}'), "not valid JSON"),
    (np.array('{"format": "a trace"}'), "not a weight file"),
    (np.array('{"format": "rnn-vs-transformer weights", "version": 3, "cell": "gru"}'),
     "weight format 3"),
    (np.array('{"format": "rnn-vs-transformer weights", "version": true}'), "no valid weight format"),
    (np.array('{"format": "rnn-vs-transformer weights", "version": 1, "cell": "gru", "d_model": 6,'
              ' "hidden_size": 5, "heads": 2}'), "lacks a valid head_size"),
    (np.array('{"format": "rnn-vs-transformer weights", "version": 1, "cell": "elman", '
              '"d_model": 6, "hidden_size": 5, "heads": 2, "head_size": 3}'), "lacks a valid cell"),
    # headers that lie about the weights they come with
    (np.array('{"format": "rnn-vs-transformer weights", "version": 1, "cell": "lstm", '
              '"d_model": 6, "hidden_size": 5, "heads": 2, "head_size": 3}'), "header says cell=lstm"),
    (np.array('{"format": "rnn-vs-transformer weights", "version": 1, "cell": "gru", '
              '"d_model": 6, "hidden_size": 5, "heads": 1, "head_size": 3}'), "heads=1"),
])
def test_weight_file_headers_are_checked(weights, tmp_path, header, match):
    with pytest.raises(WeightsError, match=match) as raised:
        WeightSet.load(_weight_file(tmp_path / "w.npz", weights, header=header))
    assert_clean(raised.value)


@pytest.mark.parametrize("name,value,match", [
    ("w_hh", None, "weight w_hh is missing"),
    ("w_extra", np.zeros(3), "w_extra is not a weight"),
    ("w_ih", np.zeros((15, 6), dtype=np.float32), "weight w_ih is float32"),
    ("b_hh", np.full(15, np.nan), "weight b_hh holds 15 NaN"),
    ("w_o", np.zeros((7, 6)), r"weight w_o has shape \(7, 6\), but the other weights .* need \(6, 6\)"),
    ("w_q", np.zeros((2, 6, 4)), r"weight w_q has shape \(2, 6, 4\), .*need \(2, 6, 3\)"),
    ("w_hh", np.zeros((20, 5)), r"weight w_hh has shape \(20, 5\), .*need \(15, 5\)"),  # an LSTM's
    ("w_hh", np.zeros((15, 4)), "weight w_hh has shape"),  # 15 rows are no gate blocks of 4
])
def test_weight_files_with_bad_weights_are_refused_naming_them(weights, tmp_path, name, value,
                                                               match):
    path = _weight_file(tmp_path / "w.npz", weights, **{name: value})
    with pytest.raises(WeightsError, match=match) as raised:
        WeightSet.load(path)
    assert str(raised.value).startswith(str(path))
    assert raised.value.weight == name
    assert_clean(raised.value)


def test_a_weight_file_with_too_many_entries_is_refused(weights, tmp_path):
    path = tmp_path / "many.npz"
    np.savez(path, **weights.arrays(), **{f"x{index}": np.zeros(1)
                                         for index in range(WEIGHT_FILE_LIMITS.max_entries)})
    with pytest.raises(WeightsError, match="entries"):
        WeightSet.load(path)


def test_truncated_or_foreign_files_are_refused_as_weights(weights, tmp_path):
    whole = weights.save(tmp_path / "whole.npz").read_bytes()
    trace = simulate("the cat sat", CONFIG).save(tmp_path / "a-trace.npz")
    for index, data in enumerate((whole[: len(whole) // 2], whole[:100], b"", b"PK\x03\x04")):
        path = tmp_path / f"cut{index}.npz"
        path.write_bytes(data)
        with pytest.raises(WeightsError) as raised:
            WeightSet.load(path)
        assert_clean(raised.value)
    with pytest.raises(WeightsError, match="entries|not a weight file"):
        WeightSet.load(trace)


def test_the_largest_allowed_weights_fit_under_the_cap():
    config = SimConfig(d_model=2048, hidden_size=2048, heads=16, head_size=512, cell="lstm")
    floats = sum(math.prod(shape) for shape in expected_weight_shapes(config).values())
    assert 8 * floats + 4 * MAX_HEADER_CHARS < MAX_WEIGHTS_BYTES


def test_fuzzed_weight_file_bytes_raise_only_weights_error(weights, tmp_path):
    rng = random.Random(99)
    path = weights.save(tmp_path / "w.npz")
    original = path.read_bytes()
    outcomes = set()
    for case in range(150):
        data = bytearray(original)
        if case % 3 == 0:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif case % 3 == 1:
            del data[rng.randrange(len(data)):]
        else:
            at = rng.randrange(len(data))
            data[at:at] = rng.randbytes(rng.randint(1, 64))
        path.write_bytes(bytes(data))
        try:
            loaded = WeightSet.load(path)
            loaded.check(WEIGHTS_CONFIG)
            outcomes.add("loaded")
        except WeightsError as error:
            assert_clean(error)
            outcomes.add("WeightsError")
    assert "WeightsError" in outcomes


def test_fuzzed_weight_arrays_raise_only_weights_error(weights, tmp_path):
    rng = random.Random(8)
    keys = sorted(weights.arrays()) + ["header"]
    for _ in range(80):
        changes = {rng.choice(keys): rng.choice([None, _random_array(rng)])
                   for _ in range(rng.randint(1, 3))}
        try:
            WeightSet.load(_weight_file(tmp_path / "w.npz", weights, **changes))
        except WeightsError as error:
            assert_clean(error)


# ---- sessions ------------------------------------------------------------------------------------

SESSION = Session("the cat sat", CONFIG, tick=3, selected_token=1, trace_digest="0" * 64)


def session_text(**changes) -> str:
    data = json.loads(SESSION.to_json())
    data.update(changes)
    return json.dumps(data)


def config_text(**changes) -> str:
    return session_text(config={**CONFIG.to_dict(), **changes})


@pytest.mark.parametrize("text", [
    session_text(tick=float("nan")), session_text(tick=float("inf")),
    session_text().replace('"tick": 3', '"tick": -Infinity'),
    config_text(recurrent_scale=float("nan")),
    session_text().replace('"tick": 3', '"tick": 1e999'),
    session_text().replace('"tick": 3', '"tick": ' + "9" * 5000),
    "[" * 100000, '{"a":' * 100000,
    session_text(version=True), session_text(version=1.0), session_text(version=None),
    session_text(version=10**40), session_text(tick=3.0), session_text(tick=None),
    session_text(tick=[3]), session_text(selected_token=False), session_text(config=[1, 2]),
    session_text(config="d_model=8"), session_text(sentence=None), session_text(sentence=["a"]),
    session_text(sentence="cat \ud800 sat"), session_text(trace_digest="zz"),
    session_text(format=None), session_text(format=["rnn-vs-transformer session"]),
    config_text(d_model=True), config_text(d_model=1e9), config_text(d_model="8"),
    config_text(d_model=None), config_text(d_model=10**400), config_text(recurrent_scale=10**400),
    config_text(recurrent_scale="1"), config_text(cell=["rnn"]), config_text(cell="x" * 100000),
    config_text(causal=1), config_text(seed=-1), config_text(**{"x" * 10000: 1}),
    "\ufeff", "null", "true", '"session"', "3",
])
def test_hostile_session_json_gives_session_error(text):
    with pytest.raises(SessionError) as raised:
        Session.from_json(text)
    assert_clean(raised.value)
    assert len(str(raised.value)) < 600


def test_absurd_view_values_are_clamped_to_the_sentence():
    loaded = Session.from_json(session_text(tick=10**40, selected_token=10**40))
    assert (loaded.tick, loaded.selected_token) == (6, -1)  # 3 tokens: ticks 0..6


def test_session_files_with_bad_bytes_give_session_error(tmp_path):
    path = tmp_path / "s.json"
    for data in (b"\xff\xfe{}", b'{"format": "\xc3"}', b"\x00" * 100, "\ufeff".encode() + b"{",
                 session_text(sentence="\ud800").encode("utf-8", "surrogatepass")):
        path.write_bytes(data)
        with pytest.raises(SessionError) as raised:
            load_session(path)
        assert_clean(raised.value)


def random_json(rng, depth=0):
    kinds = ["null", "bool", "int", "big", "float", "text"] + (["list", "dict"] if depth < 3 else [])
    kind = rng.choice(kinds)
    if kind == "null":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "int":
        return rng.randint(-3, 3000)
    if kind == "big":
        return rng.choice([2**31, 2**63, -(2**64), 10**300])
    if kind == "float":
        return rng.choice([0.5, -1.0, 1e9, 1e-300, 1e308, 3.0])
    if kind == "text":
        return rng.choice(["", "8", "rnn", "lstm", "tanh", "\ud800", "x" * 3000, "1", "true"])
    if kind == "list":
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(["d_model", "tick", "a", ""]): random_json(rng, depth + 1)
            for _ in range(rng.randint(0, 3))}


def mutate_json(rng, data):
    """A copy of `data` with one entry (at any depth) replaced by a random value or deleted."""
    data = json.loads(json.dumps(data))
    node = data
    while isinstance(node, (dict, list)) and node and rng.random() < 0.6:
        key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
        if not isinstance(node[key], (dict, list)) or not node[key]:
            break
        node = node[key]
    if isinstance(node, dict) and node:
        key = rng.choice(list(node))
        if rng.random() < 0.2:
            del node[key]
        else:
            node[key] = random_json(rng)
    elif isinstance(node, list) and node:
        node[rng.randrange(len(node))] = random_json(rng)
    return data


def mutate_text(rng, text: str) -> bytes:
    data = bytearray(text.encode("utf-8"))
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(data) + 1)
        piece = rng.choice([b"NaN", b"Infinity", b"[", b"{", b'"', b"\xff", b"\\ud800", b"1e999",
                            b",", b"]", b"\x00", rng.randbytes(3)])
        if rng.random() < 0.5:
            data[at:at] = piece
        else:
            data[at:at + len(piece)] = piece
    return bytes(data)


def test_fuzzed_sessions_give_only_session_error(tmp_path):
    rng = random.Random(1234)
    good = json.loads(SESSION.to_json())
    path = tmp_path / "fuzz.json"
    for case in range(300):
        if case % 2:
            path.write_bytes(mutate_text(rng, SESSION.to_json()))
        else:
            path.write_text(json.dumps(mutate_json(rng, good)), encoding="utf-8")
        try:
            assert isinstance(load_session(path), Session)
        except SessionError as error:
            assert_clean(error)


# ---- configs -------------------------------------------------------------------------------------

@pytest.mark.parametrize("changes", [
    {"d_model": True}, {"d_model": 1e9}, {"d_model": "8"}, {"d_model": None}, {"d_model": [8]},
    {"d_model": 10**400}, {"d_model": 8.0}, {"heads": {"n": 1}}, {"recurrent_scale": 10**400},
    {"recurrent_scale": True}, {"recurrent_scale": "0.5"}, {"recurrent_scale": float("inf")},
    {"causal": "yes"}, {"causal": 0}, {"cell": None}, {"cell": ["rnn"]}, {"seed": 2**64},
    {"positional": {"kind": "sinusoidal"}},
])
def test_wrong_config_types_give_config_error(changes):
    with pytest.raises(ConfigError) as raised:
        SimConfig.from_dict({**CONFIG.to_dict(), **changes})
    assert raised.value.field == next(iter(changes))
    assert_clean(raised.value)
    assert len(str(raised.value)) < 300


@pytest.mark.parametrize("values", [None, [], "d_model", 3, {1: 2}, {"d_model": 4, 5: 6}])
def test_config_from_dict_refuses_what_is_not_a_mapping_of_names(values):
    with pytest.raises(ConfigError):
        SimConfig.from_dict(values)


@pytest.mark.parametrize("text", ['{"seed": NaN}', '{"recurrent_scale": Infinity}',
                                  '{"recurrent_scale": -Infinity}', '{"recurrent_scale": 1e400}',
                                  "[" * 100000, "{" * 100000, None, b"{}", "\ud800"])
def test_config_from_json_refuses_hostile_text(text):
    with pytest.raises(ConfigError) as raised:
        SimConfig.from_json(text)
    assert_clean(raised.value)


def test_fuzzed_configs_give_only_config_error():
    rng = random.Random(99)
    for _ in range(400):
        values = mutate_json(rng, CONFIG.to_dict())
        try:
            assert isinstance(SimConfig.from_dict(values), SimConfig)
        except ConfigError as error:
            assert_clean(error)


# ---- cost-lab results ----------------------------------------------------------------------------

@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_a_saved_result_round_trips_equal(tmp_path, device):
    result = lab_result(device)
    path = tmp_path / "lab.json"
    path.write_text(result_to_json(result), encoding="utf-8")
    assert load_result(path) == result
    assert result_from_json(result_to_json(result)) == result


def _result_dict(**changes):
    data = json.loads(result_to_json(lab_result()))
    data.update(changes)
    return data


def _with(path, value):
    data = _result_dict()
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return json.dumps(data)


@pytest.mark.parametrize("text", [
    "[]", "null", '"result"', "[" * 100000, json.dumps(_result_dict(rows=None)),
    json.dumps(_result_dict(config=[])), json.dumps(_result_dict(device_name=7)),
    json.dumps(_result_dict(stopped_reason="a\nb")), json.dumps(_result_dict(torch_version="\ud800")),
    _with(("config", "device"), "tpu"), _with(("config", "lengths"), "4,8"),
    _with(("config", "lengths"), [4, True]), _with(("config", "lengths"), [10**400]),
    _with(("config", "d_model"), 16.0), _with(("config", "colour"), "red"),
    _with(("rows", 0, "n"), 5), _with(("rows", 0, "n"), True),
    _with(("rows", 1), _result_dict()["rows"][0]),
    _with(("rows", 0, "measurements", "attention"), None),
    _with(("rows", 0, "measurements", "extra"), {}),
    _with(("rows", 0, "measurements", "attention", "implementation"), "attention_sdpa"),
    _with(("rows", 0, "measurements", "attention", "median_seconds"), -1),
    _with(("rows", 0, "measurements", "attention", "median_seconds"), 10**400),
    _with(("rows", 0, "measurements", "attention", "macs"), 1.5),
    _with(("rows", 0, "measurements", "attention", "samples"), []),
    _with(("rows", 0, "measurements", "attention", "samples"), [1e-3, "2"]),
    json.dumps(_result_dict()).replace("0.0004", "NaN", 1),
    json.dumps(_result_dict()).replace("0.0004", "Infinity", 1),
])
def test_hostile_result_json_gives_result_file_error(text):
    with pytest.raises(ResultFileError) as raised:
        result_from_json(text)
    assert_clean(raised.value)
    assert len(str(raised.value)) < 600


def test_fuzzed_results_give_only_result_file_error(tmp_path):
    rng = random.Random(5)
    text = result_to_json(lab_result())
    good = json.loads(text)
    path = tmp_path / "fuzz.json"
    for case in range(300):
        if case % 2:
            path.write_bytes(mutate_text(rng, text))
        else:
            path.write_text(json.dumps(mutate_json(rng, good)), encoding="utf-8")
        try:
            assert isinstance(load_result(path), LabResult)
        except ResultFileError as error:
            assert_clean(error)


def test_session_save_and_load_still_round_trip(tmp_path):
    assert load_session(save_session(tmp_path / "s.json", SESSION)) == SESSION
