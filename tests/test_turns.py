"""Loops that take turns: the order they run in, what is timed, errors."""

import pytest
import torch

from benchmarks.speed import turns

CPU = torch.device("cpu")


class FakeClock:
    """A perf_counter that the loops move on by hand."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(turns, "perf_counter", fake)
    return fake


def counting_loop(name, steps, log, clock, step_seconds=1.0,
                  untimed_seconds=0.0):
    """A loop of `steps` steps, each step_seconds long, that logs (name,
    step) and spends untimed_seconds untimed before every step."""
    def run(taker):
        for step in range(1, steps + 1):
            with taker.untimed():
                clock.now += untimed_seconds
            clock.now += step_seconds
            log.append((name, step))
            taker.step_done(step)
    return run


def test_loops_warm_up_then_take_turns_in_order(clock):
    log = []
    loops = {"a": counting_loop("a", 9, log, clock, step_seconds=1.0),
             "b": counting_loop("b", 9, log, clock, step_seconds=2.0)}
    seconds = turns.time_in_turns(loops, CPU, warmup=2, turn_steps=3,
                                  turns=2)
    a = [("a", step) for step in range(1, 10)]
    b = [("b", step) for step in range(1, 10)]
    # warm-ups (2 steps), two turns of 3 steps, then the untimed rest
    assert log == (a[0:2] + b[0:2] + a[2:5] + b[2:5] + a[5:8] + b[5:8]
                   + a[8:] + b[8:])
    assert seconds == {"a": [3.0, 3.0], "b": [6.0, 6.0]}


def test_work_inside_untimed_is_left_out_of_a_turn(clock):
    log = []
    loops = {"a": counting_loop("a", 5, log, clock, step_seconds=1.0,
                                untimed_seconds=10.0)}
    seconds = turns.time_in_turns(loops, CPU, warmup=1, turn_steps=2,
                                  turns=2)
    assert seconds == {"a": [2.0, 2.0]}


def test_a_failing_loop_raises_and_no_thread_is_left_waiting(clock):
    log = []

    def failing(taker):
        taker.step_done(1)  # the warm-up ends
        raise ValueError("broken loop")

    loops = {"a": counting_loop("a", 100, log, clock), "b": failing}
    before = set(turns.threading.enumerate())
    with pytest.raises(ValueError, match="broken loop"):
        turns.time_in_turns(loops, CPU, warmup=1, turn_steps=10, turns=5)
    assert set(turns.threading.enumerate()) == before
    assert len(log) == 11  # "a" was called off after its first turn


def test_a_loop_failing_after_its_turns_raises_and_the_others_end(clock):
    def fails_at_the_end(taker):
        for step in range(1, 4):
            taker.step_done(step)
        raise ValueError("broken after its turns")

    log = []
    loops = {"a": fails_at_the_end, "b": counting_loop("b", 5, log, clock)}
    before = set(turns.threading.enumerate())
    with pytest.raises(ValueError, match="broken after its turns"):
        turns.time_in_turns(loops, CPU, warmup=1, turn_steps=1, turns=2)
    assert set(turns.threading.enumerate()) == before
    assert len(log) == 5  # "b" ran its untimed rest


def test_a_loop_failing_first_raises_before_the_others_start(clock):
    def fails_at_once(taker):
        raise ValueError("broken at once")

    log = []
    loops = {"a": fails_at_once, "b": counting_loop("b", 5, log, clock)}
    with pytest.raises(ValueError, match="broken at once"):
        turns.time_in_turns(loops, CPU, warmup=1, turn_steps=1, turns=2)
    assert log == []


def test_a_loop_that_catches_exceptions_is_still_called_off(clock):
    def catches_everything(taker):
        for step in range(1, 100):
            try:
                taker.step_done(step)
            except Exception:  # would swallow an Exception-based call-off
                pass

    def fails(taker):
        taker.step_done(1)
        raise ValueError("broken")

    loops = {"catches": catches_everything, "fails": fails}
    outcome = []

    def run():
        try:
            turns.time_in_turns(loops, CPU, warmup=1, turn_steps=1, turns=2)
        except ValueError as error:
            outcome.append(error)

    caller = turns.threading.Thread(target=run, daemon=True)
    caller.start()
    caller.join(timeout=30)
    assert not caller.is_alive() and len(outcome) == 1


def test_a_loop_too_short_for_its_turns_says_so(clock):
    loops = {"short": counting_loop("short", 4, [], clock)}
    with pytest.raises(RuntimeError, match="short stopped after 1 of 2 "
                                           "timed turns: give it more steps"):
        turns.time_in_turns(loops, CPU, warmup=1, turn_steps=3, turns=2)


def test_turns_must_be_whole(clock):
    with pytest.raises(ValueError, match="warmup, turn_steps and turns"):
        turns.time_in_turns({}, CPU, warmup=0, turn_steps=1, turns=1)


def test_ganlib_train_takes_turns_through_on_step():
    from benchmarks.speed import cases, head_to_head
    from benchmarks.speed.run import load_data

    plan = head_to_head.Plan(repeats=1, turns={"dcgan28": 2},
                             turn_steps={"dcgan28": 1},
                             batch_size=4)
    images = load_data("dcgan28", 4)[:4]
    loop = head_to_head.ganlib_loop("dcgan28", images,
                                    cases.fast_settings(CPU), CPU, plan)
    seconds = turns.time_in_turns({"ganlib": loop}, CPU, warmup=1,
                                  turn_steps=1, turns=2)
    assert len(seconds["ganlib"]) == 2
    assert all(value > 0 for value in seconds["ganlib"])




def test_every_repeat_warms_up_for_one_turn_so_turns_end_with_epochs(
        monkeypatch):
    """The reference's folder holds one turn's batches: its epochs end at
    the turn ends only if the warm-up is one whole turn."""
    from benchmarks.speed import head_to_head

    plan = head_to_head.Plan(repeats=1, turns={"dcgan28": 3},
                             turn_steps={"dcgan28": 4},
                             batch_size=2)
    calls = []

    def fake_turns(loops, device, *, warmup, turn_steps, turns):
        calls.append((list(loops), warmup, turn_steps, turns))
        return {label: [0.4, 0.8, 1.2] for label in loops}

    monkeypatch.setattr(head_to_head, "time_in_turns", fake_turns)
    paths = head_to_head.ganlib_paths(CPU)
    ms = head_to_head.time_repeat("dcgan28", torch.zeros(8, 1, 28, 28),
                                  None, CPU, plan, paths)
    [(labels, warmup, turn_steps, timed_turns)] = calls
    assert labels[0] == head_to_head.REFERENCE
    assert warmup == turn_steps == 4 and timed_turns == 3
    # 2.4 s over 12 timed steps
    assert ms == {label: pytest.approx(200.0) for label in labels}
