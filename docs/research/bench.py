#!/usr/bin/env python3
"""Cost of one re-assessment and of the due-timer ('next instant P crosses the threshold').
usage: python3 bench.py VARIANT THRESHOLD"""
import sys, time, random
from load import load
from sim import VARIANTS, Model, DAY

name, th = sys.argv[1], float(sys.argv[2])
evs, orders = load()
cfg = dict(VARIANTS[name]); cfg.pop('censor', None)
m = Model(**cfg)
cut = 1517454000.0  # 2018-02-01: stream the history up to here
for (t, k, oid) in evs:
    if t >= cut: break
    if k == 'D': m.observe(orders[oid], t)
now = cut
rnd = random.Random(1)
sample = [o for o in orders.values() if o['placed'] < now < o['prom']]
intransit = [dict(o, hand=o['hand']) for o in sample if o['hand'] and o['hand'] < now]
nothand = [dict(o, hand=None) for o in sample if not (o['hand'] and o['hand'] < now)]
print(f"open at 2018-02-01: {len(sample)} ({len(intransit)} in transit, {len(nothand)} not handed over)")


def due_transit(o, now):
    """next instant P(late) >= th if nothing happens: S_T(a*) = S_T(B)/th  ->  a* by inverting S"""
    d = m.dist(m.T, m.tkeys(o), now, m.m)
    c = m.clk
    ch = c(o['hand']); B = c(o['prom']) - ch
    target = d.S(B) / th
    if target >= 1: return now
    # S is non-increasing: binary search on bins of the tail array, then interpolate in the bin
    lo, hi = 0, d.nb
    while lo < hi:
        mid = (lo + hi) // 2
        if d.tail[mid + 1] <= target: hi = mid
        else: lo = mid + 1
    # S(x) = tail[k+1] + p[k]*(1-frac) = target  within bin lo
    k = lo; frac = 1 - (target - d.tail[k + 1]) / d.p[k] if d.p[k] > 0 else 0
    a = (k + max(0.0, min(1.0, frac))) * d.w
    return ch + a  # in clock-days; convert back to wall time via the clock's inverse (calendar clock: *DAY)


def due_prehand(o, now, step=0.25 * DAY, horizon=None):
    """pre-hand-off P is not monotone in general: scan forward in 6-h steps (O(remaining/6h) * bins)"""
    t = now
    while t < o['prom']:
        if m.prob(o, t) >= th: return t
        t += step
    return None


for label, group, fn in [('in transit', intransit, lambda o: m.prob(o, now)),
                         ('not handed over', nothand, lambda o: m.prob(o, now)),
                         ('due-timer in transit (inverse S)', intransit, lambda o: due_transit(o, now)),
                         ('due-timer pre-hand-off (6-h scan)', nothand, lambda o: due_prehand(o, now))]:
    m.prob(group[0], now)  # warm the group caches
    for o in group: m.prob(o, now)
    t0 = time.perf_counter(); n = 0
    for _ in range(3):
        for o in group: fn(o); n += 1
    dt = (time.perf_counter() - t0) / n
    print(f"{label}: {dt * 1e6:.0f} us per order (CPython, caches warm)")
# check: due_transit agrees with the probability
ok = 0
for o in intransit[:200]:
    a = due_transit(o, now)
    tw = a * DAY if m.clk.kind == 'cal' else None
    if tw and tw > now and tw < o['prom']:
        ok += abs(m.prob(o, tw + 60) - th) < 0.05 or m.prob(o, tw + 60) >= th
print('due-timer sanity (P at due >= th-0.05):', ok)
