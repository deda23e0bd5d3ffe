"""Print the four Lighthouse category scores of each report, the bytes on the
wire and the number of requests, and what cost points.

Exit status 1 if any score is below --min.
"""

import argparse
import json
import sys
from pathlib import Path

CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("reports", nargs="+", type=Path)
    parser.add_argument("--min", type=int, default=100)
    args = parser.parse_args(argv)

    below = False
    print(f"{'page':<45} {'perf':>5} {'a11y':>5} {'b-p':>5} {'seo':>5}")
    for path in args.reports:
        report = json.loads(path.read_text())
        scores = {key: round(report["categories"][key]["score"] * 100) for key in CATEGORIES}
        url = report["finalDisplayedUrl"].split("//", 1)[1].split("/", 1)[1]
        print(f"/{url:<44} " + " ".join(f"{scores[key]:>5}" for key in CATEGORIES))
        below |= any(score < args.min for score in scores.values())
        metrics = report["audits"]
        requests = metrics["network-requests"]["details"]["items"]
        print(
            f"    {metrics['total-byte-weight']['numericValue'] / 1024:.1f} KB on the wire in {len(requests)} requests: "
            + ", ".join(
                f"{r['url'].rsplit('/', 1)[-1] or '/'} {r.get('transferSize', 0) / 1024:.1f} KB"
                for r in requests
            )
        )
        print(
            "    "
            + ", ".join(
                f"{key} {metrics[key]['displayValue']}"
                for key in [
                    "first-contentful-paint",
                    "largest-contentful-paint",
                    "total-blocking-time",
                    "cumulative-layout-shift",
                    "speed-index",
                ]
            )
        )
        for key in CATEGORIES:
            for ref in report["categories"][key]["auditRefs"]:
                audit = metrics[ref["id"]]
                if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                    print(f"    {key}: {ref['id']} scored {audit['score']}: {audit['title']}")
    if below:
        print(f"Some score is below {args.min}.", file=sys.stderr)
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
