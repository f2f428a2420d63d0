"""Time several training loops that take turns, a few seconds each.

On a shared 2-core machine the speed changes from one stretch of seconds
to the next: two loops timed one after the other, for tens of seconds
each, can differ by 20% with nothing changed. Loops that take turns of a
few seconds meet the same slow and quick stretches, so the ratio of
their times measures the loops, not the machine.

A loop is a function run(turns) that trains and calls
turns.step_done(step) after each step (ganlib.train does it through
on_step); work it does inside `with turns.untimed():` is left out of its
time. Each loop runs in its own thread, and only one thread works at a
time: step_done() hands over to the next loop at the end of each turn
and waits for the loop's next turn.
"""

import contextlib
import threading
from collections.abc import Callable
from time import perf_counter

import torch

from benchmarks.speed.timing import synchronize


class _CalledOff(BaseException):
    """Raised in a loop whose turns were called off (another one failed);
    a BaseException, so that a loop's `except Exception` lets it through."""


class TurnTaker:
    """What a loop sees (as `turns`): one loop in its own thread, stopped
    after each turn's last step.

    turn_ends are the steps after which it stops: the warm-up's last step,
    then the end of every timed turn. seconds holds each timed turn's
    wall clock between host syncs, less its untimed parts.
    """

    def __init__(self, label: str, loop: "Loop", turn_ends: list[int],
                 device: torch.device):
        self.label, self.turn_ends, self.device = label, set(turn_ends), device
        self.timed_turns = len(turn_ends) - 1
        self.seconds: list[float] = []
        self.error: BaseException | None = None
        self.finished = False
        self.called_off = False
        self.clock_started: float | None = None  # None: not timing yet
        self.elapsed = 0.0  # timed seconds of the turn so far
        self.go_on = threading.Semaphore(0)  # the next turn may begin
        self.stopped = threading.Semaphore(0)  # the turn is over
        self.thread = threading.Thread(target=self._run, args=(loop,),
                                       name=f"turns: {label}", daemon=True)

    def _run(self, loop: "Loop") -> None:
        try:
            loop(self)
        except _CalledOff:
            pass
        except BaseException as error:  # raised again in the caller
            self.error = error
        finally:
            self.finished = True
            self.stopped.release()

    def step_done(self, step: int) -> None:
        """Called by the loop after every step: at a turn's end, note the
        turn's seconds, hand over and wait for the next turn."""
        if step not in self.turn_ends:
            return
        synchronize(self.device)
        if self.clock_started is not None:
            self.seconds.append(self.elapsed + perf_counter()
                                - self.clock_started)
        self.stopped.release()
        self.go_on.acquire()
        if self.called_off:
            raise _CalledOff
        self.elapsed, self.clock_started = 0.0, perf_counter()

    @contextlib.contextmanager
    def untimed(self):
        """Leave the work inside out of the turn's time."""
        if self.clock_started is None:  # the warm-up is not timed anyway
            yield
            return
        synchronize(self.device)
        self.elapsed += perf_counter() - self.clock_started
        try:
            yield
        finally:
            synchronize(self.device)
            self.clock_started = perf_counter()

    def take(self) -> None:
        """Let the loop run until its turn is over (the first turn starts
        it and runs its warm-up)."""
        if self.thread.ident is None:
            self.thread.start()
        else:
            self.go_on.release()
        self.stopped.acquire()
        if self.error is not None:
            raise self.error
        if self.finished and len(self.seconds) < self.timed_turns:
            raise RuntimeError(
                f"{self.label} stopped after {len(self.seconds)} of "
                f"{self.timed_turns} timed turns: give it more steps.")

    def finish(self, call_off: bool = False) -> None:
        """Let the loop run its remaining steps, untimed, and end; or,
        with call_off, end it at its next step_done (another loop
        failed)."""
        if self.thread.ident is None:
            return  # never started
        if not self.finished:
            self.called_off = call_off
            self.go_on.release()
        self.thread.join()
        if self.error is not None and not call_off:
            raise self.error


Loop = Callable[[TurnTaker], None]


def time_in_turns(loops: dict[str, Loop], device: torch.device, *,
                  warmup: int, turn_steps: int, turns: int
                  ) -> dict[str, list[float]]:
    """{label: seconds of each timed turn} of loops that take turns.

    Each loop first runs its warm-up steps (one loop after the other),
    then the loops take `turns` turns of `turn_steps` timed steps each, in
    the order given. A loop must run at least warmup + turns * turn_steps
    steps; the steps after those run untimed at the end.
    """
    if warmup < 1 or turn_steps < 1 or turns < 1:
        raise ValueError(f"time_in_turns needs warmup, turn_steps and turns "
                         f">= 1, got {warmup}, {turn_steps}, {turns}.")
    turn_ends = [warmup + number * turn_steps for number in range(turns + 1)]
    takers = [TurnTaker(label, loop, turn_ends, device)
              for label, loop in loops.items()]
    completed = False
    try:
        for _ in range(turns + 1):  # the warm-ups, then the timed turns
            for taker in takers:
                taker.take()
        completed = True
    finally:  # after an error too: every thread ends, none left waiting
        errors = []
        for taker in takers:
            try:
                taker.finish(call_off=not completed)
            except BaseException as error:  # the others still finish
                errors.append(error)
        if errors and completed:
            raise errors[0]
    return {taker.label: taker.seconds for taker in takers}
