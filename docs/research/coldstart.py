#!/usr/bin/env python3
"""Cold start: what MinSamples (deliveries seen by the whole model before it speaks) costs/gains on the
first months of the shop. usage: python3 coldstart.py VARIANT THRESHOLD"""
import sys
from load import load
from sim import VARIANTS, Model, simulate, score, THS
name, th = sys.argv[1], float(sys.argv[2])
evs, orders = load()
W = {'2016-09..2017-02 (first ~400 orders)': (0, 1488337200.0), '2017-03..2017-05': (1488337200.0, 1496286000.0)}
for ms in (0, 30, 100, 300):
    cfg = dict(VARIANTS[name]); cfg['min_samples'] = ms
    cross, _ = simulate(Model(**cfg), evs, orders, eval_from=0)
    for w, win in W.items():
        r = [x for x in score(cross, orders, win) if abs(x['th'] - th) < 1e-9][0]
        print(f"MinSamples={ms:4d} {w}: P={r['prec']:.2f} R={r['rec']:.2f} lead={r['lead']:.0f}h warned={r['warned']} late={r['late']}/{r['n']}", flush=True)
