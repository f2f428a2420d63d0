"""Graders for the discriminator chapter's (and evaluation's) exercises."""
import torch
import torch.nn.functional as F
from torch import nn

from gancheck.core import expect_close, fail, passed, run_student
from ganlib.data import ring_target

_BUILD_HINT = ("stack nn.Linear layers with a non-linearity between "
               "them: data_dim numbers in, one logit out")
_FIRST_LAYER_HINT = ("the first layer must read data_dim numbers: "
                     "nn.Linear(data_dim, hidden_dim)")
_LOGITS_HINT = "return logits (drop the Sigmoid)"


def _forward(discriminator: nn.Module, x: torch.Tensor):
    """Run the student's discriminator on x, explaining any crash."""
    return run_student(discriminator, x, name="your discriminator",
                       hint=_BUILD_HINT, crash_hint=_FIRST_LAYER_HINT,
                       called_on=f"points of shape {tuple(x.shape)}")


def _check_logit_shape(out, batch_size: int) -> None:
    """Fail with a specific hint unless out is a (batch_size, 1) tensor."""
    if not isinstance(out, torch.Tensor):
        raise fail(f"the discriminator returned a {type(out).__name__}",
                   "return the output tensor of the last layer")
    shape, expected = tuple(out.shape), (batch_size, 1)
    if shape == expected:
        return
    hint = "end with nn.Linear(hidden, 1)"
    if shape == (batch_size,):
        hint = "keep the last dimension: do not squeeze the output"
    raise fail(f"the discriminator returned shape {shape} where "
               f"{expected} logits were expected", hint)


def _check_not_probabilities(discriminator: nn.Module, outputs) -> None:
    """Fail if the model holds a Sigmoid or every output is in [0, 1]."""
    has_sigmoid = any(isinstance(layer, nn.Sigmoid)
                      for layer in discriminator.modules())
    if has_sigmoid or bool(((outputs >= 0) & (outputs <= 1)).all()):
        raise fail("outputs are all in [0, 1]: looks like probabilities",
                   _LOGITS_HINT + "; BCE with logits applies the sigmoid "
                   "itself, without overflow")


def _ring_vs_blob(num_points: int, rng: torch.Generator):
    """Real ring points (label 1) and a fixed fake blob (label 0)."""
    real = ring_target().sample(num_points, rng=rng)
    fake = 0.3 * torch.randn(num_points, 2, generator=rng)
    points = torch.cat([real, fake])
    labels = torch.cat([torch.ones(num_points, 1),
                        torch.zeros(num_points, 1)])
    return points, labels


def _train_briefly(discriminator: nn.Module, points, labels,
                   num_steps: int = 200) -> torch.Tensor:
    """Full-batch Adam on BCE with logits; returns the final outputs."""
    optimizer = torch.optim.Adam(discriminator.parameters(), lr=5e-3)
    for _ in range(num_steps):
        loss = F.binary_cross_entropy_with_logits(
            discriminator(points), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return discriminator(points)


def check_discriminator(build_discriminator, *, seed: int = 0) -> None:
    """Grade build_discriminator(data_dim, hidden_dim) -> (B, 1) logits."""
    with torch.random.fork_rng():  # leaves the caller's RNG untouched
        torch.manual_seed(seed)  # the student's layers initialise from it
        _check_discriminator(build_discriminator, seed)


def _check_discriminator(build_discriminator, seed: int) -> None:
    rng = torch.Generator().manual_seed(seed)
    hidden_dim = int(torch.randint(16, 65, (), generator=rng))
    for data_dim in (3, 2):
        model = run_student(build_discriminator, data_dim, hidden_dim,
                            name="build_discriminator", hint=_BUILD_HINT)
        if not isinstance(model, nn.Module):
            raise fail(f"build_discriminator returned a "
                       f"{type(model).__name__}, not an nn.Module",
                       _BUILD_HINT)
        x = 20 * torch.randn(64, data_dim, generator=rng)
        out = _forward(model, x)
        _check_logit_shape(out, 64)
        _check_not_probabilities(model, out)
        if torch.allclose(out, out[0].expand_as(out)):
            raise fail("the discriminator returns the same value for "
                       "every input", "compute the output from x")
    points, labels = _ring_vs_blob(256, rng)
    logits = _train_briefly(model, points, labels)
    _check_not_probabilities(model, logits)
    accuracy = ((logits > 0).float() == labels).float().mean().item()
    if accuracy < 0.9:
        raise fail(f"after 200 Adam steps your discriminator tells ring "
                   f"points from a central blob with accuracy only "
                   f"{accuracy:.2f} (a working one reaches > 0.9)",
                   "put a non-linearity such as nn.LeakyReLU(0.2) between "
                   "the linear layers: without it the model is one "
                   "straight line, and no line separates a ring from "
                   "its centre")
    passed(f"(B, 1) logits, and after 200 steps it separates real from "
           f"fake with accuracy {accuracy:.2f}.")


_BCE_HINT = ("BCE = softplus(logit) - target * logit, which never "
             "computes log(0)")


def _bce_cases(rng: torch.Generator):
    """(moderate logits, large logits): (logits (N,), targets (N,)) each."""
    logits = 3 * torch.randn(32, generator=rng)
    targets = torch.randint(0, 2, (32,), generator=rng).float()
    targets[:4] = 0.9  # one-sided label smoothing uses targets like 0.9
    large = torch.tensor([30.0, -30.0, 100.0, -100.0, 1000.0, -20.0])
    large_targets = torch.tensor([0.0, 1.0, 0.0, 1.0, 1.0, 0.0])
    return (logits, targets), (large, large_targets)


def _check_bce_value(loss, logits, targets, *, large: bool) -> None:
    """Fail with the most specific message for a wrong mean BCE."""
    expected = F.binary_cross_entropy_with_logits(logits, targets)
    what = "your loss on logits " + ("as large as 1000" if large
                                     else "between -10 and 10")
    if isinstance(loss, torch.Tensor) and loss.shape == logits.shape:
        raise fail(f"{what} has one value per example",
                   "return the mean over the batch (a scalar)")
    if isinstance(loss, torch.Tensor) and not torch.isfinite(loss).all():
        raise fail(f"{what} is {loss.flatten()[0].item()}: sigmoid rounds "
                   "to exactly 1.0 or 0.0 in float32 and log(0) = -inf",
                   _BCE_HINT)
    if isinstance(loss, (int, float, torch.Tensor)) and float(loss) < 0:
        raise fail(f"{what} is negative ({float(loss):.4g}) but BCE never "
                   "is", "BCE = -[t log p + (1 - t) log(1 - p)]: "
                   "mind the minus sign")
    if _is_number(loss) and torch.isclose(
            torch.as_tensor(float(loss)), expected * logits.numel()):
        raise fail(f"{what} is the sum over the batch",
                   "return the mean, so that the loss does not grow with "
                   "the batch size")
    hint = _BCE_HINT
    if large:
        hint = ("clamping the probability keeps it finite but wrong: "
                "for logit 100 and target 0 the loss is 100. " + _BCE_HINT)
    expect_close(loss, expected, what=what, hint=hint)


def check_bce_with_logits(student_fn, *, seed: int = 0) -> None:
    """Grade f(logits (N,), targets (N,)) -> mean binary cross-entropy."""
    rng = torch.Generator().manual_seed(seed)
    for large, (logits, targets) in enumerate(_bce_cases(rng)):
        loss = run_student(student_fn, logits.clone(), targets.clone(),
                           name="bce_with_logits", hint=_BCE_HINT)
        _check_bce_value(loss, logits, targets, large=bool(large))
    passed("the mean BCE is right and stays finite for logits up to "
           "1000.")


def _accuracy(real_logits, fake_logits) -> float:
    """Share of real with logit > 0 and fakes with logit < 0."""
    correct = (real_logits > 0).sum() + (fake_logits < 0).sum()
    return correct.item() / (real_logits.numel() + fake_logits.numel())


def _accuracy_slips(real, fake) -> dict:
    """What typical wrong answers would return, each with its hint."""
    return {
        "thresholded the logits at 0.5":
            ((real > 0.5).sum() + (fake < 0.5).sum()).item()
            / (2 * real.numel()),
        "counted a fake as right when its logit is positive":
            ((real > 0).sum() + (fake > 0).sum()).item()
            / (2 * real.numel()),
        "scored the real points only": (real > 0).float().mean().item(),
    }


_ACCURACY_HINTS = {
    "thresholded the logits at 0.5":
        "a logit of 0 is a probability of 1/2: compare logits with 0 "
        "(or sigmoid(logits) with 0.5)",
    "counted a fake as right when its logit is positive":
        "a positive logit means 'real'; a fake is classified right when "
        "its logit is negative",
    "scored the real points only":
        "count the right answers on both real and fake, divided by the "
        "number of all points",
}


def _is_number(value) -> bool:
    """True for a Python number or a one-element tensor."""
    if isinstance(value, torch.Tensor):
        return value.numel() == 1
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_detection_accuracy(student_fn, *, seed: int = 0) -> None:
    """Grade f(real_logits (N, 1), fake_logits (N, 1)) -> accuracy."""
    rng = torch.Generator().manual_seed(seed)
    for shift in (1.0, 0.3, -0.2):
        real = torch.randn(200, 1, generator=rng) + shift
        fake = 0.5 * torch.rand(200, 1, generator=rng) - 0.2
        got = run_student(student_fn, real.clone(), fake.clone(),
                          name="detection_accuracy", hint=_ACCURACY_HINTS[
                              "scored the real points only"])
        expected = _accuracy(real, fake)
        if _is_number(got):
            for slip, value in _accuracy_slips(real, fake).items():
                slipped = abs(float(got) - value) < 1e-6
                if slipped and abs(value - expected) > 1e-6:
                    raise fail(f"you {slip}", _ACCURACY_HINTS[slip])
        expect_close(got, expected, what="your accuracy", atol=1e-6,
                     hint="accuracy = (number of real logits > 0 + number "
                     "of fake logits < 0) / number of all points")
    passed("the accuracy counts real logits > 0 and fake logits < 0.")
