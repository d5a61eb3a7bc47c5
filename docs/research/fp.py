#!/usr/bin/env python3
"""Where do false alarms come from? usage: python3 fp.py VARIANT THRESHOLD"""
import sys, collections
from load import load
from sim import VARIANTS, Model, CensorModel, simulate, WINDOWS, is_late, sent_at, DAY
name, th = sys.argv[1], float(sys.argv[2])
evs, orders = load()
cfg = dict(VARIANTS[name]); simkw = cfg.pop('sim', {}); cls = CensorModel if cfg.pop('censor', False) else Model
cross, _ = simulate(cls(**cfg), evs, orders, **simkw)
a, b = WINDOWS['A:2017-11..2018-02']
c = collections.Counter()
for o in orders.values():
    if not (a <= o['placed'] < b): continue
    t = cross.get(o['oid'], {}).get(th)
    late = is_late(o)
    if t is None or sent_at(t) >= o['prom']:
        c[('missed' if late else 'tn', )] += 1; continue
    st = 'transit' if o['hand'] and o['hand'] <= t else 'nothand'
    dleft = int((o['prom'] - sent_at(t)) / DAY)
    kind = 'TP' if late else ('FP-canc' if o['canc'] else 'FP')
    lt = 'nd' if late and not o['deliv'] else ''
    c[(kind, st)] += 1
    c[(kind, 'days_left', min(dleft, 8))] += 1
    if late: c[('TP', 'never-delivered' if not o['deliv'] else 'delivered-late')] += 1
    c[(kind, 'origin-known' if o['fr'] else 'origin-unknown')] += 1
for k in sorted(c, key=str): print(k, c[k])
