#!/usr/bin/env python3
"""Findings table from results_*.json: per variant, the threshold with the best pooled (AC) precision
subject to recall>=0.85 and median lead>=LEAD h, and each window's numbers at that same threshold."""
import json, glob, sys
LEAD = float(sys.argv[1]) if len(sys.argv) > 1 else 72
names = sys.argv[2:] or sorted(f[8:-5] for f in glob.glob('results_*.json'))
print(f"| variant | th (best AC, lead>={LEAD:.0f}h) | AC 2017-06..2018-02 P/R/lead | A 2017-11..2018-02 | B 2018-01..02 | C 2017-06..10 |")
print("|---|---|---|---|---|---|")
for n in names:
    try: r = json.load(open(f'results_{n}.json'))['res']
    except FileNotFoundError: continue
    ac = [x for x in r['AC:2017-06..2018-02'] if x['rec'] >= .85 and x['lead'] >= LEAD] if 'AC:2017-06..2018-02' in r else []
    if not ac: continue
    b = max(ac, key=lambda x: x['prec'])
    cells = []
    for w in ['AC:2017-06..2018-02', 'A:2017-11..2018-02', 'B:2018-01..2018-02', 'C:2017-06..2017-10']:
        x = [y for y in r[w] if y['th'] == b['th']][0]
        cells.append(f"{x['prec']:.2f} / {x['rec']:.2f} / {x['lead']:.0f}h")
    print(f"| {n} | {b['th']:.2f} | " + ' | '.join(cells) + ' |')
