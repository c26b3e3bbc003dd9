"""The light-curve frame: each validation error names the star and the problem."""

import numpy as np
import pandas as pd
import pytest

from skrrl.frame import (
    frame_from_long,
    frame_to_long,
    from_ragged,
    lengths,
    make_frame,
    to_ragged,
    validate_frame,
)


def _frame(**overrides):
    data = {
        "time": [np.array([1.0, 2.0, 3.0]), np.array([0.5, 1.5])],
        "mag": [np.array([15.0, 15.2, 15.1]), np.array([16.0, 16.3])],
        "period": [0.55, 0.61],
    }
    data.update(overrides)
    return pd.DataFrame(data, index=pd.Index([101, 202], name="source_id"))


def test_valid_frame_is_returned_unchanged():
    frame = _frame()
    assert validate_frame(frame) is frame


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("column", ["time", "mag"])
def test_non_finite_values_name_the_star(column, bad):
    values = [np.array([1.0, 2.0, 3.0]), np.array([0.5, 1.5])]
    if column == "mag":
        values = [np.array([15.0, 15.2, 15.1]), np.array([16.0, 16.3])]
    values[1] = values[1].copy()
    values[1][0] = bad
    with pytest.raises(ValueError, match=rf"source_id=202: column '{column}' has 1"):
        validate_frame(_frame(**{column: values}))


def test_unsorted_and_duplicated_times():
    unsorted = [np.array([1.0, 3.0, 2.0]), np.array([0.5, 1.5])]
    with pytest.raises(ValueError, match="source_id=101: unsorted times"):
        validate_frame(_frame(time=unsorted))
    duplicated = [np.array([1.0, 2.0, 3.0]), np.array([1.5, 1.5])]
    with pytest.raises(ValueError, match="source_id=202: duplicated times"):
        validate_frame(_frame(time=duplicated))


def test_a_decrease_across_two_stars_is_not_unsorted():
    # star 101 ends at 3.0 and star 202 starts at 0.5: no error
    validate_frame(_frame())


@pytest.mark.parametrize("period", [0.0, -0.3, np.nan, np.inf])
def test_bad_period(period):
    with pytest.raises(ValueError, match="source_id=202: non-positive or missing"):
        validate_frame(_frame(period=[0.5, period]))


def test_missing_period_column_only_when_required():
    frame = _frame().drop(columns="period")
    validate_frame(frame, require_period=False)
    with pytest.raises(ValueError, match="lacks the 'period' column"):
        validate_frame(frame)


def test_unequal_lengths_in_one_row():
    mag = [np.array([15.0, 15.2, 15.1]), np.array([16.0])]
    with pytest.raises(ValueError, match="source_id=202: arrays of unequal length"):
        validate_frame(_frame(mag=mag))


def test_too_few_epochs_for_the_operation():
    with pytest.raises(ValueError, match="source_id=202: 2 epochs, fewer than the 3"):
        validate_frame(_frame(), min_epochs=3)


def test_not_a_frame_and_missing_columns():
    with pytest.raises(TypeError, match="expected a light-curve frame"):
        validate_frame(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['mag'\]"):
        validate_frame(_frame().drop(columns="mag"))


def test_missing_epoch_when_required():
    frame = _frame(epoch=[1.0, np.nan])
    validate_frame(frame)
    with pytest.raises(ValueError, match="source_id=202: missing epoch"):
        validate_frame(frame, require_epoch=True)


def test_make_frame_sorts_each_star_by_time():
    frame = make_frame(
        [[3.0, 1.0, 2.0]], [[13.0, 11.0, 12.0]], [0.5], mag_err=[[0.3, 0.1, 0.2]]
    )
    np.testing.assert_array_equal(frame.loc[0, "time"], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(frame.loc[0, "mag"], [11.0, 12.0, 13.0])
    np.testing.assert_array_equal(frame.loc[0, "mag_err"], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="unsorted"):
        make_frame([[3.0, 1.0]], [[13.0, 11.0]], sort=False)


def test_ragged_round_trip_and_lengths():
    frame = _frame()
    values, offsets = to_ragged(frame, "mag")
    np.testing.assert_array_equal(offsets, [0, 3, 5])
    back = from_ragged(values, offsets)
    for a, b in zip(back, frame["mag"]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(lengths(frame), [3, 2])


def test_long_round_trip_keeps_scalars_and_order():
    frame = _frame()
    long = frame_to_long(frame)
    assert len(long) == 5 and list(long["period"]) == [0.55] * 3 + [0.61] * 2
    back = frame_from_long(long.sample(frac=1.0, random_state=0))
    assert set(back.index) == {101, 202}
    for sid in (101, 202):
        np.testing.assert_array_equal(back.loc[sid, "time"], frame.loc[sid, "time"])
        np.testing.assert_array_equal(back.loc[sid, "mag"], frame.loc[sid, "mag"])
