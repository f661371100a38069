#!/usr/bin/env python3
"""prom-scrape.py URL: GETs URL and parses the body with prometheus_client's text parser
(Debian's python3-prometheus-client). Prints one JSON object:
  {"status": 200, "contentType": "...", "types": {SAMPLE_NAME: TYPE} (names as written),
   "help": {SAMPLE_NAME: HELP}, "samples": [[NAME, {LABELS}, VALUE], ...]}
Exits 1 when the body does not parse."""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
    status, ctype, body = r.status, r.headers.get("Content-Type"), r.read().decode("utf-8")
# The names as the text has them: the parser appends _total to a counter sample that lacks it.
written = {l.split("{")[0].split(" ")[0] for l in body.splitlines() if l and not l.startswith("#")}
types, helps, samples = {}, {}, []
try:
    for fam in text_string_to_metric_families(body):
        for s in fam.samples:
            name = s.name
            if name not in written and name.endswith("_total") and name[:-6] in written:
                name = name[:-6]
            types[name] = fam.type
            helps[name] = fam.documentation
            samples.append([name, s.labels, s.value])
except Exception as e:  # the parser's ValueError and friends
    print("does not parse: %r\n%s" % (e, body), file=sys.stderr)
    sys.exit(1)
print(json.dumps({"status": status, "contentType": ctype, "types": types, "help": helps, "samples": samples}))
