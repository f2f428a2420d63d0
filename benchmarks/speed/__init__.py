"""The speed benchmark: `python -m benchmarks.speed [--quick]`.

Trains pytorch/examples' 64x64 DCGAN two ways, (a) as that example does
and (b) with ganlib.train's fast path, and reports images per second,
the ratio b/a, peak GPU memory and the share of the device's peak FLOP
rate; then ganlib alone at larger batches, the 28 px DCGAN and the 2-D
MLP GAN, and a check that the fast path reaches the fp32 path's quality.

Modules: cases (what runs), reference (the baseline loop), timing, flops
(measured with torch's FlopCounterMode), quality, run (gathers it all),
summary (the result with its notes), report (JSON and markdown).
"""
