"""Benchmarks: ``python -m benchmarks [--quick]`` prints one table (see benchmarks/__main__.py).

W1 micrograd's demo training step, W2 chains, W3 a sum of products, W4 memory per node and
reference cycles, for this engine's eager and compiled modes, hand-written float floors
(floors.py) and micrograd 0.1.0 when it is installed (peers.py).
"""
