#!/usr/bin/env python3
"""Zero-miss backstop: how many late orders the prediction leaves unannounced, and how many extra
(possibly false) notices a 'last call' adds. usage: python3 lastcall.py VARIANT THRESHOLD"""
import sys, statistics
from load import load
from sim import VARIANTS, Model, CensorModel, simulate, WINDOWS, is_late, sent_at, DAY, LOCAL

name, th = sys.argv[1], float(sys.argv[2])
evs, orders = load()
cfg = dict(VARIANTS[name]); simkw = cfg.pop('sim', {}); cls = CensorModel if cfg.pop('censor', False) else Model
cross, _ = simulate(cls(**cfg), evs, orders, **simkw)


def local_day_at(t_prom, days_before, hour):
    """instant of `hour`:00 local, `days_before` days before the promise's local date"""
    loc = t_prom + LOCAL
    day0 = loc - (loc % DAY)
    return day0 - days_before * DAY + hour * 3600 - LOCAL


for wname, (a, b) in WINDOWS.items():
    sel = [o for o in orders.values() if a <= o['placed'] < b]
    late = [o for o in sel if is_late(o)]
    def warned_before(o, t):
        c = cross.get(o['oid'], {}).get(th)
        return c is not None and sent_at(c) <= t
    print(f"{wname}: orders={len(sel)} late={len(late)}")
    for (db, hr) in [(0, 9), (0, 12), (1, 18), (1, 9)]:
        extra = miss = fa = 0
        for o in sel:
            t = local_day_at(o['prom'], db, hr)
            open_ = (o['deliv'] is None or o['deliv'] > t) and (o['canc'] is None or o['canc'] > t)
            if not open_ or warned_before(o, t):
                continue
            extra += 1
            if not is_late(o):
                fa += 1
        unannounced = [o for o in late if not warned_before(o, o['prom'])]
        # late orders not warned before the last call and not open at it cannot exist: a late order is open
        print(f"  last call {db}d before promise day at {hr:02d}:00 local: extra notices={extra} "
              f"(on time after all={fa}, late={extra - fa}); late orders unannounced by prediction alone={len(unannounced)}")
