"""How a run uses its hardware: chosen once, before the training loop.

Nothing here changes what a GAN computes, only how fast: bf16 (or fp16)
autocast, channels_last (NHWC) images, one fused Adam kernel,
torch.compile. A
switch that does not fit the device does nothing, so the same settings
run on a CPU, on Apple's MPS and on CUDA.

    plan = speed_plan(Speed(), torch.device("cuda"))
    generator = plan.place(generator)          # on the device, NHWC
    with plan.autocast():                      # bf16 matrix products
        ...
"""
import contextlib
from dataclasses import dataclass

import torch
from torch import Tensor, nn


@dataclass(frozen=True)
class Speed:
    """Speed switches; none of them changes what a run learns."""
    mixed_precision: bool = True  # bf16 autocast on GPUs with bf16 units,
    #                               fp16 with loss scaling on older ones
    channels_last: bool = False  # NHWC images; CUDA only, else ignored
    cpu_bf16: bool = False  # bf16 autocast on a CPU with bf16 units, in
    #                         the image layout measured faster per model
    fused_adam: bool = True  # one fused Adam kernel; CUDA only
    compile: bool = False  # torch.compile G and D (D not with penalties)
    compile_mode: str | None = None  # "reduce-overhead": CUDA graphs too


@dataclass(frozen=True)
class SpeedPlan:
    """What a Speed means on one device: the switches that really act."""
    device: torch.device
    autocast_dtype: torch.dtype | None  # None: everything in fp32
    # NHWC models and images; None: not decided yet, the run measures it
    # for its models (bf16 on a CPU: ganlib/cpu_layout.py), NCHW till then
    channels_last: bool | None
    fused_adam: bool
    compile: bool
    compile_mode: str | None

    def place(self, model: nn.Module) -> nn.Module:
        """The model on the device, in NHWC memory layout if planned."""
        model = model.to(self.device)
        if self.channels_last:
            model = model.to(memory_format=torch.channels_last)
        return model

    def place_data(self, data: Tensor) -> Tensor:
        """The data set as one fp32 tensor on the device (NHWC images)."""
        data = data.to(self.device, torch.float32)
        if data.ndim == 4 and self.channels_last:
            data = data.contiguous(memory_format=torch.channels_last)
        return data

    def autocast(self):
        """A context in which matrix products run in autocast_dtype.

        Without autocast's cache of 16-bit weight copies: the loop steps
        the optimizers inside this context, and a cached copy would keep
        the old weights, so the G step would see D before its update.
        """
        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.autocast_dtype,
                              cache_enabled=False)

    def loss_scaler(self) -> "GradScaler":
        """A GradScaler, on where the plan computes in fp16, else off.

        fp16 has a narrow range: small gradients round to zero. The
        scaler multiplies a loss before backward, divides the gradients
        back before the optimizer steps and skips a step whose gradients
        overflowed, tuning its factor as it goes. Switched off (fp32,
        bf16) it passes everything through unchanged.
        """
        return loss_scaler(self.device.type, enabled=self.scales_loss)

    @property
    def scales_loss(self) -> bool:
        """True where the loop must scale its losses: fp16 autocast."""
        return self.autocast_dtype == torch.float16

    def adam(self, model: nn.Module, lr: float,
             betas: tuple[float, float]) -> torch.optim.Adam:
        """Adam over the model's weights (the fused kernel if planned)."""
        fused = True if self.fused_adam else None
        return torch.optim.Adam(model.parameters(), lr=lr, betas=betas,
                                fused=fused)

    def compiled(self, model: nn.Module, *,
                 double_backward: bool = False) -> nn.Module:
        """torch.compile(model) if planned (same weights), else model.

        A model that needs a gradient of a gradient (a discriminator
        with a gradient penalty) stays as it is: compiled modules do not
        support double backward.
        """
        if not self.compile or double_backward:
            return model
        return torch.compile(model, mode=self.compile_mode)


def speed_plan(speed: Speed, device: torch.device, *,
               penalties: bool = False) -> SpeedPlan:
    """The switches of ``speed`` that act on ``device``; ``penalties``:
    the objective has a gradient penalty (a gradient of a gradient)."""
    on_cuda, on_cpu = device.type == "cuda", device.type == "cpu"
    asked = speed.cpu_bf16 if on_cpu else speed.mixed_precision
    dtype = autocast_dtype(
        device.type,
        cuda_capability=(torch.cuda.get_device_capability(device)
                         if on_cuda else None),
        cpu_has_bf16=on_cpu and cpu_has_native_bf16()) if asked else None
    if dtype == torch.float16 and penalties:
        # A penalty's second backward overflows fp16 at any loss scale
        # (a WGAN-GP critic in fp16 never took a step): fp32 instead.
        dtype = None
    cpu_bf16 = on_cpu and dtype is not None
    return SpeedPlan(
        device=device, autocast_dtype=dtype,
        # NHWC: on CUDA when asked; on a bf16 CPU, oneDNN is much faster
        # in NHWC for some models and much slower for others: the run
        # measures which (TrainingRun, with ganlib/cpu_layout.py)
        channels_last=None if cpu_bf16 else speed.channels_last and on_cuda,
        fused_adam=speed.fused_adam and on_cuda,
        compile=speed.compile, compile_mode=speed.compile_mode)


def autocast_dtype(device_type: str, *,
                   cuda_capability: tuple[int, int] | None = None,
                   cpu_has_bf16: bool = False) -> torch.dtype | None:
    """The dtype matrix products should run in on a device (None: fp32),
    where the run asks for low precision.

    - CUDA with compute capability >= 8.0 (A100, H100, RTX 30xx and
      later): bf16, which their tensor cores run natively and which has
      fp32's range, so no loss scaling is needed.
    - CUDA 7.0 to 7.5 (Colab's free T4 is 7.5, V100 7.0): fp16. They
      have no bf16 units (torch emulates bf16 there, slowly), but fp16
      tensor cores; fp16's narrow range needs loss scaling, which
      SpeedPlan.loss_scaler gives the training loop.
    - Older CUDA GPUs (below 7.0: P100, GTX 10xx): fp32, they have no
      tensor cores.
    - Apple MPS: fp32 (bf16 there has not been measured to pay).
    - A CPU: bf16 where it has bf16 instructions (AVX512-BF16, AMX),
      else fp32: emulated bf16 is slower than fp32.
    """
    if device_type == "cuda":
        if cuda_capability is None:
            raise ValueError("autocast_dtype needs the cuda_capability of a "
                             "CUDA device: torch.cuda.get_device_capability.")
        if tuple(cuda_capability) >= (8, 0):
            return torch.bfloat16
        return torch.float16 if tuple(cuda_capability) >= (7, 0) else None
    if device_type == "cpu" and cpu_has_bf16:
        return torch.bfloat16
    return None


# torch's loss scaler: torch.amp's from torch 2.3, torch.cuda.amp's before
GradScaler = getattr(torch.amp, "GradScaler", None) \
    or torch.cuda.amp.GradScaler


def loss_scaler(device_type: str = "cpu", *,
                enabled: bool = False) -> GradScaler:
    """A GradScaler for a device type, on or off."""
    if hasattr(torch.amp, "GradScaler"):  # torch 2.3 and later
        return GradScaler(device_type, enabled=enabled)
    return GradScaler(enabled=enabled)  # torch 2.1, 2.2: CUDA only


# What the training steps use when no scaler is given: fp32 or bf16.
NO_LOSS_SCALING = loss_scaler(enabled=False)


def cpu_has_native_bf16() -> bool:
    """True on a CPU with bf16 instructions (AVX512-BF16, AMX): oneDNN's."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a torch without oneDNN
        return False


@contextlib.contextmanager
def cpu_threads(count: int):
    """Run the block with ``count`` CPU threads, then restore the old count.

    A CPU result depends on the thread count (a sum split over 2 threads
    adds in another order than over 1), so a computation that must give
    the same bits on every machine fixes it; for tiny models 1 thread is
    also the fastest.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
