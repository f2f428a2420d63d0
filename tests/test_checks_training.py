import pytest
import torch

from gancheck.core import ExerciseError
from gancheck.training import check_discriminator_step, check_generator_step
from ganlib.losses import (LEAST_SQUARES, NONSATURATING,
                           bce_discriminator_loss,
                           minimax_generator_loss,
                           nonsaturating_generator_loss)
from ganlib.train import discriminator_step, generator_step


def d_step(generator, discriminator, optimizer, real, z):
    fake = generator(z).detach()
    loss = bce_discriminator_loss(discriminator(real), discriminator(fake))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss


def g_step(generator, discriminator, optimizer, z):
    loss = nonsaturating_generator_loss(discriminator(generator(z)))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss


def ganlib_d_step(generator, discriminator, optimizer, real, z):
    return discriminator_step(generator, discriminator, optimizer, real, z,
                              NONSATURATING)[0]


def ganlib_g_step(generator, discriminator, optimizer, z):
    return generator_step(generator, discriminator, optimizer, z,
                          NONSATURATING)[0]


@pytest.mark.parametrize("seed", [0, 3])
def test_reference_steps_and_ganlib_steps_pass(seed, capsys):
    check_discriminator_step(d_step, seed=seed)
    check_discriminator_step(ganlib_d_step, seed=seed)
    check_generator_step(g_step, seed=seed)
    check_generator_step(ganlib_g_step, seed=seed)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all(x.startswith("Correct:") for x in lines)


def test_stubs_are_not_written_yet():
    def stub(*args):
        raise NotImplementedError
    with pytest.raises(ExerciseError, match="not written yet"):
        check_discriminator_step(stub)
    with pytest.raises(ExerciseError, match="not written yet"):
        check_generator_step(stub)


def d_step_without_detach(generator, discriminator, optimizer, real, z):
    loss = bce_discriminator_loss(discriminator(real),
                                  discriminator(generator(z)))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss


def d_step_without_zero_grad(generator, discriminator, optimizer, real, z):
    fake = generator(z).detach()
    loss = bce_discriminator_loss(discriminator(real), discriminator(fake))
    loss.backward()
    optimizer.step()
    return loss


def d_step_updating_both(generator, discriminator, optimizer, real, z):
    both = torch.optim.SGD(list(generator.parameters())
                           + list(discriminator.parameters()), lr=0.1)
    loss = bce_discriminator_loss(discriminator(real),
                                  discriminator(generator(z)))
    both.zero_grad()
    loss.backward()
    both.step()
    return loss


def d_step_returning_loss_after_update(generator, discriminator,
                                       optimizer, real, z):
    d_step(generator, discriminator, optimizer, real, z)
    fake = generator(z).detach()
    return bce_discriminator_loss(discriminator(real), discriminator(fake))


@pytest.mark.parametrize("answer, message", [
    (d_step_without_detach, r"generator \(its \.grad is filled\): did you "
     r"forget \.detach\(\)\?"),
    (d_step_without_zero_grad, "optimizer.zero_grad missing: gradients "
     "accumulated"),
    (d_step_updating_both, "your D step changed the generator's weights: "
     r"did you forget \.detach\(\)\?"),
    (d_step_returning_loss_after_update, "the loss you returned"),
])
def test_discriminator_step_slips_get_their_own_message(answer, message):
    with pytest.raises(ExerciseError, match=message):
        check_discriminator_step(answer)


def g_step_with_detached_fakes(generator, discriminator, optimizer, z):
    fake = generator(z).detach()
    loss = nonsaturating_generator_loss(discriminator(fake))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss


def g_step_without_zero_grad(generator, discriminator, optimizer, z):
    loss = nonsaturating_generator_loss(discriminator(generator(z)))
    loss.backward()
    optimizer.step()
    return loss


def g_step_updating_d_too(generator, discriminator, optimizer, z):
    d_optimizer = torch.optim.SGD(discriminator.parameters(), lr=0.1)
    loss = g_step(generator, discriminator, optimizer, z)
    d_optimizer.step()  # D still holds the G step's gradients
    return loss


def g_step_minimax(generator, discriminator, optimizer, z):
    loss = minimax_generator_loss(discriminator(generator(z)))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss


@pytest.mark.parametrize("answer, message", [
    (g_step_with_detached_fakes, r"do not \.detach\(\) the fakes"),
    (g_step_without_zero_grad, "optimizer.zero_grad missing"),
    (g_step_updating_d_too, "the G step must not update D"),
    (g_step_minimax, "non-saturating"),
])
def test_generator_step_slips_get_their_own_message(answer, message):
    with pytest.raises(ExerciseError, match=message):
        check_generator_step(answer)


def test_check_leaves_global_random_state_alone():
    state = torch.random.get_rng_state()
    check_generator_step(g_step)
    assert torch.equal(torch.random.get_rng_state(), state)


def least_squares_d_step(generator, discriminator, optimizer, real, z):
    fake = generator(z).detach()
    loss = (0.5 * ((discriminator(real) - 1) ** 2).mean()
            + 0.5 * (discriminator(fake) ** 2).mean())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss


def least_squares_g_step(generator, discriminator, optimizer, z):
    loss = 0.5 * ((discriminator(generator(z)) - 1) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss


@pytest.mark.parametrize("seed", [0, 3])
def test_least_squares_steps_by_hand_pass_their_checks(seed, capsys):
    check_discriminator_step(least_squares_d_step, seed=seed,
                             objective=LEAST_SQUARES)
    check_generator_step(least_squares_g_step, seed=seed,
                         objective=LEAST_SQUARES)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(x.startswith("Correct:") for x in lines)


def test_a_bce_step_fails_the_least_squares_check_and_says_which_loss():
    with pytest.raises(ExerciseError, match="least-squares discriminator"):
        check_discriminator_step(d_step, objective=LEAST_SQUARES)
    with pytest.raises(ExerciseError, match="least-squares generator"):
        check_generator_step(g_step, objective=LEAST_SQUARES)
    with pytest.raises(ExerciseError, match="BCE discriminator loss"):
        check_discriminator_step(least_squares_d_step)
