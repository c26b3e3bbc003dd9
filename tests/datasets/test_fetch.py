"""Tests of fetch_gaia_rrlyrae with a fake astroquery Gaia object (no network)."""

import json
import logging
import sys
import warnings

import numpy as np
import pytest
from astropy.io.votable import parse

from skrrl.datasets import fetch_gaia_rrlyrae, write_gaia_epoch_photometry
from skrrl.frame import make_frame

IDS = [101, 202, 303, 404, 505]


def _frame():
    rng = np.random.default_rng(1)
    times = [np.sort(rng.uniform(1666.4, 2704.4, 5 + i)) for i in range(len(IDS))]
    return make_frame(
        times,
        [15 + 0.3 * np.sin(t) for t in times],
        source_id=IDS,
        mag_err=[np.full(len(t), 0.004) for t in times],
    )


class FakeGaia:
    """Mimics astroquery.gaia.Gaia.load_data: dict of per-source products."""

    def __init__(self, tmp, frame, fail_on_call=None, missing=()):
        self.tmp = tmp / "archive"
        self.tmp.mkdir(exist_ok=True)
        self.frame = frame
        self.calls = []
        self.fail_on_call = fail_on_call
        self.missing = set(missing)

    def load_data(
        self,
        ids,
        *,
        data_release=None,
        data_structure="INDIVIDUAL",
        retrieval_type="ALL",
        format="votable",
        valid_data=False,
        **kw,
    ):
        assert retrieval_type == "EPOCH_PHOTOMETRY"
        assert len(ids) <= 5000
        self.calls.append(list(ids))
        if self.fail_on_call == len(self.calls):
            raise ConnectionError("archive went away")
        keep = [i for i in ids if i in self.frame.index and i not in self.missing]
        layout = "array" if data_structure in ("RAW", "DATAMODEL_GAIA") else "wide"
        out = {}
        for sid in keep:
            table = write_gaia_epoch_photometry(self.frame.loc[[sid]], layout=layout)
            key = f"EPOCH_PHOTOMETRY-{data_release} {sid}"
            if format == "votable":
                path = self.tmp / f"{sid}.xml"
                write_gaia_epoch_photometry(
                    self.frame.loc[[sid]],
                    path,
                    layout=layout,
                    format="votable",
                    overwrite=True,
                )
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    out[key + ".xml"] = [parse(path).get_first_table()]
            elif format == "json":
                out[key + ".json"] = table
            else:
                out[f"{key}.{format}"] = [table]
        return out


def _same(a, b):
    assert list(a.index) == list(b.index)
    for col in ("time", "mag"):
        for x, y in zip(a[col], b[col]):
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("fmt", ["votable", "csv", "json"])
def test_chunks_of_at_most_chunk_size_and_same_frame(tmp_path, fmt):
    frame = _frame()
    gaia = FakeGaia(tmp_path, frame)
    out = fetch_gaia_rrlyrae(
        IDS, cache_dir=tmp_path, chunk_size=2, gaia=gaia, retrieval_format=fmt
    )
    assert gaia.calls == [[101, 202], [303, 404], [505]]
    _same(out, frame)
    np.testing.assert_allclose(out.loc[101, "mag_err"], 0.004, rtol=1e-12)


def test_array_layout_data_structure(tmp_path):
    frame = _frame()
    out = fetch_gaia_rrlyrae(
        IDS, cache_dir=tmp_path, gaia=FakeGaia(tmp_path, frame), data_structure="RAW"
    )
    _same(out, frame)


def test_cached_chunks_are_not_downloaded_again(tmp_path):
    frame = _frame()
    first = fetch_gaia_rrlyrae(
        IDS, cache_dir=tmp_path, chunk_size=2, gaia=FakeGaia(tmp_path, frame)
    )
    again = FakeGaia(tmp_path, frame)
    second = fetch_gaia_rrlyrae(IDS, cache_dir=tmp_path, chunk_size=2, gaia=again)
    assert again.calls == []
    _same(first, second)
    manifest = json.loads(
        (tmp_path / "gaia_epoch_photometry" / "manifest.json").read_text()
    )
    assert sorted(m["n_ids"] for m in manifest.values()) == [1, 2, 2]


def test_resume_after_interrupted_run(tmp_path):
    frame = _frame()
    broken = FakeGaia(tmp_path, frame, fail_on_call=2)
    with pytest.raises(ConnectionError):
        fetch_gaia_rrlyrae(IDS, cache_dir=tmp_path, chunk_size=2, gaia=broken)
    resumed = FakeGaia(tmp_path, frame)
    out = fetch_gaia_rrlyrae(IDS, cache_dir=tmp_path, chunk_size=2, gaia=resumed)
    assert resumed.calls == [[303, 404], [505]]  # chunk 1 came from the cache
    _same(out, frame)
    leftovers = list((tmp_path / "gaia_epoch_photometry").glob("*.tmp*"))
    assert leftovers == []


def test_ids_without_photometry_are_reported(tmp_path):
    frame = _frame()
    with pytest.warns(UserWarning, match=r"1 of 5 source_id\(s\) .*source_id=303"):
        out = fetch_gaia_rrlyrae(
            IDS, cache_dir=tmp_path, gaia=FakeGaia(tmp_path, frame, missing=[303])
        )
    assert list(out.index) == [101, 202, 404, 505]


def test_progress_is_logged(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="skrrl.datasets"):
        fetch_gaia_rrlyrae(
            IDS,
            cache_dir=tmp_path,
            chunk_size=3,
            verbose=1,
            gaia=FakeGaia(tmp_path, _frame()),
        )
    assert "chunk 1/2 (3 ids): downloading" in caplog.text
    assert "chunk 2/2 (2 ids): downloading" in caplog.text


def test_clear_import_error_without_astroquery(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "astroquery", None)
    monkeypatch.setitem(sys.modules, "astroquery.gaia", None)
    with pytest.raises(ImportError, match=r"pip install 'skrrl\[online\]'"):
        fetch_gaia_rrlyrae(IDS, cache_dir=tmp_path)


@pytest.mark.parametrize("chunk_size", [0, 5001, 2.5])
def test_bad_chunk_size(tmp_path, chunk_size):
    with pytest.raises(ValueError, match="chunk_size"):
        fetch_gaia_rrlyrae(
            IDS,
            cache_dir=tmp_path,
            chunk_size=chunk_size,
            gaia=FakeGaia(tmp_path, _frame()),
        )
