"""The conditional chapter's attach_labels grader: slips get their names."""
import pytest
import torch
import torch.nn.functional as F

from gancheck.conditional import check_attach_labels
from gancheck.core import ExerciseError
from ganlib.conditional import attach_labels


def attach_labels_reference(points, labels, num_classes):
    """The notebook's solution, written without ganlib."""
    one_hot = F.one_hot(labels, num_classes).to(points.dtype)
    return torch.cat([points, one_hot], dim=1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_and_ganlib_pass(seed, capsys):
    check_attach_labels(attach_labels_reference, seed=seed)
    check_attach_labels(attach_labels, seed=seed)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(l.startswith("Correct:") for l in lines)


def test_a_loop_that_fills_a_new_tensor_passes(capsys):
    def with_a_loop(points, labels, num_classes):
        out = torch.zeros(len(points), points.shape[1] + num_classes)
        out[:, :points.shape[1]] = points
        for row, label in enumerate(labels.tolist()):
            out[row, points.shape[1] + label] = 1.0
        return out
    check_attach_labels(with_a_loop)
    assert capsys.readouterr().out.startswith("Correct:")


def test_stub_says_not_written_yet():
    def stub(points, labels, num_classes):
        raise NotImplementedError
    with pytest.raises(ExerciseError,
                       match="attach_labels is not written yet"):
        check_attach_labels(stub)


def test_label_as_one_number_is_named():
    def one_column(points, labels, num_classes):
        return torch.cat([points, labels[:, None].float()], dim=1)
    with pytest.raises(ExerciseError,
                       match="one label column.*not as one-hot"):
        check_attach_labels(one_column)


def test_classes_counted_from_the_batch_are_named():
    def counted(points, labels, num_classes):
        return torch.cat([points, F.one_hot(labels).float()], dim=1)
    with pytest.raises(ExerciseError, match="counted the classes from the "
                       "labels in the batch.*pass num_classes"):
        check_attach_labels(counted)


def test_labels_first_is_named():
    def labels_first(points, labels, num_classes):
        return torch.cat([F.one_hot(labels, num_classes).float(), points],
                         dim=1)
    with pytest.raises(ExerciseError, match="puts the label columns first"):
        check_attach_labels(labels_first)


def test_off_by_one_columns_are_named():
    def shifted(points, labels, num_classes):
        one_hot = F.one_hot((labels + 1) % num_classes, num_classes)
        return torch.cat([points, one_hot.float()], dim=1)
    with pytest.raises(ExerciseError, match="your 1s sit in the label "
                       "columns .*counting from 0"):
        check_attach_labels(shifted)


def test_only_the_labels_are_named():
    def labels_only(points, labels, num_classes):
        return F.one_hot(labels, num_classes).float()
    with pytest.raises(ExerciseError, match="only the one-hot labels"):
        check_attach_labels(labels_only)


def test_changed_points_are_named():
    def scaled(points, labels, num_classes):
        return attach_labels_reference(points / 2, labels, num_classes)
    with pytest.raises(ExerciseError, match="not the points unchanged"):
        check_attach_labels(scaled)


def test_integer_output_is_named():
    def integers(points, labels, num_classes):
        return torch.cat([points.long(), F.one_hot(labels, num_classes)],
                         dim=1)
    with pytest.raises(ExerciseError, match="dtype torch.int64"):
        check_attach_labels(integers)


def test_writing_into_the_inputs_is_named():
    def in_place(points, labels, num_classes):
        points.mul_(1.0).add_(1.0)
        return attach_labels_reference(points, labels, num_classes)
    with pytest.raises(ExerciseError, match="changed its inputs in place"):
        check_attach_labels(in_place)


def test_not_one_hot_is_named():
    def scaled_labels(points, labels, num_classes):
        one_hot = F.one_hot(labels, num_classes).float()
        return torch.cat([points, 0.5 * one_hot], dim=1)
    with pytest.raises(ExerciseError, match="not one-hot"):
        check_attach_labels(scaled_labels)
