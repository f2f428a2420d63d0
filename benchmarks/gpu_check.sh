#!/usr/bin/env bash
# The GPU check, in one command for a fresh, offline GPU machine (an
# H100 or H200 class one, with python3 holding PyTorch, torchvision,
# matplotlib, scikit-learn and pytest): the tests that are skipped on a
# CPU, then the speed benchmark and the head-to-head against
# pytorch/examples' loop. Everything it measures goes to OUT_FOLDER
# (JSON, markdown, logs); commit the results beside benchmarks/ and show
# them on book/speed.md. Each part has its own time limit, so the whole
# check ends within 8 minutes.
#
#   bash benchmarks/gpu_check.sh OUT_FOLDER
#
# GPU_CHECK_DEVICE=cpu GPU_CHECK_QUICK=1 runs the same steps on a CPU
# with the benchmarks' --quick budgets: a test of this script, not a
# measurement.
set -uo pipefail
out=${1:?usage: bash benchmarks/gpu_check.sh OUT_FOLDER}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
device=${GPU_CHECK_DEVICE:-cuda}
quick=${GPU_CHECK_QUICK:+--quick}
python=${PYTHON:-python3}
status=0

# 1. The machine: what the results will be labelled with.
"$python" - "$device" <<'EOF' | tee "$out/machine.txt" || exit 1
import sys
import torch
device = sys.argv[1]
print("torch", torch.__version__)
if device == "cuda":
    if not torch.cuda.is_available():
        sys.exit("gpu_check: no CUDA device is visible to this torch")
    for i in range(torch.cuda.device_count()):
        print(f"cuda:{i}", torch.cuda.get_device_name(i), "capability",
              torch.cuda.get_device_capability(i))
EOF

# 2. The tests that need a GPU (skipped on a CPU), with the library's
# other device-sensitive tests beside them; -rs lists what was skipped.
# The widget and animation tests need IPython and ipywidgets: where the
# machine lacks them, the log says that those files were not collected.
timeout 150 "$python" -m pytest -q -rs -p no:cacheprovider \
    --continue-on-collection-errors \
    tests/test_train.py tests/test_data.py tests/test_noise.py \
    tests/test_models.py tests/test_losses.py tests/test_cpu_layout.py \
    tests/test_animation.py tests/test_widgets.py \
    tests/test_mixed_precision.py \
    2>&1 | tee "$out/tests.log" || status=1

# 3. The speed benchmark (make bench) and the head-to-head. Both write
# their JSON and markdown after every row or repeat, so one stopped by its
# time limit leaves what it measured, and says where it stopped.
timeout 150 "$python" -m benchmarks.speed --device "$device" \
    --out "$out" $quick 2>&1 | tee "$out/bench.log" || status=1
timeout 150 "$python" -m benchmarks.speed.head_to_head --device "$device" \
    --out "$out" $quick 2>&1 | tee "$out/head_to_head.log" || status=1

echo "gpu_check: results in $out (status $status)"
exit $status
