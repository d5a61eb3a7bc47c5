#!/usr/bin/env python3
"""Online replay simulator for the PREDICTED_LATE model (issue 10, deliverables 3-4).

Streams /work/shared/data/olist-history/events.jsonl.gz in time order. The model learns only from
deliveries as they happen (handling = placed->handoff, transit = handoff->delivered, stamped with the
delivery instant). Open orders are re-assessed at each of their events and on a 6-hourly timer; the
first instant P(late) >= threshold is the warning. One pass records the first crossing of every
threshold of the sweep (a warning at th is the first time the running max of P reaches th).

usage: python3 sim.py [variant ...]      (see VARIANTS at the bottom; no args = all)
"""
import sys, math, time, bisect, collections, statistics, json
from load import load

DAY = 86400.0
TICK = 6 * 3600.0
THS = [round(0.30 + 0.02 * i, 2) for i in range(34)]  # 0.30 .. 0.96
EVAL_FROM = 1496286000.0  # 2017-06-01 -03:00 : orders placed from here are assessed
WINDOWS = {  # scored windows (placed in [a,b))
    'A:2017-11..2018-02': (1509505200.0, 2e9),   # 2017-11-01 -03:00 .. end (the "last ~4 months")
    'B:2018-01..2018-02': (1514775600.0, 2e9),   # 2018-01-01
    'C:2017-06..2017-10': (1496286000.0, 1509505200.0),
    'AC:2017-06..2018-02': (1496286000.0, 2e9),   # pooled, for choosing
}


# ----------------------------------------------------------------------------- histograms
class Hist:
    """Per-group histogram of durations (days) with fixed bins + overflow bin.
    decay: half-life in days (exponential forgetting), or window: keep only samples delivered in the
    last `window` days (baseline). Weights stored as exp((t-T0)/tau) so adding is O(1) and the
    normalised shape needs no rescaling; effective n(now) = total*exp(-(now-T0)/tau)."""
    __slots__ = ('b', 'tot', 'tau', 'win', 'q', 'nb', 'w', 'ver')
    T0 = 1.47e9

    def __init__(self, nb, w, half_life=None, window=None):
        self.nb, self.w = nb, w
        self.b = [0.0] * (nb + 1)
        self.tot = 0.0
        self.ver = 0
        self.tau = half_life * DAY / math.log(2) if half_life else None
        self.win = window * DAY if window else None
        self.q = collections.deque() if window else None

    def _bin(self, days):
        k = int(max(days, 0.0) / self.w)
        return k if k < self.nb else self.nb

    def add(self, t, days):
        k = self._bin(days)
        wt = math.exp((t - self.T0) / self.tau) if self.tau else 1.0
        self.b[k] += wt
        self.tot += wt
        self.ver += 1
        if self.q is not None:
            self.q.append((t, k))

    def n(self, now):
        if self.q is not None:
            q = self.q
            while q and q[0][0] < now - self.win:
                _, k = q.popleft()
                self.b[k] -= 1.0
                self.tot -= 1.0
                self.ver += 1
            return self.tot
        if self.tau:
            return self.tot * math.exp(-(now - self.T0) / self.tau)
        return self.tot


class Dist:
    """A normalised distribution over the bins with its tail sums, for S(x) = P(X > x)."""
    __slots__ = ('p', 'tail', 'nb', 'w', 'n')

    def __init__(self, p, nb, w, n):
        self.p, self.nb, self.w, self.n = p, nb, w, n
        tail = [0.0] * (nb + 2)
        s = 0.0
        for k in range(nb, -1, -1):
            s += p[k]
            tail[k] = s
        self.tail = tail

    def S(self, x):
        if x <= 0:
            return 1.0
        xf = x / self.w
        k = int(xf)
        if k >= self.nb:
            return self.tail[self.nb]
        return self.tail[k + 1] + self.p[k] * (1.0 - (xf - k))


def shrink(chain, now, m, nb, w):
    """chain: list of Hist from coarsest to finest (None = level absent). Returns Dist or None.
    p_0 = hat_0 ; p_k = (n_k*hat_k + m*p_{k-1}) / (n_k + m)."""
    p = None
    n_fin = 0.0
    for h in chain:
        if h is None:
            continue
        n = h.n(now)
        if n <= 1e-9 or h.tot <= 0:
            continue
        hat = [v / h.tot for v in h.b]
        if p is None:
            p = hat
        else:
            a = n / (n + m)
            p = [a * x + (1 - a) * y for x, y in zip(hat, p)]
        n_fin = n
    if p is None:
        return None
    return Dist(p, nb, w, n_fin)


# ----------------------------------------------------------------------------- clocks
# Business clock: durations are measured in "delivery days": a local day counts by its weight
# (Mon-Fri 1, Sat/Sun/holiday less: few deliveries and hand-offs happen then). t -> days since DAY0.
import datetime as _dt
LOCALOFF = -3 * 3600
DAY0 = _dt.date(2016, 1, 1)
BR_HOLIDAYS = {_dt.date(*d) for d in [
    (2016, 1, 1), (2016, 2, 8), (2016, 2, 9), (2016, 3, 25), (2016, 4, 21), (2016, 5, 1), (2016, 5, 26),
    (2016, 9, 7), (2016, 10, 12), (2016, 11, 2), (2016, 11, 15), (2016, 12, 25),
    (2017, 1, 1), (2017, 2, 27), (2017, 2, 28), (2017, 4, 14), (2017, 4, 21), (2017, 5, 1), (2017, 6, 15),
    (2017, 9, 7), (2017, 10, 12), (2017, 11, 2), (2017, 11, 15), (2017, 12, 25),
    (2018, 1, 1), (2018, 2, 12), (2018, 2, 13), (2018, 3, 30), (2018, 4, 21), (2018, 5, 1), (2018, 5, 31),
    (2018, 9, 7), (2018, 10, 12), (2018, 11, 2), (2018, 11, 15), (2018, 12, 25)]}


class Clock:
    def __init__(self, kind='cal', sat=0.25, sun=0.1, hol=0.1):
        self.kind = kind
        n = 365 * 4
        self.w = []
        for i in range(n):
            d = DAY0 + _dt.timedelta(days=i)
            wd = d.weekday()
            x = 1.0
            if kind != 'cal':
                if wd == 5: x = sat
                elif wd == 6: x = sun
                if kind == 'bizhol' and d in BR_HOLIDAYS: x = min(x, hol)
            self.w.append(x)
        self.cum = [0.0]
        for x in self.w:
            self.cum.append(self.cum[-1] + x)
        self.base = (_dt.datetime(2016, 1, 1, tzinfo=_dt.timezone.utc).timestamp() - LOCALOFF)

    def __call__(self, t):
        if self.kind == 'cal':
            return t / DAY
        x = (t - self.base) / DAY
        i = int(x)
        return self.cum[i] + self.w[i] * (x - i)


# ----------------------------------------------------------------------------- models
class Model:
    """Hierarchical, recency-weighted conditional model.
    transit groups  (coarse->fine): global, dest region, lane (from->to) [, seller]
    handling groups (coarse->fine): global, origin region, seller
    P(late) in transit  = S_T(B) / S_T(a)      a = now-handoff, B = promise-handoff
    P(late) before hand = sum_h P(H=h | H>e) * S_T(B - h)   e = now-placed, B = promise-placed
    """

    def __init__(self, half_life=21, m=20, bin_days=0.25, max_days=60, min_samples=30,
                 transit_levels=('g', 'to', 'lane'), hand_levels=('g', 'fr', 'seller'),
                 window=None, handling=True, hand_half_life=None, m_hand=None, clock='cal'):
        self.hl, self.m, self.w = half_life, m, bin_days
        self.nb = int(max_days / bin_days)
        self.min_samples = min_samples
        self.tl, self.hlv = transit_levels, hand_levels
        self.window = window
        self.handling = handling
        self.hhl = hand_half_life or half_life
        self.mh = m_hand if m_hand is not None else m
        self.T = {}
        self.H = {}
        self.cache = {}
        self.cache_tick = None
        self.ndeliv = 0
        self.clk = Clock(clock)

    def _h(self, store, key, hl):
        h = store.get(key)
        if h is None:
            h = store[key] = Hist(self.nb, self.w, half_life=None if self.window else hl, window=self.window)
        return h

    def tkeys(self, o):
        ks = []
        for lv in self.tl:
            if lv == 'g': ks.append(('g',))
            elif lv == 'to': ks.append(('to', o['to']))
            elif lv == 'lane': ks.append(('lane', o['fr'], o['to']) if o['fr'] else None)
            elif lv == 'lane?': ks.append(('lane', o['fr'], o['to']))  # missing origin = own lane
            elif lv == 'seller': ks.append(('st', o['seller'], o['to']) if o['seller'] else None)
            elif lv == 'fr': ks.append(('fr', o['fr']) if o['fr'] else None)
            elif lv == 'pc3': ks.append(('pc3', o['pc'][:3]) if o['pc'] else None)
            elif lv == 'pc2': ks.append(('pc2', o['pc'][:2]) if o['pc'] else None)
            elif lv == 'pc4': ks.append(('pc4', o['pc'][:4]) if o['pc'] else None)
            elif lv == 'lane3': ks.append(('lane3', o['fr'], o['pc'][:3]) if o['fr'] and o['pc'] else None)
        return ks

    def hkeys(self, o):
        ks = []
        for lv in self.hlv:
            if lv == 'g': ks.append(('g',))
            elif lv == 'fr': ks.append(('fr', o['fr']) if o['fr'] else None)
            elif lv == 'seller': ks.append(('s', o['seller']) if o['seller'] else None)
            elif lv == 'to': ks.append(('to', o['to']))
        return ks

    def observe(self, o, t):
        """order o delivered at t"""
        self.ndeliv += 1
        c = self.clk
        tr = c(t) - c(o['hand'])
        hd = c(o['hand']) - c(o['placed'])
        for k in self.tkeys(o):
            if k: self._h(self.T, k, self.hl).add(t, tr)
        for k in self.hkeys(o):
            if k: self._h(self.H, k, self.hhl).add(t, hd)

    def dist(self, store, keys, now, m):
        """shrunk distribution for a chain of group keys (coarse->fine); every prefix is cached and
        recomputed only when one of its histograms changed or a day passed (shrink weights decay)"""
        hs = [store.get(k) if k else None for k in keys]
        for h in hs:
            if h is not None and h.q is not None:
                h.n(now)  # expire window samples
        sig = (int(now // DAY),) + tuple(h.ver if h is not None else -1 for h in hs)
        ck = (id(store), tuple(keys))
        ent = self.cache.get(ck)
        if ent is not None and ent[0] == sig:
            return ent[1]
        prev = self.dist(store, keys[:-1], now, m) if len(keys) > 1 else None
        h = hs[-1]
        n = h.n(now) if h is not None else 0.0
        if h is None or n <= 1e-9 or h.tot <= 0:
            d = prev
        else:
            it = h.tot
            if prev is None:
                p = [v / it for v in h.b]
            else:
                a = n / (n + m); a1 = a / it; b = 1 - a
                p = [a1 * x + b * y for x, y in zip(h.b, prev.p)]
            d = Dist(p, self.nb, self.w, n)
        self.cache[ck] = (sig, d)
        return d

    def prob(self, o, now):
        if self.ndeliv < self.min_samples:
            return None
        dT = self.dist(self.T, self.tkeys(o), now, self.m)
        if dT is None:
            return None
        c = self.clk
        cn = c(now)
        if o['hand'] is not None and o['hand'] <= now:
            ch = c(o['hand'])
            a = cn - ch
            B = c(o['prom']) - ch
            sa = dT.S(a)
            return 1.0 if sa <= 1e-12 else min(1.0, dT.S(B) / sa)
        cp = c(o['placed'])
        B = c(o['prom']) - cp
        e = cn - cp
        if not self.handling:  # baseline: as if handed over now
            return dT.S(B - e)
        dH = self.dist(self.H, self.hkeys(o), now, self.mh)
        if dH is None:
            return dT.S(B - e)
        se = dH.S(e)
        if se <= 1e-12:
            return 1.0
        w, p = dH.w, dH.p
        acc = 0.0
        k0 = int(e / w)
        for k in range(k0, dH.nb):
            lo = k * w
            if k == k0:
                frac = (lo + w - e) / w
                if frac <= 0: continue
                mass = p[k] * frac
                h = (e + lo + w) / 2
            else:
                mass = p[k]
                h = lo + w / 2
            if mass:
                acc += mass * dT.S(B - h)
        acc += p[dH.nb]  # never handed over within the horizon -> late
        return min(1.0, acc / se)


# ----------------------------------------------------------------------------- simulator
def simulate(model, evs, orders, tick=TICK, eval_from=EVAL_FROM, phase=0.0, lookahead=False, daytime_only=False):
    """phase: tick grid offset in seconds (0 = UTC 00/06/12/18 = local 21/03/09/15; 5h = local 02/08/14/20).
    lookahead: in the last hour before quiet hours (20:00-21:00 local) an order is assessed as of the next
    08:00 (if it is not delivered by then); a crossing during the night could only be sent then anyway."""
    cross = {}      # oid -> {th: t}
    pmax = {}
    openo = {}      # oid -> order under assessment
    ti = 0
    next_tick = (evs[0][0] // tick + 1) * tick + phase
    neval = 0

    def assess(o, now):
        nonlocal neval
        if now >= o['prom']:
            openo.pop(o['oid'], None)
            return
        neval += 1
        p = model.prob(o, now)
        if lookahead and p is not None:
            lh = ((now + LOCAL) % DAY) / 3600
            if QUIET[0] - 1 <= lh < QUIET[0]:
                t8 = sent_at(now + 3600 * (QUIET[0] - lh) + 1)
                if t8 < o['prom']:
                    p = max(p, model.prob(o, t8))
        if p is None:
            return
        oid = o['oid']
        if p > pmax.get(oid, -1):
            pmax[oid] = p
            c = cross.setdefault(oid, {})
            for th in THS:
                if p >= th and th not in c:
                    c[th] = now
            if p >= THS[-1]:
                openo.pop(oid, None)

    for (t, k, oid) in evs:
        while next_tick <= t:
            if not daytime_only or not (QUIET[0] <= ((next_tick + LOCAL) % DAY) / 3600 or
                                        ((next_tick + LOCAL) % DAY) / 3600 < QUIET[1] - 1):
                # daytime_only: hourly grid ~ a due-timer (exact crossing); at night only the 07:00 check
                # matters, since anything decided in quiet hours is sent at 08:00 anyway
                for o in list(openo.values()):
                    assess(o, next_tick)
            next_tick += tick
        o = orders[oid]
        if hasattr(model, 'on_event'):
            model.on_event(o, k, t)
        if k == 'D':
            openo.pop(oid, None)
            model.observe(o, t)
        elif k == 'C':
            openo.pop(oid, None)
        elif k == 'P':
            if o['placed'] >= eval_from:
                openo[oid] = o
                assess(o, t)
        elif k == 'H':
            if oid in openo:
                assess(o, t)
    # drain timers for never-delivered orders
    while openo:
        for o in list(openo.values()):
            assess(o, next_tick)
        next_tick += tick
    return cross, neval


def is_late(o):
    if o['deliv'] is not None:
        return o['deliv'] > o['prom']
    return o['canc'] is None


QUIET = (21, 8)  # Notifier defaults: 21:00-08:00 local; zone -03:00 in this data
LOCAL = -3 * 3600


def sent_at(t):
    """a notice decided at t (UTC epoch) is sent at t, or at the end of quiet hours"""
    loc = t + LOCAL
    day0 = loc - (loc % DAY)
    h = (loc - day0) / 3600
    if QUIET[1] <= h < QUIET[0]:
        return t
    nxt = day0 + QUIET[1] * 3600 + (DAY if h >= QUIET[0] else 0)
    return nxt - LOCAL


def score(cross, orders, win, quiet=True):
    a, b = win
    sel = [o for o in orders.values() if a <= o['placed'] < b]
    late = [o for o in sel if is_late(o)]
    rows = []
    for th in THS:
        def st(o):
            t = cross[o['oid']][th]
            return sent_at(t) if quiet else t
        # a warning counts if it was sent before the promise and before delivery/cancellation
        warned = [o for o in sel if th in cross.get(o['oid'], {}) and st(o) < o['prom']
                  and st(o) < min(o['deliv'] or 9e9, o['canc'] or 9e9)]
        tp = [o for o in warned if is_late(o)]
        leads = [(o['prom'] - st(o)) / 3600 for o in tp]
        prec = len(tp) / len(warned) if warned else float('nan')
        rec = len(tp) / len(late) if late else float('nan')
        rows.append(dict(th=th, prec=prec, rec=rec, lead=statistics.median(leads) if leads else float('nan'),
                         warned=len(warned), tp=len(tp), late=len(late), n=len(sel)))
    return rows


def best_at(rows, rec_min=0.85, lead_min=72):
    """best precision among thresholds meeting recall>=rec_min and lead>=lead_min"""
    ok = [r for r in rows if r['rec'] >= rec_min and r['lead'] >= lead_min]
    return max(ok, key=lambda r: r['prec']) if ok else None


def fmt(r):
    return f"th={r['th']:.2f} P={r['prec']:.2f} R={r['rec']:.2f} lead={r['lead']:.0f}h warned={r['warned']}"


VARIANTS = {
    # baseline of the issue: lane transit, last 60 days, unweighted, no handling model
    'base60': dict(window=60, m=0, transit_levels=('lane?',), handling=False, min_samples=1),
    'base60+hand': dict(window=60, m=0, transit_levels=('lane?',), handling=True, hand_levels=('g',), min_samples=1),
    # hierarchical + decay
    'hier_hl21': dict(half_life=21, m=20),
    'hier_hl7': dict(half_life=7, m=20),
    'hier_hl14': dict(half_life=14, m=20),
    'hier_hl42': dict(half_life=42, m=20),
    'hier_hl90': dict(half_life=90, m=20),
    'hier_hl21_m5': dict(half_life=21, m=5),
    'hier_hl21_m50': dict(half_life=21, m=50),
    'hier_hl21_noLane': dict(half_life=21, m=20, transit_levels=('g', 'to')),
    'hier_hl21_sellerT': dict(half_life=21, m=20, transit_levels=('g', 'to', 'lane', 'seller')),
    'hier_hl21_glob': dict(half_life=21, m=20, transit_levels=('g',), hand_levels=('g',)),
    'pc3': dict(half_life=21, m=20, transit_levels=('g', 'to', 'pc3', 'lane3')),
    'pc3b': dict(half_life=21, m=20, transit_levels=('g', 'to', 'pc3')),
    'pc2': dict(half_life=21, m=20, transit_levels=('g', 'to', 'pc2', 'lane')),
    'pc3_lane': dict(half_life=21, m=20, transit_levels=('g', 'to', 'lane', 'pc3')),
    'km_hl21': dict(half_life=21, m=20, censor=True),
    'km_hl21_pc3': dict(half_life=21, m=20, censor=True, transit_levels=('g', 'to', 'pc3', 'lane3')),
    'biz_hl42': dict(half_life=42, m=20, clock='biz'),
    'bizhol_hl42': dict(half_life=42, m=20, clock='bizhol'),
    'pcl_biz_hl42': dict(half_life=42, m=20, clock='biz', transit_levels=('g', 'to', 'lane', 'pc3')),
    'pcl_biz_hl42_m10': dict(half_life=42, m=10, clock='biz', transit_levels=('g', 'to', 'lane', 'pc3')),
    'biz_hl42_m10': dict(half_life=42, m=10, clock='biz'),
    'abl_nohand': dict(half_life=42, m=20, clock='biz', handling=False),
    'abl_handg': dict(half_life=42, m=20, clock='biz', hand_levels=('g',)),
    'abl_nodecay': dict(half_life=None, m=20, clock='biz'),
    'abl_flat': dict(half_life=42, m=20, clock='biz', transit_levels=('g',), hand_levels=('g',)),
    'biz_hl42_ph20': dict(half_life=42, m=20, clock='biz', sim=dict(phase=5 * 3600)),
    'biz_hl42_ph20_la': dict(half_life=42, m=20, clock='biz', sim=dict(phase=5 * 3600, lookahead=True)),
    'biz_hl42_hourly': dict(half_life=42, m=20, clock='biz', sim=dict(tick=3600, daytime_only=True)),
    'base60_hourly': dict(window=60, m=0, transit_levels=('lane?',), handling=False, min_samples=1, sim=dict(tick=3600, daytime_only=True)),
    'hier_hl42_hourly': dict(half_life=42, m=20, sim=dict(tick=3600, daytime_only=True)),
    'biz_hl42_b1': dict(half_life=42, m=20, clock='biz', bin_days=1.0),
    'biz_hl42_hourly_la': dict(half_life=42, m=20, clock='biz', sim=dict(tick=3600, daytime_only=True, lookahead=True)),
    'hier_hl21_b1': dict(half_life=21, m=20, bin_days=1.0),
    'hier_hl21_b05': dict(half_life=21, m=20, bin_days=0.5),
}

# ----------------------------------------------------------------------------- censoring-aware variant
class CensorModel(Model):
    """Like Model, but each group's distribution is a decayed Kaplan-Meier estimate that also counts the
    group's parcels still open (in transit / not yet handed over) as right-censored at their current age.
    A sudden slowdown (strike) then shows within days, before the slow parcels are finally delivered."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.openT = collections.defaultdict(dict)  # group key -> {oid: handoff t}
        self.openH = collections.defaultdict(dict)  # group key -> {oid: placed t}

    def on_event(self, o, k, t):
        oid = o['oid']
        if k == 'P':
            for g in self.hkeys(o):
                if g: self.openH[g][oid] = o['placed']
        elif k == 'H':
            for g in self.hkeys(o):
                if g: self.openH[g].pop(oid, None)
            for g in self.tkeys(o):
                if g: self.openT[g][oid] = t
        elif k in 'DC':
            for g in self.hkeys(o):
                if g: self.openH[g].pop(oid, None)
            for g in self.tkeys(o):
                if g: self.openT[g].pop(oid, None)

    def dist(self, store, keys, now, m):
        tk = int(now // TICK)
        if not hasattr(self, 'kcache'): self.kcache = {}; self.ktick = None
        self.cache, self.cache_tick = self.kcache, self.ktick
        r = self._kdist(store, keys, now, m, tk)
        self.kcache, self.ktick = self.cache, self.cache_tick
        return r

    def _kdist(self, store, keys, now, m, tk):
        if self.cache_tick != tk:
            self.cache.clear(); self.cache_tick = tk
        ck = (id(store), tuple(keys))
        d = self.cache.get(ck, 0)
        if d != 0:
            return d
        prev = self._kdist(store, keys[:-1], now, m, tk) if len(keys) > 1 else None
        g = keys[-1]
        h = store.get(g) if g else None
        if h is None or h.tot <= 0:
            self.cache[ck] = prev
            return prev
        openg = (self.openT if store is self.T else self.openH).get(g, {})
        scale = math.exp(-(now - Hist.T0) / h.tau) if h.tau else 1.0   # stored weight -> weight now
        nb, w = self.nb, self.w
        cens = [0.0] * (nb + 1)   # open parcels whose age is past bin b entirely: at risk through b
        for st in openg.values():
            kb = int((self.clk(now) - self.clk(st)) / w)
            if kb > 0:
                cens[min(kb, nb) - 1] += 1.0
        S = 1.0
        p = [0.0] * (nb + 1)
        r = 0.0
        # at-risk from the top: r_b = sum_{j>=b} d_j + sum_{open with full bins >= b}
        rs = [0.0] * (nb + 2)
        for b in range(nb, -1, -1):
            r += h.b[b] * scale + cens[b]
            rs[b] = r
        for b in range(nb):
            if S <= 0: break
            rb = rs[b]
            lam = (h.b[b] * scale / rb) if rb > 0 else 0.0
            p[b] = S * lam
            S -= p[b]
        p[nb] = max(S, 0.0)
        n = h.n(now) + len(openg)
        if prev is not None:
            a = n / (n + m)
            p = [a * x + (1 - a) * y for x, y in zip(p, prev.p)]
        d = Dist(p, nb, w, n)
        self.cache[ck] = d
        return d


if __name__ == '__main__':
    names = sys.argv[1:] or list(VARIANTS)
    evs, orders = load()
    out = {}
    for name in names:
        t0 = time.time()
        cfg = dict(VARIANTS[name])
        simkw = cfg.pop('sim', {})
        cls = CensorModel if cfg.pop('censor', False) else Model
        m = cls(**cfg)
        cross, neval = simulate(m, evs, orders, **simkw)
        dt = time.time() - t0
        res = {w: score(cross, orders, win) for w, win in WINDOWS.items()}
        out[name] = dict(cfg=cfg, res=res, secs=dt, neval=neval)
        print(f"== {name} {cfg}  ({dt:.0f}s, {neval} assessments)")
        for w, rows in res.items():
            b = best_at(rows)
            print(f"  {w}: late={rows[0]['late']}/{rows[0]['n']}  best(R>=.85,lead>=72): {fmt(b) if b else '-'}")
            print('    ' + ' | '.join(f"{r['th']:.2f}:{r['prec']:.2f}/{r['rec']:.2f}/{r['lead']:.0f}" for r in rows if round(r['th'] * 100) % 10 == 0))
        sys.stdout.flush()
        with open(f'results_{name}.json', 'w') as f:
            json.dump(out[name], f)
