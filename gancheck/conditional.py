"""Graders for the conditional GAN chapter's exercises."""
import torch

from gancheck.core import (expect_shape, expect_tensor, fail, passed,
                                run_student)
from ganlib.conditional import attach_labels

_HINT = ("return torch.cat([points, F.one_hot(labels, num_classes)"
         ".to(points.dtype)], dim=1)")


def _cases(rng: torch.Generator) -> list[tuple]:
    """(points, labels, num_classes) cases; the last misses top classes."""
    cases = []
    for num_samples, data_dim, num_classes in ((6, 2, 8), (5, 3, 4)):
        points = torch.randn(num_samples, data_dim, generator=rng)
        labels = torch.randint(0, num_classes, (num_samples,),
                               generator=rng)
        labels[0] = num_classes - 1  # the top class is present
        cases.append((points, labels, num_classes))
    points = torch.randn(7, 2, generator=rng)
    labels = torch.randint(0, 7, (7,), generator=rng)  # never 7, 8 or 9
    labels[0] = 6  # the largest label present is 6, num_classes is 10
    cases.append((points, labels, 10))
    return cases


def _check_shape(got, points, labels, num_classes) -> None:
    """Name the usual shape slips, else compare with (N, D + K)."""
    num_samples, data_dim = points.shape
    expect_tensor(got, what="your attach_labels's output", hint=_HINT)
    width = got.shape[1] if got.ndim == 2 else None
    if got.ndim == 2 and len(got) == num_samples and width != data_dim \
            + num_classes:
        if width == data_dim + 1:
            raise fail("your output has one label column: the label was "
                       "attached as one number, not as one-hot values",
                       "attach num_classes columns, a 1 in the column of "
                       "the sample's class and 0 in the others: "
                       "F.one_hot(labels, num_classes)")
        if width == data_dim + int(labels.max()) + 1:
            raise fail(f"with num_classes={num_classes} and labels up to "
                       f"{int(labels.max())} your output has {width} "
                       f"columns: you counted the classes from the labels "
                       f"in the batch", "pass num_classes to F.one_hot; a "
                       "batch need not contain every class")
        if width == num_classes:
            raise fail("your output holds only the one-hot labels: the "
                       "points are missing", "concatenate the points and "
                       "the one-hot labels along dim=1")
    expect_shape(got, (num_samples, data_dim + num_classes),
                 what="your attach_labels's output", hint=_HINT)


def _check_values(got, points, labels, num_classes) -> None:
    """Points first, unchanged; then exactly the one-hot of each label."""
    data_dim = points.shape[1]
    expected = attach_labels(points, labels, num_classes)
    if not got.dtype.is_floating_point:
        raise fail(f"your output has dtype {got.dtype}: the points lost "
                   "their fractions", "convert the one-hot labels to the "
                   "points' dtype, not the points to integers")
    got = got.detach().to(points.dtype)
    swapped = torch.cat([expected[:, data_dim:], points], dim=1)
    if torch.equal(got, swapped):
        raise fail("your output puts the label columns first", "keep the "
                   "points in the first D columns and attach the labels "
                   "after them, as split_labels and the model expect")
    if not torch.allclose(got[:, :data_dim], points):
        raise fail("the first D columns of your output are not the points "
                   "unchanged", "leave the points as they are; only add "
                   "columns after them")
    one_hot = got[:, data_dim:]
    if not torch.equal(one_hot, expected[:, data_dim:]):
        rows = (one_hot == 1).sum(dim=1)
        if torch.equal(rows, torch.ones_like(rows)) and \
                torch.equal(one_hot.sum(dim=1), torch.ones(len(got))):
            found = one_hot.argmax(dim=1)
            raise fail(f"for labels {labels.tolist()} your 1s sit in the "
                       f"label columns {found.tolist()}", "class c gets "
                       "its 1 in label column c, counting from 0")
        raise fail("the label columns of your output are not one-hot: "
                   "each row needs exactly one 1 (in column D + label) "
                   "and zeros elsewhere", _HINT)


def check_attach_labels(student_fn, *, seed: int = 0) -> None:
    """Grade attach_labels(points (N, D), labels (N,), K) -> (N, D + K)."""
    rng = torch.Generator().manual_seed(seed)
    for points, labels, num_classes in _cases(rng):
        points_copy, labels_copy = points.clone(), labels.clone()
        got = run_student(student_fn, points_copy, labels_copy,
                          num_classes, name="attach_labels", hint=_HINT)
        if not (torch.equal(points_copy, points)
                and torch.equal(labels_copy, labels)):
            raise fail("your attach_labels changed its inputs in place",
                       "build a new tensor with torch.cat instead of "
                       "writing into points or labels")
        _check_shape(got, points, labels, num_classes)
        _check_values(got, points, labels, num_classes)
    passed("your attach_labels keeps the points and appends the one-hot "
           "label columns, also when a batch misses some classes.")
