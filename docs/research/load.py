import gzip, json
from datetime import datetime
import os
PATH=os.environ.get('OLIST_EVENTS', os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../shared/data/olist-history/events.jsonl.gz'))
def ts(s): return datetime.fromisoformat(s).timestamp()
def load():
    """returns list of events (t, kind, oid) and dict orders"""
    orders={}; evs=[]
    with gzip.open(PATH,'rt') as f:
        for line in f:
            e=json.loads(line); d=e['data']; oid=d['orderId']; t=ts(d['occurredAt']); ty=e['type']
            if ty.endswith('order.placed.v1'):
                o=dict(oid=oid,placed=t,prom=ts(d['promisedBy']),shipBy=ts(d['shipBy']) if d.get('shipBy') else None,
                       to=(d.get('shipTo') or {}).get('region'),pc=(d.get('shipTo') or {}).get('postalCode'),fr=(d.get('shipFrom') or {}).get('region'),
                       seller=d.get('fulfilledBy'),hand=None,deliv=None,canc=None)
                orders[oid]=o; k='P'
            elif ty.endswith('shipment.created.v1'): orders[oid]['hand']=t; k='H'
            elif ty.endswith('tracking.v1'):
                if d.get('status')=='DELIVERED': orders[oid]['deliv']=t; k='D'
                else: continue
            elif ty.endswith('cancelled.v1'): orders[oid]['canc']=t; k='C'
            else: continue
            evs.append((t,k,oid))
    return evs, orders
